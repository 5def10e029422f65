package sigv4

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// Key is one access key: its ID, secret and the profile it was read from.
type Key struct {
	AccessKeyID string
	Secret      string
	Profile     string
}

// String never shows the secret, so a Key can be logged or printed in a test failure.
func (k Key) String() string { return k.AccessKeyID + " (profile " + k.Profile + ")" }

// GoString hides the secret from %#v too.
func (k Key) GoString() string { return "sigv4.Key{" + k.String() + "}" }

// Keys is an immutable set of access keys by access key ID.
type Keys struct {
	byID map[string]Key
}

// NewKeys builds a key set; an access key ID given twice is an error.
func NewKeys(keys ...Key) (*Keys, error) {
	ks := &Keys{byID: make(map[string]Key, len(keys))}
	for _, k := range keys {
		if k.AccessKeyID == "" || k.Secret == "" {
			return nil, fmt.Errorf("key of profile %q: access key ID and secret are required", k.Profile)
		}
		if prev, dup := ks.byID[k.AccessKeyID]; dup {
			return nil, fmt.Errorf("access key ID %s is in profiles %q and %q", k.AccessKeyID, prev.Profile, k.Profile)
		}
		ks.byID[k.AccessKeyID] = k
	}
	return ks, nil
}

// Lookup returns the key with the given access key ID.
func (ks *Keys) Lookup(id string) (Key, bool) {
	k, ok := ks.byID[id]
	return k, ok
}

// Len is the number of keys.
func (ks *Keys) Len() int { return len(ks.byID) }

// LoadCredentials reads an AWS shared credentials file (the format of
// ~/.aws/credentials). It refuses a file that group or others can read, as ssh does
// with private keys: the file holds secrets that sign every change.
func LoadCredentials(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("credentials file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("credentials file %s has mode %04o: group or others may read it; run chmod 600 %s", path, perm, path)
	}
	return ParseCredentials(f, path)
}

// ParseCredentials reads the shared credentials format from r: [profile] sections
// with aws_access_key_id and aws_secret_access_key; '#' and ';' start comments.
// Other keys (region, aws_session_token, …) are accepted and ignored — a session
// token belongs to temporary credentials, which this server does not issue. Errors
// name file and line and never quote a value.
func ParseCredentials(r io.Reader, file string) (*Keys, error) {
	type entry struct {
		key  Key
		line int
	}
	var entries []*entry
	var cur *entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	errf := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: "+format, append([]any{file, n}, args...)...)
	}
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte order mark, as Windows editors write
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			name, ok := strings.CutSuffix(line, "]")
			name = strings.TrimSpace(strings.TrimPrefix(name, "["))
			if !ok || name == "" {
				return nil, errf("bad section header: want [profile-name]")
			}
			for _, e := range entries {
				if e.key.Profile == name {
					return nil, errf("profile %q defined twice (first at line %d)", name, e.line)
				}
			}
			cur = &entry{key: Key{Profile: name}, line: n}
			entries = append(entries, cur)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, errf("want key = value or [profile]")
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if cur == nil {
			return nil, errf("%s outside a [profile] section", k)
		}
		var dst *string
		switch strings.ToLower(k) {
		case "aws_access_key_id":
			dst = &cur.key.AccessKeyID
		case "aws_secret_access_key":
			dst = &cur.key.Secret
		default:
			continue
		}
		if *dst != "" {
			return nil, errf("%s set twice in profile %q", k, cur.key.Profile)
		}
		if v == "" || !printable(v) || (dst == &cur.key.AccessKeyID && strings.ContainsAny(v, "/,")) {
			return nil, errf("%s: empty or malformed value", k)
		}
		*dst = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", file, n+1, err)
	}
	keys := make([]Key, 0, len(entries))
	for _, e := range entries {
		switch {
		case e.key.AccessKeyID == "" && e.key.Secret == "":
			continue // a profile with other settings only
		case e.key.AccessKeyID == "":
			return nil, fmt.Errorf("%s:%d: profile %q has aws_secret_access_key but no aws_access_key_id", file, e.line, e.key.Profile)
		case e.key.Secret == "":
			return nil, fmt.Errorf("%s:%d: profile %q has aws_access_key_id but no aws_secret_access_key", file, e.line, e.key.Profile)
		}
		keys = append(keys, e.key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no profile with aws_access_key_id and aws_secret_access_key", file)
	}
	ks, err := NewKeys(keys...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ks, nil
}

var (
	_ fmt.Stringer   = Key{}
	_ fmt.GoStringer = Key{}
)

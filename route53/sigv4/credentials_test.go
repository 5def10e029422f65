package sigv4

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodCredentials = `# keys of the Route 53 API
[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
region = us-east-1

; operators
[ops]
AWS_ACCESS_KEY_ID=AKIDOPS
aws_secret_access_key=ops/secret+1

[only-settings]
region = eu-west-1
`

func TestParseCredentials(t *testing.T) {
	ks, err := ParseCredentials(strings.NewReader(goodCredentials), "creds")
	if err != nil {
		t.Fatal(err)
	}
	if ks.Len() != 2 {
		t.Fatalf("%d keys, want 2", ks.Len())
	}
	k, ok := ks.Lookup("AKIDOPS")
	if !ok || k.Secret != "ops/secret+1" || k.Profile != "ops" {
		t.Errorf("ops key: %v %v", k, ok)
	}
	crlf := "\ufeff" + strings.ReplaceAll(goodCredentials, "\n", "\r\n")
	if ks, err := ParseCredentials(strings.NewReader(crlf), "creds"); err != nil || ks.Len() != 2 {
		t.Errorf("BOM and CRLF: %v", err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", k, k, k, k); strings.Contains(s, "ops/secret") {
		t.Errorf("formatting shows the secret: %s", s)
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"aws_access_key_id = A\n", "creds:1: aws_access_key_id outside a [profile] section"},
		{"[p\naws_access_key_id = A\n", "creds:1: bad section header"},
		{"[]\n", "creds:1: bad section header"},
		{"[p]\naws_access_key_id A\n", "creds:2: want key = value or [profile]"},
		{"[p]\naws_access_key_id = A\naws_access_key_id = B\n", "creds:3: aws_access_key_id set twice in profile \"p\""},
		{"[p]\naws_access_key_id =\n", "creds:2: aws_access_key_id: empty or malformed value"},
		{"[p]\naws_access_key_id = A/B\n", "creds:2: aws_access_key_id: empty or malformed value"},
		{"[p]\naws_secret_access_key = has space\n", "creds:2: aws_secret_access_key: empty or malformed value"},
		{"[p]\naws_access_key_id = A\n", "creds:1: profile \"p\" has aws_access_key_id but no aws_secret_access_key"},
		{"\n[p]\naws_secret_access_key = s3cr3t\n", "creds:2: profile \"p\" has aws_secret_access_key but no aws_access_key_id"},
		{"[p]\naws_access_key_id = A\naws_secret_access_key = s\n[p]\n", "creds:4: profile \"p\" defined twice (first at line 1)"},
		{"[p]\naws_access_key_id = A\naws_secret_access_key = s\n[q]\naws_access_key_id = A\naws_secret_access_key = t\n", `creds: access key ID A is in profiles "p" and "q"`},
		{"# nothing\n", "creds: no profile with aws_access_key_id and aws_secret_access_key"},
	} {
		_, err := ParseCredentials(strings.NewReader(c.in), "creds")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %s", c.in, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: error shows the secret: %v", c.in, err)
		}
	}
}

func TestLoadCredentialsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte(goodCredentials), 0o600); err != nil {
		t.Fatal(err)
	}
	if ks, err := LoadCredentials(path); err != nil || ks.Len() != 2 {
		t.Fatalf("0600: %v", err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadCredentials(path)
		want := fmt.Sprintf("credentials file %s has mode %04o: group or others may read it; run chmod 600 %s", path, mode, path)
		if err == nil || err.Error() != want {
			t.Errorf("mode %04o: got %v", mode, err)
		}
	}
	if _, err := LoadCredentials(dir); err == nil {
		t.Error("a directory was accepted")
	}
	if _, err := LoadCredentials(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file was accepted")
	}
}

package cidr

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxLine is the longest line Parse accepts.
const maxLine = 64 << 10

// ParseFile reads a collection in the separate-file form (see Parse) from path.
// The collection is named after the file, without directory and extension:
// /etc/coredns/offices.cidr is collection "offices".
func ParseFile(path string) (*Collection, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := filepath.Base(path)
	name = strings.TrimSuffix(name, filepath.Ext(name))
	hint := 0
	if st, err := f.Stat(); err == nil {
		hint = int(min(st.Size()/20, 1<<26)) // a line is "192.0.2.0/24 location\n"
	}
	return parse(f, path, name, hint)
}

// Parse reads a collection in the separate-file form, one block per line:
//
//	# comment
//	203.0.113.0/24   eu-west
//	2001:db8::/32    eu-west   # trailing comment
//
// Fields are separated by spaces or tabs; blank lines and everything from a # on
// are ignored. file is used in error messages, collection names the result.
func Parse(r io.Reader, file, collection string) (*Collection, error) {
	return parse(r, file, collection, 0)
}

// parse is Parse with room for hint blocks.
func parse(r io.Reader, file, collection string, hint int) (*Collection, error) {
	b := NewBuilder(collection)
	b.Grow(hint)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	var (
		line    int
		lastLoc string
	)
	for sc.Scan() {
		line++
		s := sc.Bytes()
		if i := bytes.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		cidr, rest := field(s)
		if cidr == nil {
			continue
		}
		pos := Pos{File: file, Line: line}
		loc, rest := field(rest)
		if loc == nil {
			return nil, &Error{File: file, Line: line, Path: "location", Msg: fmt.Sprintf("no location after %s (want CIDR LOCATION)", short(string(cidr)))}
		}
		if extra, _ := field(rest); extra != nil {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("unexpected %q after the location (want CIDR LOCATION)", short(string(extra)))}
		}
		if string(loc) != lastLoc {
			lastLoc = b.intern(loc)
		}
		if err := b.AddString(string(cidr), lastLoc, pos); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, &Error{File: file, Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	return b.Build()
}

// field splits the first space- or tab-separated field off s; nil if none.
func field(s []byte) (f, rest []byte) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return nil, nil
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

// intern returns name as a string, the one the builder already holds if any.
func (b *Builder) intern(name []byte) string {
	if i, ok := b.locIdx[string(name)]; ok {
		return b.locs[i]
	}
	return string(name)
}

// short cuts s for an error message.
func short(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

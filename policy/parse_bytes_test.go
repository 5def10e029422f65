package policy

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestParseGarbage: an error the YAML decoder gives without a line names the
// line and byte offset of the first byte YAML cannot read (issue 15).
func TestParseGarbage(t *testing.T) {
	good := strings.Repeat("# padding line\n", 1000) // 15000 bytes, 1000 lines
	garbage := make([]byte, 10<<20)
	r := rand.New(rand.NewPCG(15, 15))
	for i := range garbage {
		garbage[i] = byte(r.Uint32())
	}
	garbage[0] = 0xff // a leading byte no UTF-8 has, whatever the seed gives
	tests := []struct {
		name string
		in   io.Reader
		want string
	}{
		{"10 MB of random bytes", bytes.NewReader(garbage), "g.yaml:1: invalid YAML: invalid leading UTF-8 octet at byte offset 0"},
		{"control character after good lines", strings.NewReader(good + "zones:\n  a: \x01\n"), "g.yaml:1002: invalid YAML: control characters are not allowed at byte offset 15012"},
		{"broken UTF-8 after good lines", strings.NewReader(good + "zones: {a: \"caf\xc3\"}\n"), "g.yaml:1001: invalid YAML: invalid trailing UTF-8 octet at byte offset 15015"},
		{"NUL byte", strings.NewReader("zones:\x00"), "g.yaml:1: invalid YAML: control characters are not allowed at byte offset 6"},
		{"not seekable: how far the decoder read", io.MultiReader(strings.NewReader("zones: \x01")), "g.yaml: invalid YAML: control characters are not allowed, at or before byte offset 8"},
		// A fuzzer find (FuzzReload): the decoder's own end-of-stream error, without a line.
		{"lone quote", strings.NewReader("\""), "g.yaml:1: invalid YAML: found unexpected end of stream, at or before byte offset 1"},
		{"unclosed quote after lines", strings.NewReader("zones:\n  a: \"b\n"), "g.yaml:2: invalid YAML: found unexpected end of stream"},
		// FuzzReload: a second document, broken ('' then 00) and whole.
		{"broken second document", strings.NewReader("''00"), "g.yaml:1: invalid YAML: "},
		{"second document", strings.NewReader("zones: {}\n---\nzones: {}\n"), "g.yaml:2: a data file holds one YAML document"},
		{"errors with a line keep it", strings.NewReader("a: b\n\tc: d\n"), "g.yaml:2: invalid YAML: found a tab character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("g.yaml", tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

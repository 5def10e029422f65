package cidr

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "# offices\n" +
		"\n" +
		"203.0.113.0/24 eu-west\n" +
		"  203.0.113.128/25\tus-east   # nested: the longer block wins\r\n" +
		"2001:db8::/32 eu-west\n" +
		"::ffff:198.51.100.0/120 us-east\n" +
		"\t# indented comment\n" +
		"10.0.0.0/8 eu-west" // no final newline
	c, err := Parse(strings.NewReader(in), "offices.cidr", "offices")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "offices" || c.Len() != 5 || strings.Join(c.Locations(), ",") != "eu-west,us-east" {
		t.Fatalf("Name %q, Len %d, Locations %v", c.Name(), c.Len(), c.Locations())
	}
	for addr, want := range map[string]string{
		"203.0.113.1": "eu-west", "203.0.113.200": "us-east", "2001:db8::1": "eu-west",
		"198.51.100.1": "us-east", "10.2.3.4": "eu-west",
	} {
		a := netip.MustParseAddr(addr)
		loc, _, ok := c.Lookup(a, a.BitLen())
		if !ok || c.Locations()[loc] != want {
			t.Errorf("%s: %d %v, want %s", addr, loc, ok, want)
		}
	}
}

func TestParseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edge.cidr")
	if err := os.WriteFile(path, []byte("192.0.2.0/24 lab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseFile(path)
	if err != nil || c.Name() != "edge" || c.Len() != 1 {
		t.Fatalf("ParseFile: %v, %+v", err, c)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "missing.cidr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestParseErrors: every bad input is reported with file, line, field and a
// message that says what to write instead.
func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.0/8", `x.cidr:1: location: no location after 10.0.0.0/8 (want CIDR LOCATION)`},
		{"10.0.0.0/8 a b", `x.cidr:1: unexpected "b" after the location (want CIDR LOCATION)`},
		{"\n\n10.1.0.0/8 a", `x.cidr:3: cidr: 10.1.0.0/8 has host bits set; did you mean 10.0.0.0/8?`},
		{"2001:db8::1/32 a", `x.cidr:1: cidr: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?`},
		{"10.0.0.1 a", `x.cidr:1: cidr: malformed CIDR block "10.0.0.1": no prefix length; did you mean 10.0.0.1/32?`},
		{"2001:db8::1 a", `x.cidr:1: cidr: malformed CIDR block "2001:db8::1": no prefix length; did you mean 2001:db8::1/128?`},
		{"10.0.0.0/33 a", `x.cidr:1: cidr: malformed CIDR block "10.0.0.0/33": want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32`},
		{"10.0.0/8 a", `x.cidr:1: cidr: malformed CIDR block "10.0.0/8": want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32`},
		{"eu-west 10.0.0.0/8", `x.cidr:1: cidr: malformed CIDR block "eu-west": want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32`},
		{"fe80::/10%eth0 a", `x.cidr:1: cidr: malformed CIDR block "fe80::/10%eth0": want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32`},
		{"10.0.0.0/8 a\n10.0.0.0/8 b", `x.cidr:2: cidr: 10.0.0.0/8 is in two locations of collection "c": a (line 1) and b`},
		{"10.0.0.0/8 a\n10.0.0.0/8 a", `x.cidr:2: cidr: 10.0.0.0/8 is listed twice for location a (also line 1)`},
		{"10.0.0.0/8 a\n::ffff:10.0.0.0/104 b", `x.cidr:2: cidr: 10.0.0.0/8 is in two locations of collection "c": a (line 1) and b`},
		{"10.0.0.0/8 a\n" + strings.Repeat("x", maxLine+1), `x.cidr:2: line longer than 65536 bytes`},
		{strings.Repeat("1", 100) + " a", `x.cidr:1: cidr: malformed CIDR block "111111111111111111111111111111111111111111111111111111111...": want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32`},
	}
	for _, tc := range tests {
		_, err := Parse(strings.NewReader(tc.in), "x.cidr", "c")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got  %.200v\n want %s", short(tc.in), err, tc.want)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.File != "x.cidr" || e.Line == 0 {
			t.Errorf("%q: %T %+v, want *Error with file and line", tc.in, err, err)
		}
	}
}

// TestAddErrors: the Builder's own checks, with the caller's Pos.Path.
func TestAddErrors(t *testing.T) {
	at := func(line int, path string) Pos { return Pos{File: "data.yaml", Line: line, Path: path} }
	tests := []struct {
		add  func(b *Builder) error
		want string
	}{
		{func(b *Builder) error { return b.Add(mp("10.0.0.0/8"), "", at(4, "cidr_collections.c.blocks[0]")) },
			`data.yaml:4: cidr_collections.c.blocks[0]: empty location name for 10.0.0.0/8`},
		{func(b *Builder) error { return b.Add(netip.Prefix{}, "a", at(5, "")) },
			`data.yaml:5: cidr: invalid CIDR block: no address`},
		{func(b *Builder) error {
			return b.Add(netip.PrefixFrom(netip.MustParseAddr("10.0.0.1"), 40), "a", at(6, ""))
		},
			`data.yaml:6: cidr: invalid CIDR block: the prefix length of 10.0.0.1 must be 0 to 32`},
		{func(b *Builder) error { return b.Add(mp("192.168.1.1/16"), "a", at(7, "x.y")) },
			`data.yaml:7: x.y: 192.168.1.1/16 has host bits set; did you mean 192.168.0.0/16?`},
		{func(b *Builder) error { return b.AddString("", "a", at(8, "")) },
			`data.yaml:8: cidr: empty CIDR block`},
		{func(b *Builder) error {
			b.Add(mp("10.0.0.0/8"), "a", Pos{File: "other.cidr", Line: 3})
			b.Add(mp("10.0.0.0/8"), "b", at(9, "blocks[1]"))
			_, err := b.Build()
			return err
		}, `data.yaml:9: blocks[1]: 10.0.0.0/8 is in two locations of collection "c": a (other.cidr:3) and b`},
		{func(b *Builder) error { // Build returns the first Add error
			b.Add(mp("10.0.0.0/8"), "", at(10, ""))
			b.Add(mp("10.1.0.0/8"), "a", at(11, ""))
			_, err := b.Build()
			return err
		}, `data.yaml:10: location: empty location name for 10.0.0.0/8`},
	}
	for i, tc := range tests {
		err := tc.add(NewBuilder("c"))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%d:\n got  %v\n want %s", i, err, tc.want)
		}
	}
}

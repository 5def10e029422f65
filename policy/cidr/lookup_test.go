package cidr

import (
	"net/netip"
	"testing"
)

func TestLookup(t *testing.T) {
	es := []entry{
		{mp("10.0.0.0/8"), "ten"},
		{mp("10.1.0.0/16"), "ten-one"},
		{mp("10.1.2.0/24"), "ten-one-two"},
		{mp("10.1.2.128/25"), "upper-half"},
		{mp("10.1.2.7/32"), "host"},
		{mp("192.0.2.0/24"), "doc"},
		{mp("2001:db8::/32"), "doc6"},
		{mp("2001:db8:1::/48"), "site"},
		{mp("2001:db8:1:2::/64"), "lan"},
		{mp("2001:db8:1:2::1/128"), "host6"},
		{mp("::ffff:198.51.100.0/120"), "mapped-block"}, // stored as 198.51.100.0/24
	}
	c, err := build(es)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr    string
		bits    int
		loc     string // "" for no match
		matched int
	}{
		{"10.9.9.9", 32, "ten", 8},
		{"10.1.9.9", 32, "ten-one", 16},
		{"10.1.2.3", 32, "ten-one-two", 24},
		{"10.1.2.200", 32, "upper-half", 25},
		{"10.1.2.7", 32, "host", 32},
		{"10.1.2.7", 99, "host", 32}, // longer than the address: the address
		{"11.0.0.1", 32, "", 0},
		{"0.0.0.0", 32, "", 0},
		{"255.255.255.255", 32, "", 0},
		// A query prefix shorter than a block does not match it.
		{"10.1.0.0", 12, "ten", 8},
		{"10.1.2.0", 24, "ten-one-two", 24},
		{"10.1.2.0", 23, "ten-one", 16},
		{"10.1.2.7", 31, "ten-one-two", 24},
		{"10.1.2.128", 25, "upper-half", 25},
		{"10.0.0.0", 7, "", 0},
		{"10.1.2.7", 0, "", 0}, // no address: only a /0 matches
		{"10.1.2.7", -1, "", 0},
		// Host bits beyond the query length are ignored.
		{"10.1.2.255", 16, "ten-one", 16},
		// IPv6.
		{"2001:db8::1", 128, "doc6", 32},
		{"2001:db8:1::1", 128, "site", 48},
		{"2001:db8:1:2::5", 128, "lan", 64},
		{"2001:db8:1:2::1", 128, "host6", 128},
		{"2001:db8:1:2::", 56, "site", 48},
		{"2001:db8:1:2::", 64, "lan", 64},
		{"2001:db8::", 31, "", 0},
		{"2001:db9::1", 128, "", 0},
		{"::", 128, "", 0},
		{"fe80::1%eth0", 128, "", 0},
		// IPv4-mapped IPv6 is IPv4, its length less 96.
		{"::ffff:10.1.2.3", 128, "ten-one-two", 24},
		{"::ffff:10.1.2.0", 120, "ten-one-two", 24},
		{"::ffff:10.1.0.0", 108, "ten", 8},
		{"::ffff:10.1.2.3", 80, "", 0},
		{"198.51.100.9", 32, "mapped-block", 24},
		{"::ffff:198.51.100.9", 128, "mapped-block", 24},
	}
	for _, tc := range tests {
		a := netip.MustParseAddr(tc.addr)
		loc, matched, ok := c.Lookup(a, tc.bits)
		got := ""
		if ok {
			got = c.Locations()[loc]
		}
		if got != tc.loc || matched != tc.matched {
			t.Errorf("Lookup(%s, %d) = %q /%d, want %q /%d", tc.addr, tc.bits, got, matched, tc.loc, tc.matched)
		}
	}
	if _, _, ok := c.Lookup(netip.Addr{}, 32); ok {
		t.Error("the zero Addr matched")
	}
	if c.Len() != len(es) || c.Name() != "test" || len(c.Locations()) != len(es) {
		t.Errorf("Len %d, Name %q, %d locations", c.Len(), c.Name(), len(c.Locations()))
	}
}

// TestDefaultRoutes: /0 blocks match everything of their family, bits 0 included.
func TestDefaultRoutes(t *testing.T) {
	c, err := build([]entry{{mp("0.0.0.0/0"), "any4"}, {mp("::/0"), "any6"}, {mp("10.0.0.0/8"), "ten"}})
	if err != nil {
		t.Fatal(err)
	}
	locs := c.Locations()
	for _, tc := range []struct {
		addr    string
		bits    int
		loc     string
		matched int
	}{
		{"10.0.0.1", 32, "ten", 8},
		{"10.0.0.1", 0, "any4", 0},
		{"10.0.0.1", 7, "any4", 0},
		{"11.0.0.1", 32, "any4", 0},
		{"2001:db8::1", 128, "any6", 0},
		{"2001:db8::1", 0, "any6", 0},
		{"::ffff:10.0.0.1", 20, "any4", 0},
	} {
		loc, matched, ok := c.Lookup(netip.MustParseAddr(tc.addr), tc.bits)
		if !ok || locs[loc] != tc.loc || matched != tc.matched {
			t.Errorf("Lookup(%s, %d) = %v %d %v, want %s /%d", tc.addr, tc.bits, loc, matched, ok, tc.loc, tc.matched)
		}
	}
}

func TestEmpty(t *testing.T) {
	c, err := NewBuilder("none").Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"10.0.0.1", "2001:db8::1", "::ffff:1.2.3.4"} {
		if _, _, ok := c.Lookup(netip.MustParseAddr(a), 128); ok {
			t.Errorf("%s matched an empty collection", a)
		}
	}
	if c.Len() != 0 || len(c.Locations()) != 0 {
		t.Errorf("Len %d, Locations %v", c.Len(), c.Locations())
	}
}

func TestLocationsIsACopy(t *testing.T) {
	c, _ := build([]entry{{mp("10.0.0.0/8"), "ten"}})
	c.Locations()[0] = "changed"
	if c.Locations()[0] != "ten" {
		t.Error("Locations exposes the collection's own slice")
	}
}

func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }

package geo

import (
	"net/netip"
	"testing"
)

// Locate places a client from its ECS option when it has one with a non-zero
// source prefix, else from the source address, and clips the scope to what the
// query disclosed.
func TestLocate(t *testing.T) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	us := netip.MustParseAddr("127.0.0.1") // 127.0.0.0/8: US in the demo table
	ecs := func(p string) *ECS {
		pf := netip.MustParsePrefix(p)
		fam := uint16(FamilyIPv4)
		if pf.Addr().Is6() {
			fam = FamilyIPv6
		}
		return &ECS{Family: fam, Source: pf.Bits(), Addr: pf.Addr()}
	}
	tests := []struct {
		name                string
		src                 netip.Addr
		ecs                 *ECS
		country             string
		scope, sourcePrefix int
		hasECS, fromECS     bool
	}{
		{"source address", us, nil, "US", 8, 32, false, false},
		{"ECS /24 inside a /24 network", us, ecs("192.0.2.0/24"), "DE", 24, 24, true, true},
		{"ECS /23: scope clipped to what the client disclosed", us, ecs("192.0.2.0/23"), "DE", 23, 23, true, true},
		{"ECS /0: do not use my address", us, &ECS{Family: FamilyIPv4}, "US", 0, 0, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Client
			if err := Locate(r, tc.src, tc.ecs, &c); err != nil {
				t.Fatal(err)
			}
			if c.Location.Country != tc.country || c.Scope != tc.scope || c.SourcePrefix != tc.sourcePrefix ||
				c.ECS != tc.hasECS || c.FromECS != tc.fromECS {
				t.Errorf("got country %q scope %d source %d ECS %v fromECS %v", c.Location.Country, c.Scope, c.SourcePrefix, c.ECS, c.FromECS)
			}
		})
	}
}

func TestContinentOf(t *testing.T) {
	for country, want := range map[string]string{"DE": "EU", "us": "NA", "JP": "AS", "BR": "SA", "AU": "OC", "ZA": "AF", "AQ": "AN", "ZZ": ""} {
		if got := ContinentOf(country); got != want {
			t.Errorf("ContinentOf(%q) = %q, want %q", country, got, want)
		}
	}
	if n := len(continentOf); n < 240 {
		t.Errorf("%d countries mapped; ISO 3166-1 has 249", n)
	}
}

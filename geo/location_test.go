package geo

import (
	"context"
	"math"
	"net/netip"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		km, tolerance          float64
	}{
		{"same point", 50.1109, 8.6821, 50.1109, 8.6821, 0, 1e-9},
		{"Frankfurt-London", 50.1109, 8.6821, 51.5074, -0.1278, 638, 5},
		{"Frankfurt-Tokyo", 50.1109, 8.6821, 35.6762, 139.6503, 9340, 30},
		{"Ashburn-San Jose", 39.0438, -77.4874, 37.3382, -121.8863, 3846, 10},
		{"antipodes", 0, 0, 0, 180, math.Pi * EarthRadiusKm, 1e-6},
		{"poles", 90, 0, -90, 0, math.Pi * EarthRadiusKm, 1e-6},
		{"dateline", 0, 179.5, 0, -179.5, 111.2, 0.5},
	}
	for _, tc := range tests {
		if got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2); math.Abs(got-tc.km) > tc.tolerance {
			t.Errorf("%s: %.3f km, want %.1f ± %.1f", tc.name, got, tc.km, tc.tolerance)
		}
		if a, b := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2), Distance(tc.lat2, tc.lon2, tc.lat1, tc.lon1); math.Abs(a-b) > 1e-9 {
			t.Errorf("%s: not symmetric: %v vs %v", tc.name, a, b)
		}
	}
}

func TestCanonicalAndSubnet(t *testing.T) {
	for in, want := range map[string]string{
		"::ffff:192.0.2.1": "192.0.2.1", "192.0.2.1": "192.0.2.1", "2001:db8::1": "2001:db8::1",
		"fe80::1%eth0": "fe80::1", "64:ff9b::c000:201": "64:ff9b::c000:201",
	} {
		if got := Canonical(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("Canonical(%s) = %s, want %s", in, got, want)
		}
	}
	clients := []struct {
		c    Client
		want string
	}{
		{Client{Addr: netip.MustParseAddr("192.0.2.1"), SourcePrefix: 32}, "192.0.2.1/32"},
		{Client{Addr: netip.MustParseAddr("192.0.2.0"), SourcePrefix: 24, ECS: true, FromECS: true,
			ECSFamily: 1, ECSAddr: netip.MustParseAddr("192.0.2.0")}, "192.0.2.0/24"},
		{Client{Addr: netip.MustParseAddr("192.0.2.0"), SourcePrefix: 120, ECS: true, FromECS: true,
			ECSFamily: 2, ECSAddr: netip.MustParseAddr("::ffff:192.0.2.0")}, "192.0.2.0/24"},
	}
	for _, tc := range clients {
		if got := tc.c.Subnet().String(); got != tc.want {
			t.Errorf("Subnet of %+v = %s, want %s", tc.c, got, tc.want)
		}
	}
	ctx := NewContext(context.Background(), &clients[0].c)
	if c, ok := FromContext(ctx); !ok || c != &clients[0].c {
		t.Error("FromContext did not return the stored client")
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext found a client in an empty context")
	}
}

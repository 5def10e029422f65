package geo

import (
	"net/netip"
	"testing"
)

var benchAddrs = []netip.Addr{
	netip.MustParseAddr("192.0.2.1"),
	netip.MustParseAddr("2001:db8:2::1"),
	netip.MustParseAddr("203.0.113.7"),
	netip.MustParseAddr("100.68.3.4"),
	netip.MustParseAddr("8.8.8.8"),
}

func BenchmarkLookup(b *testing.B) {
	for _, tc := range []struct {
		name  string
		paths []string
	}{
		{"city", []string{"testdata/demo-city.mmdb"}},
		{"city+asn", []string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r, err := NewReader(tc.paths)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				var loc Location
				_, _, _ = r.Lookup(benchAddrs[i%len(benchAddrs)], &loc)
				i++
			}
		})
	}
}

// BenchmarkLookupDecode measures a record-cache miss: tree search plus decoding
// every field Location needs.
func BenchmarkLookupDecode(b *testing.B) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range r.slots {
		s.db.Load().noCache = true
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var loc Location
		_, _, _ = r.Lookup(benchAddrs[i%len(benchAddrs)], &loc)
		i++
	}
}

func BenchmarkLookupParallel(b *testing.B) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			var loc Location
			_, _, _ = r.Lookup(benchAddrs[i%len(benchAddrs)], &loc)
			i++
		}
	})
}

func BenchmarkDistance(b *testing.B) {
	for b.Loop() {
		_ = Distance(50.1109, 8.6821, 35.6762, 139.6503)
	}
}

// TestLookupAllocs is the benchmark's promise as a test: no allocation per
// lookup once the string caches are warm.
func TestLookupAllocs(t *testing.T) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	var loc Location
	for range 3 { // warm the caches (strings are admitted on a second miss)
		for _, a := range benchAddrs {
			loc = Location{}
			_, _, _ = r.Lookup(a, &loc)
		}
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, a := range benchAddrs {
			loc = Location{}
			_, _, _ = r.Lookup(a, &loc)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per lookup round, want 0", allocs)
	}
}

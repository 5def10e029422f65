package policy

import (
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// BenchmarkLookup is the query path's part in the zone data: Snapshot.Zone and
// CompiledZone.Lookup in a zone of 100,000 names (one in ten two labels deep under
// an empty non-terminal, a wildcard, a delegation), for a name that exists, an
// empty non-terminal, a name the wildcard answers, one below the delegation and
// one that does not exist, each of 1,024 such names in turn. 0 allocs.
//
//	go test -run '^$' -bench 'BenchmarkLookup' -benchmem ./policy/
func BenchmarkLookup(b *testing.B) {
	z := &Zone{Origin: "scale.test.", TTL: 30}
	add := func(name string, t uint16, value string) {
		z.Records = append(z.Records, &RecordSet{Name: name, Type: t, TTL: 30, Root: leaf(value, "")})
	}
	for i := range 100_000 {
		name := fmt.Sprintf("r%d.scale.test.", i)
		if i%10 == 0 {
			name = fmt.Sprintf("x.g%d.scale.test.", i)
		}
		add(name, dns.TypeA, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	add("*.w.scale.test.", dns.TypeA, "192.0.2.1")
	add("sub.scale.test.", dns.TypeNS, "ns.example.org.")
	snap, err := Compile(&Data{Zones: []*Zone{z}}, func(string) (HealthSource, bool) { return nil, false }, time.Unix(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		qname func(k int) string // 1,024 names of the kind, so that no one hash slot decides
		kind  Kind
	}{
		{"found", func(k int) string { return fmt.Sprintf("r%d.scale.test.", k*10+1) }, Found},
		{"empty non-terminal", func(k int) string { return fmt.Sprintf("g%d.scale.test.", k*10) }, NoRecords},
		{"wildcard", func(k int) string { return fmt.Sprintf("a%d.b.w.scale.test.", k) }, Found},
		{"delegation", func(k int) string { return fmt.Sprintf("host%d.sub.scale.test.", k) }, Delegation},
		{"nxdomain", func(k int) string { return fmt.Sprintf("no%d.such.scale.test.", k) }, NXDomain},
	} {
		names := make([]string, 1024)
		for k := range names {
			names[k] = bc.qname(k)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := names[i&1023]
				i++
				if m := snap.Zone(q).Lookup(q, dns.TypeA); m.Kind != bc.kind {
					b.Fatalf("%s: kind %d, want %d", q, m.Kind, bc.kind)
				}
			}
		})
	}
}

package policy

import (
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// benchSets is the size of the zone the update benchmarks change: the API issue's
// 100,000 record sets.
const benchSets = 100_000

// BenchmarkUpdate is what applying an acknowledged change batch to the query path
// costs in a zone of benchSets record sets (the kinds BenchmarkLoad compiles, every
// value checked, nine sets aliasing r0): a one-set UPSERT of an existing set, of
// an alias target (its aliases compile again), a CREATE then DELETE of a new set at
// a new name (its empty non-terminal comes and goes); and Compile of the whole zone
// for comparison. Each update applies to the snapshot the previous one made.
//
// Measured (2 shared cores, load 2–10): an UPSERT 1.4–2.2 ms, 3.5 MB and 333
// allocs (572 for the alias target), CREATE or DELETE at a new name 1.6–3.1 ms;
// Compile of the zone 300–476 ms, 260 MB, 2.08M allocs. Nearly all of an update
// is copying the zone's names map (100k entries, 3.5 MB; maps.Clone alone
// 4 ms on a loaded run), so it grows with the zone: ~15–40 ms at 1M names.
//
//	go test -run '^$' -bench 'BenchmarkUpdate' -benchmem ./policy/
func BenchmarkUpdate(b *testing.B) {
	d, up := benchZone(benchSets)
	base, err := Compile(d, up, time.Unix(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1, 0)
	upsert := func(name string, i int) Update {
		return Update{Zones: []ZoneUpdate{{Origin: "scale.test.", Put: []*RecordSet{benchSet(name, dns.TypeA, i)}}}}
	}
	b.Run("upsert one set", func(b *testing.B) {
		cur, i := base, 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			if cur, err = cur.Update(upsert("r1000.scale.test.", 1000+i), up, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("upsert an alias target", func(b *testing.B) {
		cur, i := base, 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			if cur, err = cur.Update(upsert("r0.scale.test.", 1000+i), up, now); err != nil { // nine sets alias it
				b.Fatal(err)
			}
		}
	})
	b.Run("create and delete a set at a new name", func(b *testing.B) {
		cur := base
		add := Update{Zones: []ZoneUpdate{{Origin: "scale.test.", Put: []*RecordSet{benchSet("x.new.scale.test.", dns.TypeA, 3)}}}}
		del := Update{Zones: []ZoneUpdate{{Origin: "scale.test.", Remove: []SetKey{{"x.new.scale.test.", dns.TypeA}}}}}
		b.ReportAllocs()
		for b.Loop() {
			if cur, err = cur.Update(add, up, now); err != nil {
				b.Fatal(err)
			}
			if cur, err = cur.Update(del, up, now); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/update")
	})
	b.Run("Compile the whole zone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Compile(d, up, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchZone is one zone of n record sets r0 … r(n−1), A and AAAA in turn, of the
// kinds BenchmarkLoad parses, and a resolver that knows every check.
func benchZone(n int) (*Data, CheckResolver) {
	z := &Zone{Origin: "scale.test.", TTL: 30}
	for i := range n {
		t := dns.TypeA
		if i%2 == 1 {
			t = dns.TypeAAAA
		}
		z.Records = append(z.Records, benchSet(fmt.Sprintf("r%d.scale.test.", i), t, i))
	}
	healthy := &fakeCheck{}
	return &Data{Zones: []*Zone{z}}, func(string) (HealthSource, bool) { return healthy, true }
}

// benchSet is record set i: weighted, failover over weighted, multivalue or one
// value; r100, r200 … r900 alias r0.
func benchSet(name string, t uint16, i int) *RecordSet {
	v := func(j int) *Node {
		val := fmt.Sprintf("10.%d.%d.%d", 16+j, i>>8&255, i&255)
		if t == dns.TypeAAAA {
			val = fmt.Sprintf("2001:db8:%x:%x::%x", j, i>>16, i&0xffff)
		}
		return leaf(val, fmt.Sprintf("ep%d", (i+j)%100))
	}
	var root *Node
	switch {
	case i%100 == 0 && i > 0 && i < 1000:
		root = &Node{Rule: RuleAlias, Alias: "r0.scale.test."}
	case i%4 == 0:
		root = rule(RuleWeighted, weight(10, v(0)), weight(20, v(1)), weight(30, v(2)))
	case i%4 == 1:
		root = rule(RuleFailover, rule(RuleWeighted, weight(70, v(0)), weight(30, v(1))), v(2))
	case i%4 == 2:
		root = rule(RuleMultivalue, v(0), v(1), v(2))
		root.Max = 2
	default:
		root = v(0)
	}
	return &RecordSet{Name: name, Type: t, TTL: 30, Root: root}
}

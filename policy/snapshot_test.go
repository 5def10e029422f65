package policy

import (
	"testing"
	"time"
)

// Slots number every endpoint of every zone once: endpoint i of a set is Slot+i,
// the ranges of the sets are disjoint and cover 0 … Endpoints()-1.
func TestSlots(t *testing.T) {
	d, _, err := ParseFile("testdata/types.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _, err := ParseFile("testdata/steering.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d.Zones = append(d.Zones, more.Zones...)
	snap, err := Compile(d, func(string) (HealthSource, bool) { return &fakeCheck{}, true }, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Origins()) < 2 {
		t.Fatalf("want several zones, have %v", snap.Origins())
	}
	seen := make([]bool, snap.Endpoints())
	for _, o := range snap.Origins() {
		snap.Zone(o).EachSet(func(s *Set) {
			for i := range s.Tree.Endpoints {
				n := int(s.Slot) + i
				if n >= len(seen) || seen[n] {
					t.Fatalf("%s endpoint %d: slot %d out of range or taken", s.Label, i, n)
				}
				seen[n] = true
			}
		})
	}
	for n, ok := range seen {
		if !ok {
			t.Fatalf("slot %d of %d is no endpoint's", n, len(seen))
		}
	}
}

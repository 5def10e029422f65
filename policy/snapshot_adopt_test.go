package policy

import (
	"testing"

	"github.com/miekg/dns"
)

// Adopt serves a zone of another snapshot as it was compiled (same trees) beside
// the zones compiled anew, numbering its sets after theirs, and leaves the snapshot
// it came from as it was; an adopted zone updates like any other.
func TestAdopt(t *testing.T) {
	c := newChecks("a", "b")
	old, err := Compile(parsed(t, updateBase), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	oldSlots := map[string]int32{}
	old.Zone("example.net.").EachSet(func(s *Set) { oldSlots[s.Label] = s.Slot })
	fresh, err := Compile(parsed(t, "zones:\n  example.org:\n    records:\n      www:\n        A: {value: 198.51.100.2}\n"), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	oz := old.Zone("example.net.")
	got, err := fresh.Adopt(oz)
	if err != nil {
		t.Fatal(err)
	}
	checkSlots(t, got)
	nz := got.Zone("example.net.")
	if nz == oz || nz.Origin != "example.net." {
		t.Fatalf("adopted zone %p (%s), want a copy of %p", nz, nz.Origin, oz)
	}
	for _, k := range []SetKey{key("www.", dns.TypeA), key("lb.", dns.TypeA), key("front.", dns.TypeA), key("*.apps.", dns.TypeA), key("", dns.TypeSOA)} {
		o, n := oz.Set(k.Name, k.Type), nz.Set(k.Name, k.Type)
		if o == nil || n == nil || n == o || n.Tree != o.Tree {
			t.Errorf("%v: adopted set %p (tree shared: %v), old %p: want a copy sharing the tree", k, n, n != nil && o != nil && n.Tree == o.Tree, o)
		}
	}
	if w := got.Zone("www.example.org.").Set("www.example.org.", dns.TypeA); w.Tree.Endpoints[0].Value != "198.51.100.2" {
		t.Errorf("the fresh zone answers %s", w.Tree.Endpoints[0].Value)
	}
	n := 0
	oz.EachSet(func(s *Set) { n += len(s.Tree.Endpoints) })
	if want := fresh.Endpoints() + n; got.Endpoints() != want {
		t.Errorf("%d slots, want %d", got.Endpoints(), want)
	}
	if got.RecordSets() != fresh.RecordSets()+oz.RecordSets || len(got.Origins()) != 2 {
		t.Errorf("%d sets, origins %v", got.RecordSets(), got.Origins())
	}
	oz.EachSet(func(s *Set) {
		if oldSlots[s.Label] != s.Slot {
			t.Errorf("%s: the old snapshot's slot changed to %d", s.Label, s.Slot)
		}
	})
	if _, err := got.Adopt(oz); err == nil {
		t.Error("adopting a zone the snapshot serves: no error")
	}
	if same, err := fresh.Adopt(); err != nil || same != fresh {
		t.Errorf("adopting nothing: %p, %v", same, err)
	}

	// An update of the adopted zone recompiles the aliases of what it changes from
	// the record sets kept with it, and the old snapshot still answers as before.
	up, err := got.Update(inNet(nil, puts(t, "      lb:\n        A: {value: 192.0.2.50}\n")), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	checkSlots(t, up)
	for _, s := range []*Snapshot{up, old} {
		want := "192.0.2.50"
		if s == old {
			want = "192.0.2.10"
		}
		if v := s.Zone("example.net.").Set("chain.example.net.", dns.TypeA).Tree.Endpoints[0].Value; v != want {
			t.Errorf("chain answers %s, want %s", v, want)
		}
	}
}

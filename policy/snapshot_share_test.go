package policy

import (
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// An update shares everything it does not change with the snapshot before it, and
// numbers the endpoints of the sets it compiles after every slot of the old one.
func TestUpdateShares(t *testing.T) {
	c := newChecks("a", "b")
	old, err := Compile(parsed(t, updateBase), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	u := inNet([]SetKey{key("www.", dns.TypeTXT)}, puts(t, "      lb:\n        A: {value: 192.0.2.50}\n      new:\n        A: {values: [192.0.2.1, 192.0.2.2]}\n"))
	got, err := old.Update(u, c.resolve, epoch.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Zone("example.org.") != old.Zone("example.org.") {
		t.Error("the unchanged zone was copied")
	}
	oz, nz := old.Zone("example.net."), got.Zone("example.net.")
	for _, k := range []SetKey{key("www.", dns.TypeA), key("a.b.c.", dns.TypeA), key("sub.", dns.TypeNS), key("", dns.TypeSOA)} {
		if oz.Set(k.Name, k.Type) != nz.Set(k.Name, k.Type) {
			t.Errorf("%v was compiled again", k)
		}
	}
	for _, k := range []SetKey{key("lb.", dns.TypeA), key("front.", dns.TypeA), key("chain.", dns.TypeA), key("new.", dns.TypeA)} {
		s := nz.Set(k.Name, k.Type)
		if s == oz.Set(k.Name, k.Type) || int(s.Slot) < old.Endpoints() {
			t.Errorf("%v: not compiled again with a new slot (slot %d, old bound %d)", k, s.Slot, old.Endpoints())
		}
	}
	if nz.SOA != oz.SOA || nz.SOA.Serial != 5 {
		t.Errorf("the SOA with a written serial changed: %v", nz.SOA)
	}
	if got.RecordSets() != old.RecordSets() || got.Endpoints() != old.Endpoints()+1+1+1+2 {
		t.Errorf("%d sets, %d slots; want %d, %d", got.RecordSets(), got.Endpoints(), old.RecordSets(), old.Endpoints()+5)
	}
	checkSlots(t, got)
}

// A changed zone that leaves its serial 0 gets the update's time as serial, as a
// reload would give it; new settings take effect; other zones keep theirs.
func TestUpdateSerialAndSettings(t *testing.T) {
	c := newChecks("a", "b")
	old, err := Compile(parsed(t, updateBase), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	later := epoch.Add(time.Hour)
	got, err := old.Update(Update{Zones: []ZoneUpdate{{Origin: "example.org.", Remove: []SetKey{{"www.example.org.", dns.TypeA}}}}}, c.resolve, later)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Zone("example.org.").SOA.Serial; s != uint32(later.Unix()) {
		t.Errorf("serial %d, want %d", s, later.Unix())
	}
	if got.Zone("example.net.").SOA != old.Zone("example.net.").SOA {
		t.Error("the unchanged zone's SOA changed")
	}
	soa := &SOA{MName: "ns.example.org.", RName: "h.example.org.", Serial: 9, Minimum: 120}
	got, err = got.Update(Update{Zones: []ZoneUpdate{{Origin: "example.net.", Zone: &ZoneSettings{TTL: 900, SOA: soa}}}}, c.resolve, later)
	if err != nil {
		t.Fatal(err)
	}
	z := got.Zone("example.net.")
	if z.SOA.Serial != 9 || z.SOA.Hdr.Ttl != 900 || z.SOA.Minttl != 120 || z.SOA.Ns != "ns.example.org." {
		t.Errorf("SOA %v", z.SOA)
	}
	if m := z.Lookup("example.net.", dns.TypeSOA); m.Set.TTL != 900 || m.Set.Tree.Endpoints[0].RR != z.SOA {
		t.Errorf("the SOA record set does not answer the new SOA: %v", m.Set.Tree.Endpoints[0].RR)
	}
}

// The flags the plugin reads per zone follow the sets that raise them.
func TestUpdateFlags(t *testing.T) {
	c := newChecks("a", "b")
	snap, err := Compile(parsed(t, updateBase), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	geoSet := "      g:\n        A:\n          geolocation:\n            - {continent: EU, value: 192.0.2.1}\n            - {default: true, value: 192.0.2.2}\n"
	stickySet := "      s:\n        A:\n          weighted:\n            - {weight: 1, value: 192.0.2.1}\n          sticky: true\n"
	for i, step := range []struct {
		u           Update
		geo, client bool
	}{
		{inNet(nil, puts(t, geoSet)), true, false},
		{inNet(nil, puts(t, stickySet)), true, true},
		{inNet([]SetKey{key("g.", dns.TypeA)}, nil), false, true},
		{inNet(nil, puts(t, "      s:\n        A: {value: 192.0.2.3}\n")), false, false},
		{inNet(nil, puts(t, "      lb:\n        A: {alias: s}\n"+stickySet)), false, true}, // through an alias
	} {
		if snap, err = snap.Update(step.u, c.resolve, epoch); err != nil {
			t.Fatal(err)
		}
		z := snap.Zone("example.net.")
		if z.UsesGeo != step.geo || z.UsesClient != step.client {
			t.Errorf("step %d: geo %v client %v, want %v %v", i, z.UsesGeo, z.UsesClient, step.geo, step.client)
		}
	}
	if got := slices.Sorted(slices.Values(snap.Origins())); !slices.Equal(got, []string{"example.net.", "example.org."}) {
		t.Errorf("origins %v", got)
	}
}

// A snapshot keeps the record sets of aliases and their targets only: an alias of
// any other set needs Update.Source once, and the set is kept from then on.
func TestUpdateSource(t *testing.T) {
	c := newChecks("a", "b")
	d := parsed(t, updateBase)
	snap, err := Compile(d, c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	if z := snap.Zone("example.net."); len(z.srcs) != 3 {
		t.Errorf("keeps %d record sets, want lb, front and chain", len(z.srcs))
	}
	alias := inNet(nil, puts(t, "      www:\n        A: {alias: a.b.c}\n"))
	_, err = snap.Update(alias, c.resolve, epoch)
	want := "zones.example.net.: www.example.net. A: compiling it needs the record set a.b.c.example.net. A, which the snapshot does not keep and Update.Source did not give"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	m := modelOf(d)
	alias.Source = m.source
	if snap, err = snap.Update(alias, c.resolve, epoch); err != nil {
		t.Fatal(err)
	}
	// a.b.c changes: www compiles again from what the snapshot now keeps.
	if snap, err = snap.Update(inNet(nil, puts(t, "      a.b.c:\n        A: {value: 192.0.2.99}\n")), c.resolve, epoch); err != nil {
		t.Fatal(err)
	}
	if got := ask(t, snap, "www.example.net.", dns.TypeA); !slices.Equal(got, []string{"192.0.2.99"}) {
		t.Errorf("www answers %v, want the new a.b.c", got)
	}
}

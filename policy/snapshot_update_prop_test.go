package policy

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// TestUpdateMatchesCompile applies random batches to random zones one by one and
// checks after each that the snapshot Update built answers every question exactly
// as Compile of the same data does, that a batch Compile refuses is refused too
// (leaving the snapshot as it was), and that the previous snapshot did not change.
func TestUpdateMatchesCompile(t *testing.T) {
	steps := 40
	if testing.Short() {
		steps = 15
	}
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { updateSequence(t, seed, steps) })
	}
}

// FuzzUpdate is TestUpdateMatchesCompile from the fuzzer's seeds.
func FuzzUpdate(f *testing.F) {
	f.Add(uint64(100), uint8(10))
	f.Fuzz(func(t *testing.T, seed uint64, steps uint8) { updateSequence(t, seed, int(steps%40)) })
}

func updateSequence(t *testing.T, seed uint64, steps int) {
	c := newChecks("c0", "c1", "c2")
	g := &gen{r: rand.New(rand.NewPCG(seed, 7))}
	m := &model{zones: map[string]*modelZone{}}
	for _, o := range []string{"example.net.", "example.org."} {
		z := g.zone(o, 10+g.r.IntN(30), c.resolve)
		m.apply(Update{AddZones: []*Zone{z}})
	}
	cur, err := Compile(m.data(), c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	ref := cur
	for step := range steps {
		u := g.update(m, c.resolve)
		next := m.clone()
		valid := next.apply(u)
		if g.r.IntN(4) > 0 {
			u.Source = next.source // else an alias of a set no alias named before is refused
		}
		got, err := cur.Update(u, c.resolve, epoch)
		if err != nil && strings.Contains(err.Error(), "Update.Source did not give") && u.Source == nil {
			sameAnswers(t, fmt.Sprintf("step %d, refused (%v)", step, err), cur, ref, c)
			continue
		}
		want, werr := Compile(next.data(), c.resolve, epoch)
		switch {
		case !valid && err == nil:
			t.Fatalf("step %d: %+v: accepted, want an error", step, u)
		case valid && (err == nil) != (werr == nil):
			t.Fatalf("step %d: %s: Update error %v, Compile error %v", step, describe(u), err, werr)
		case err != nil:
			sameAnswers(t, fmt.Sprintf("step %d, refused (%v)", step, err), cur, ref, c)
			continue
		}
		sameAnswers(t, fmt.Sprintf("step %d: %s", step, describe(u)), got, want, c)
		sameAnswers(t, fmt.Sprintf("step %d, the snapshot before", step), cur, ref, c)
		checkSlots(t, got)
		cur, ref, m = got, want, next
	}
}

func describe(u Update) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "remove zones %v, add %d zones", u.RemoveZones, len(u.AddZones))
	for _, zu := range u.Zones {
		fmt.Fprintf(&sb, "; %s: remove %v, settings %v, put", zu.Origin, zu.Remove, zu.Zone != nil)
		for _, rs := range zu.Put {
			fmt.Fprintf(&sb, " %s/%s", rs.Name, dns.TypeToString[rs.Type])
		}
	}
	return sb.String()
}

var probeTypes = []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeMX, dns.TypeCNAME, dns.TypeNS, dns.TypeDS, dns.TypeSOA}

// sameAnswers checks that got is want in everything the query path can see:
// zones, names and wildcards, flags, counts, and for every name (with names
// below, beside and under wildcards) and type the lookup and its evaluated
// answers with every check up, one down and all down.
func sameAnswers(t *testing.T, what string, got, want *Snapshot, c checks) {
	t.Helper()
	if !slices.Equal(slices.Sorted(slices.Values(got.Origins())), slices.Sorted(slices.Values(want.Origins()))) {
		t.Fatalf("%s: zones %v, want %v", what, got.Origins(), want.Origins())
	}
	if got.RecordSets() != want.RecordSets() || liveEndpoints(got) != liveEndpoints(want) {
		t.Fatalf("%s: %d record sets, %d endpoints; want %d, %d", what, got.RecordSets(), liveEndpoints(got), want.RecordSets(), liveEndpoints(want))
	}
	var probes []string
	for _, o := range want.Origins() {
		gz, wz := got.Zone(o), want.Zone(o)
		if gz.UsesGeo != wz.UsesGeo || gz.UsesClient != wz.UsesClient || gz.cuts != wz.cuts || gz.SOA.String() != wz.SOA.String() {
			t.Fatalf("%s: zone %s: geo %v client %v cuts %v SOA %s; want %v %v %v %s", what, o,
				gz.UsesGeo, gz.UsesClient, gz.cuts, gz.SOA, wz.UsesGeo, wz.UsesClient, wz.cuts, wz.SOA)
		}
		for _, m := range [][2]map[string]*entry{{gz.names, wz.names}, {gz.wild, wz.wild}} {
			if !slices.Equal(slices.Sorted(maps.Keys(m[0])), slices.Sorted(maps.Keys(m[1]))) {
				t.Fatalf("%s: zone %s: names %v, want %v", what, o, slices.Sorted(maps.Keys(m[0])), slices.Sorted(maps.Keys(m[1])))
			}
			for n, e := range m[1] {
				if m[0][n].below != e.below {
					t.Fatalf("%s: %s has %d names below, want %d", what, n, m[0][n].below, e.below)
				}
			}
		}
		if a, b := aliasIndex(gz), aliasIndex(wz); a != b {
			t.Fatalf("%s: zone %s: alias index\n%s\nwant\n%s", what, o, a, b)
		}
		for k, rs := range wz.srcs {
			if gz.srcs[k] != rs && !reflect.DeepEqual(gz.srcs[k], rs) {
				t.Fatalf("%s: zone %s: the record set of %v is not kept (or another is)", what, o, k)
			}
		}
		for n := range wz.names {
			probes = append(probes, n, "zz."+n, "zz.zz."+n)
		}
		for p := range wz.wild {
			probes = append(probes, "*."+p, "zz.*."+p, "a."+p, "zz.a."+p)
		}
	}
	seen := map[[2]*Tree]bool{} // trees already compared
	for _, name := range probes {
		gz, wz := got.Zone(name), want.Zone(name)
		if gz == nil || wz == nil {
			if gz != wz {
				t.Fatalf("%s: %s: zone %v, want %v", what, name, gz, wz)
			}
			continue
		}
		for _, qt := range probeTypes {
			g, w := gz.Lookup(name, qt), wz.Lookup(name, qt)
			if g.Kind != w.Kind || g.Wildcard != w.Wildcard || g.Set != nil || w.Set != nil {
				sameMatch(t, fmt.Sprintf("%s: %s %s", what, name, dns.TypeToString[qt]), g, w, c, seen)
			}
		}
	}
}

func sameMatch(t *testing.T, q string, g, w Match, c checks, seen map[[2]*Tree]bool) {
	t.Helper()
	if g.Kind != w.Kind || g.Wildcard != w.Wildcard || (g.Set == nil) != (w.Set == nil) {
		t.Fatalf("%s: match %+v, want %+v", q, g, w)
	}
	if w.Set == nil {
		return
	}
	gs, ws := g.Set, w.Set
	if gs.Name != ws.Name || gs.Type != ws.Type || gs.TTL != ws.TTL || gs.Label != ws.Label {
		t.Fatalf("%s: set %s %d %d, want %s %d %d", q, gs.Label, gs.Type, gs.TTL, ws.Label, ws.Type, ws.TTL)
	}
	gt, wt := gs.Tree, ws.Tree
	if seen[[2]*Tree{gt, wt}] {
		return
	}
	seen[[2]*Tree{gt, wt}] = true
	if gt.MaxAnswers() != wt.MaxAnswers() || gt.UsesGeo() != wt.UsesGeo() || gt.UsesClient() != wt.UsesClient() || len(gt.Endpoints) != len(wt.Endpoints) {
		t.Fatalf("%s: tree differs: max %d geo %v client %v endpoints %d; want %d %v %v %d", q,
			gt.MaxAnswers(), gt.UsesGeo(), gt.UsesClient(), len(gt.Endpoints), wt.MaxAnswers(), wt.UsesGeo(), wt.UsesClient(), len(wt.Endpoints))
	}
	for i := range wt.Endpoints {
		ge, we := gt.Endpoints[i], wt.Endpoints[i]
		if ge.Value != we.Value || ge.Label != we.Label || ge.RR.String() != we.RR.String() {
			t.Fatalf("%s: endpoint %d: %s %q, want %s %q", q, i, ge.Label, ge.RR, we.Label, we.RR)
		}
	}
	names := slices.Sorted(maps.Keys(c))
	downs := [][]string{nil, names, names[:1], names[1:]} // none, all, the first, all but the first
	for _, down := range downs {
		c.down(down...)
		for i, loc := range []*Input{seeded(), from(frankfurt), from(ashburn)} {
			in2 := *loc
			in2.Rand = rand.New(rand.NewPCG(uint64(i), 2))
			loc.Rand = rand.New(rand.NewPCG(uint64(i), 2))
			loc.Client = netip.MustParsePrefix("198.51.100.0/24")
			in2.Client = loc.Client
			ga, gr := answer(gt, loc)
			wa, wr := answer(wt, &in2)
			if !slices.Equal(ga, wa) || gr != wr {
				t.Fatalf("%s, %v down, input %d: %v %+v, want %v %+v", q, down, i, ga, gr, wa, wr)
			}
		}
	}
	c.down()
}

// aliasIndex prints a zone's alias index in a fixed order.
func aliasIndex(z *CompiledZone) string {
	var lines []string
	for target, froms := range z.aliasedBy {
		fs := make([]string, 0, len(froms))
		for _, f := range froms {
			fs = append(fs, f.Name+"/"+dns.TypeToString[f.Type])
		}
		slices.Sort(fs)
		lines = append(lines, target.Name+"/"+dns.TypeToString[target.Type]+" ← "+strings.Join(fs, " "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// liveEndpoints counts the endpoints the trees hold (Endpoints bounds the slots,
// which an updated snapshot does not reuse).
func liveEndpoints(s *Snapshot) int {
	n := 0
	for _, o := range s.Origins() {
		s.Zone(o).EachSet(func(set *Set) { n += len(set.Tree.Endpoints) })
	}
	return n
}

// checkSlots checks that the sets' slot ranges are disjoint and below Endpoints.
func checkSlots(t *testing.T, s *Snapshot) {
	t.Helper()
	seen := make([]bool, s.Endpoints())
	for _, o := range s.Origins() {
		s.Zone(o).EachSet(func(set *Set) {
			for i := range set.Tree.Endpoints {
				n := int(set.Slot) + i
				if n >= len(seen) || seen[n] {
					t.Fatalf("%s endpoint %d: slot %d out of range (%d) or taken", set.Label, i, n, len(seen))
				}
				seen[n] = true
			}
		})
	}
}

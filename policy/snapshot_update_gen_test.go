package policy

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// model is the data a sequence of updates leads to, kept whole so that Compile
// can build from it what Snapshot.Update builds step by step.
type model struct {
	zones map[string]*modelZone
}

type modelZone struct {
	settings ZoneSettings
	sets     map[SetKey]*RecordSet
}

func (m *model) clone() *model {
	c := &model{zones: map[string]*modelZone{}}
	for o, z := range m.zones {
		c.zones[o] = &modelZone{settings: z.settings, sets: maps.Clone(z.sets)}
	}
	return c
}

// source is Update.Source answering from the model.
func (m *model) source(origin string, k SetKey) *RecordSet {
	if z := m.zones[origin]; z != nil {
		return z.sets[k]
	}
	return nil
}

// data is the model as Compile takes it, zones and records in a fixed order.
func (m *model) data() *Data {
	d := &Data{}
	for _, o := range slices.Sorted(maps.Keys(m.zones)) {
		mz := m.zones[o]
		z := &Zone{Origin: o, TTL: mz.settings.TTL, SOA: mz.settings.SOA}
		keys := slices.SortedFunc(maps.Keys(mz.sets), func(a, b SetKey) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return int(a.Type) - int(b.Type)
		})
		for _, k := range keys {
			z.Records = append(z.Records, mz.sets[k])
		}
		d.Zones = append(d.Zones, z)
	}
	return d
}

// apply changes the model as u changes a snapshot. It reports false for an update
// that Update refuses whatever the record sets hold and Compile cannot be given:
// removing what is not there, a set put twice, a name outside its zone.
func (m *model) apply(u Update) bool {
	for _, o := range u.RemoveZones {
		if m.zones[o] == nil {
			return false
		}
		delete(m.zones, o)
	}
	for _, z := range u.AddZones {
		if m.zones[z.Origin] != nil {
			return false
		}
		mz := &modelZone{settings: ZoneSettings{TTL: z.TTL, SOA: z.SOA}, sets: map[SetKey]*RecordSet{}}
		for _, rs := range z.Records {
			mz.sets[SetKey{rs.Name, rs.Type}] = rs
		}
		m.zones[z.Origin] = mz
	}
	for _, zu := range u.Zones {
		mz := m.zones[zu.Origin]
		if mz == nil {
			return false
		}
		for _, k := range zu.Remove {
			if mz.sets[k] == nil {
				return false
			}
			delete(mz.sets, k)
		}
		put := map[SetKey]bool{}
		for _, rs := range zu.Put {
			k := SetKey{rs.Name, rs.Type}
			if put[k] || !dns.IsSubDomain(zu.Origin, strings.TrimPrefix(rs.Name, "*.")) {
				return false
			}
			put[k] = true
			mz.sets[k] = rs
		}
		if zu.Zone != nil {
			mz.settings = *zu.Zone
		}
	}
	return true
}

// gen draws random zones, record sets and updates over a small name space, so that
// names collide, empty non-terminals come and go, wildcards and delegations
// appear, CNAMEs meet other types and aliases find, lose and loop on their targets.
type gen struct {
	r *rand.Rand
	n int // values drawn so far, to make each one distinct
}

var genTypes = []uint16{dns.TypeA, dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeMX, dns.TypeCNAME, dns.TypeNS}

func (g *gen) name(origin string) string {
	labels := []string{"a", "b", "c"}
	var sb strings.Builder
	depth := 1 + g.r.IntN(3)
	for i := range depth {
		switch {
		case i == 0 && g.r.IntN(6) == 0:
			sb.WriteString("*.")
		case i == 1 && g.r.IntN(12) == 0:
			sb.WriteString("*.") // a "*" label below another: an ordinary name
		default:
			sb.WriteString(labels[g.r.IntN(len(labels))] + ".")
		}
	}
	return sb.String() + origin
}

func (g *gen) value(t uint16) string {
	g.n++
	switch t {
	case dns.TypeA:
		return fmt.Sprintf("192.0.%d.%d", g.n/250%250, g.n%250)
	case dns.TypeAAAA:
		return fmt.Sprintf("2001:db8::%x", g.n)
	case dns.TypeTXT:
		return fmt.Sprintf("\"t%d\"", g.n)
	case dns.TypeMX:
		return fmt.Sprintf("%d mx%d.example.org.", g.n%50, g.n)
	case dns.TypeCNAME:
		return fmt.Sprintf("t%d.example.org.", g.n)
	default:
		return fmt.Sprintf("ns%d.example.org.", g.n)
	}
}

// node draws a tree; alias nodes name a set of type t of mz (or, now and then, a
// name that has none).
func (g *gen) node(t uint16, origin string, mz *modelZone, depth int) *Node {
	k := g.r.IntN(10)
	if depth >= 2 || k < 3 {
		n := leaf(g.value(t), "")
		if g.r.IntN(2) == 0 {
			n.Check = fmt.Sprintf("c%d", g.r.IntN(3))
		}
		return n
	}
	if k == 3 {
		var targets []string
		for key := range mz.sets {
			if key.Type == t {
				targets = append(targets, key.Name)
			}
		}
		slices.Sort(targets)
		target := g.name(origin)
		if len(targets) > 0 && g.r.IntN(5) > 0 {
			target = targets[g.r.IntN(len(targets))]
		}
		return &Node{Rule: RuleAlias, Alias: target, EvaluateTargetHealth: g.r.IntN(2) == 0}
	}
	kids := make([]*Node, 1+g.r.IntN(3))
	for i := range kids {
		kids[i] = g.node(t, origin, mz, depth+1)
	}
	n := rule([]Rule{RuleSimple, RuleWeighted, RuleFailover, RuleGeolocation, RuleMultivalue, RuleWeighted}[k-4], kids...)
	switch n.Rule {
	case RuleWeighted:
		for _, c := range kids {
			c.Weight = g.r.IntN(4) * 10
		}
		if k == 9 {
			n.Sticky, n.StickyBits4, n.StickyBits6 = true, DefaultStickyBits4, DefaultStickyBits6
		}
	case RuleGeolocation:
		places := []GeoMatch{{Continent: "EU"}, {Country: "DE"}, {Continent: "NA"}}
		for i, c := range kids {
			c.Geo = places[i%len(places)]
		}
		kids[len(kids)-1].Geo = GeoMatch{Default: true}
	case RuleMultivalue:
		n.Max = 1 + g.r.IntN(2)
	}
	if g.r.IntN(8) == 0 {
		n.AllDown = AllDownNoData
	}
	return n
}

func (g *gen) set(name string, t uint16, origin string, mz *modelZone) *RecordSet {
	return &RecordSet{Pos: Pos{File: "gen", Line: g.r.IntN(1000)}, Name: name, Type: t, TTL: uint32(30 * (1 + g.r.IntN(3))),
		Root: g.node(t, origin, mz, 0)}
}

// zone draws a zone of n record sets that compiles: a set that Compile refuses
// is left out.
func (g *gen) zone(origin string, n int, resolve CheckResolver) *Zone {
	mz := &modelZone{sets: map[SetKey]*RecordSet{}}
	for range n {
		t := genTypes[g.r.IntN(len(genTypes))]
		rs := g.set(g.name(origin), t, origin, mz)
		k := SetKey{rs.Name, rs.Type}
		if mz.sets[k] != nil {
			continue // replacing could leave an alias of it without its target
		}
		mz.sets[k] = rs
		z := (&model{zones: map[string]*modelZone{origin: mz}}).data().Zones[0]
		if _, err := compileZone(z, resolve, epoch); err != nil {
			delete(mz.sets, k)
		}
	}
	z := (&model{zones: map[string]*modelZone{origin: mz}}).data().Zones[0]
	z.TTL = 300
	return z
}

// update draws one batch against m: one to three changes of one zone, now and
// then with a zone added or removed or the zone's settings changed.
func (g *gen) update(m *model, resolve CheckResolver) Update {
	var u Update
	const extra = "x.example.net."
	switch g.r.IntN(14) {
	case 0:
		if m.zones[extra] != nil {
			u.RemoveZones = []string{extra}
		} else {
			u.AddZones = []*Zone{g.zone(extra, 1+g.r.IntN(8), resolve)}
		}
		return u
	case 1:
		soa := &SOA{MName: "ns.example.org.", RName: "h.example.org.", Serial: uint32(g.r.IntN(3)), Minimum: 60}
		return Update{Zones: []ZoneUpdate{{Origin: "example.net.", Zone: &ZoneSettings{TTL: uint32(60 * g.r.IntN(3)), SOA: soa}}}}
	}
	origins := slices.Sorted(maps.Keys(m.zones))
	origin := origins[g.r.IntN(len(origins))]
	mz := m.zones[origin]
	zu := ZoneUpdate{Origin: origin}
	keys := slices.SortedFunc(maps.Keys(mz.sets), func(a, b SetKey) int {
		return strings.Compare(a.Name+dns.TypeToString[a.Type], b.Name+dns.TypeToString[b.Type])
	})
	put := map[SetKey]bool{}
	for range 1 + g.r.IntN(3) {
		k := g.r.IntN(10)
		switch {
		case k < 3 && len(keys) > 0: // remove
			key := keys[g.r.IntN(len(keys))]
			if !slices.Contains(zu.Remove, key) {
				zu.Remove = append(zu.Remove, key)
			}
		case k < 6 && len(keys) > 0: // replace, or remove and put again
			key := keys[g.r.IntN(len(keys))]
			if !put[key] {
				put[key] = true
				zu.Put = append(zu.Put, g.set(key.Name, key.Type, origin, mz))
				if k == 5 && !slices.Contains(zu.Remove, key) {
					zu.Remove = append(zu.Remove, key)
				}
			}
		case k == 6 && g.r.IntN(4) == 0: // remove what is not there
			zu.Remove = append(zu.Remove, SetKey{"nowhere." + origin, dns.TypeA})
		default: // a new set, or the replacement of one that happens to exist
			key := SetKey{g.name(origin), genTypes[g.r.IntN(len(genTypes))]}
			if !put[key] {
				put[key] = true
				zu.Put = append(zu.Put, g.set(key.Name, key.Type, origin, mz))
			}
		}
	}
	u.Zones = []ZoneUpdate{zu}
	return u
}

package policy

import (
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Set is a compiled record set.
type Set struct {
	Name string // owner, lower-case FQDN; "*.x." for a wildcard
	Type uint16
	TTL  uint32
	// Slot numbers the tree's endpoints among all of the snapshot's: endpoint i is
	// Slot+i, below Snapshot.Endpoints. Per-endpoint state kept beside a snapshot
	// (the plugin's answer counters) is a slice indexed by it, not a map of sets.
	Slot  int32
	Tree  *Tree
	Label string // "www.example.net./A", for metrics
}

// CompiledZone is one zone ready to serve: names in maps keyed by lower-case FQDN.
type CompiledZone struct {
	Origin     string
	SOA        *dns.SOA
	UsesGeo    bool // some answer in the zone depends on the client's location
	UsesClient bool // some answer in the zone depends on the client subnet (sticky, ip)
	RecordSets int  // record sets of the zone's data (Snapshot.RecordSets counts all zones)
	// Placeholder: a zone the server must serve that the data lacks (EmptyZones);
	// it answers as an empty zone (SOA, NXDOMAIN, NODATA) where nothing else would.
	Placeholder bool

	names map[string]*entry // owners and empty non-terminals
	wild  map[string]*entry // wildcard "*.p." keyed by p
	cuts  bool              // NS sets below the apex: delegations exist

	// What Snapshot.Update keeps in step instead of walking the zone: the flags
	// above as counts of the sets that raise them, the zone's settings, which sets
	// alias which (an alias inlines its target, so a changed target recompiles its
	// aliases) and the record sets as written of the sets with alias nodes and of
	// their targets (what compiling an alias again reads). Other record sets are
	// not kept: their Node trees would grow the live heap by ~70 % (100k sets).
	conf      zoneConf
	nsets     int                 // record sets, the SOA not counted
	nGeo      int                 // sets whose tree uses geo
	nClient   int                 // sets whose tree uses the client subnet
	nCuts     int                 // NS sets below the apex
	aliasedBy map[SetKey][]SetKey // target → the sets with an alias node naming it
	srcs      map[SetKey]*RecordSet
}

// zoneConf is what a zone's SOA is built from.
type zoneConf struct {
	ttl uint32
	soa *SOA // nil: defaults
}

// SetKey names a record set of a zone: its owner (lower-case FQDN, "*.p." for a
// wildcard) and type.
type SetKey struct {
	Name string
	Type uint16
}

// entry is the record sets at one owner name; an empty non-terminal has none.
type entry struct {
	sets []*Set
	// below counts the names directly below this one (and its wildcard, if any):
	// a name with no sets and nothing below is no longer a name of the zone.
	below int32
}

func (e *entry) set(t uint16) *Set {
	for _, s := range e.sets {
		if s.Type == t {
			return s
		}
	}
	return nil
}

// Kind is how a zone answers a name and type.
type Kind uint8

const (
	Found      Kind = iota // Match.Set answers the question
	CNAME                  // the owner holds a CNAME: Match.Set
	NoRecords              // the name exists (or is an empty non-terminal) without that type
	NXDomain               // no such name
	Delegation             // the name is at or under a zone cut: Match.Set is its NS set
)

// Match is the result of looking a question up in a zone.
type Match struct {
	Kind     Kind
	Set      *Set
	Wildcard bool // Set is a wildcard's: answers are renamed to the query name
}

// Lookup finds how the zone answers qname (lower-case FQDN inside the zone) and qtype,
// following RFC 1034 §4.3.2 and RFC 4592 for wildcards. It allocates nothing.
func (z *CompiledZone) Lookup(qname string, qtype uint16) Match {
	if z.cuts {
		if cut := z.cut(qname, qtype); cut != nil {
			return Match{Kind: Delegation, Set: cut}
		}
	}
	if e, ok := z.names[qname]; ok {
		return e.match(qtype, false)
	}
	// Closest encloser: the nearest existing ancestor; its wildcard answers. A
	// wildcard owner is an existing name too (RFC 4592 §2.2.1: "ghost.*.example." is
	// not matched by "*.example.").
	for name := parent(qname); ; name = parent(name) {
		if z.exists(name) {
			if w, ok := z.wild[name]; ok {
				return w.match(qtype, true)
			}
			return Match{Kind: NXDomain}
		}
		if name == z.Origin || name == "." {
			return Match{Kind: NXDomain}
		}
	}
}

// exists reports whether name is an owner, an empty non-terminal or a wildcard owner.
func (z *CompiledZone) exists(name string) bool {
	if _, ok := z.names[name]; ok {
		return true
	}
	if len(name) > 2 && name[0] == '*' && name[1] == '.' {
		_, ok := z.wild[name[2:]]
		return ok
	}
	return false
}

func (e *entry) match(qtype uint16, wildcard bool) Match {
	if s := e.set(qtype); s != nil {
		return Match{Kind: Found, Set: s, Wildcard: wildcard}
	}
	if s := e.set(dns.TypeCNAME); s != nil {
		return Match{Kind: CNAME, Set: s, Wildcard: wildcard}
	}
	return Match{Kind: NoRecords, Wildcard: wildcard}
}

// cut returns the NS set of the highest zone cut at or above qname, below the apex.
// A DS query at the cut itself is answered by the parent side (this zone).
func (z *CompiledZone) cut(qname string, qtype uint16) *Set {
	var found *Set
	for name := qname; name != z.Origin && name != "."; name = parent(name) {
		e, ok := z.names[name]
		if !ok {
			continue
		}
		if ns := e.set(dns.TypeNS); ns != nil && !(name == qname && qtype == dns.TypeDS) {
			found = ns
		}
	}
	return found
}

// Set returns the record set at name with type t, or nil. A wildcard's owner is
// "*.p." (RecordSet.Name), the key an Update removes it by.
func (z *CompiledZone) Set(name string, t uint16) *Set {
	if e, ok := z.names[name]; ok {
		return e.set(t)
	}
	if p, ok := strings.CutPrefix(name, "*."); ok {
		if e, ok := z.wild[p]; ok {
			return e.set(t)
		}
	}
	return nil
}

// parent strips the leftmost label: "a.b.c." → "b.c.", "c." → ".".
func parent(name string) string {
	if i, end := dns.NextLabel(name, 0); !end {
		return name[i:]
	}
	return "."
}

// EachSet calls fn for every record set of the zone, wildcards included.
func (z *CompiledZone) EachSet(fn func(*Set)) {
	for _, e := range z.names {
		for _, s := range e.sets {
			fn(s)
		}
	}
	for _, e := range z.wild {
		for _, s := range e.sets {
			fn(s)
		}
	}
}

// Sets lists the zone's record sets, owners in canonical order, then by type.
func (z *CompiledZone) Sets() []*Set {
	var sets []*Set
	for _, m := range []map[string]*entry{z.names, z.wild} {
		for _, e := range m {
			sets = append(sets, e.sets...)
		}
	}
	slices.SortFunc(sets, func(a, b *Set) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.Type) - int(b.Type)
	})
	return sets
}

// Decides reports whether the tree chooses among answers (more than a single leaf).
func (t *Tree) Decides() bool { return len(t.nodes) > 1 }

// GeoMatches lists what the tree's geolocation children match: the places a
// simulation should ask from.
func (t *Tree) GeoMatches() []GeoMatch {
	var m []GeoMatch
	for i := range t.nodes {
		if g := t.nodes[i].geo; g != (GeoMatch{}) && !g.Default {
			m = append(m, g)
		}
	}
	return m
}

// Keys lists what Input.Down can name in the snapshot's trees: health check names,
// node labels and leaf values, so that explain and simulate can refuse a name that
// matches nothing (a typo would otherwise report that nothing moves).
func (s *Snapshot) Keys() map[string]bool {
	keys := map[string]bool{}
	for _, z := range s.zones {
		for _, set := range z.Sets() {
			t := set.Tree
			for i := range t.nodes {
				nd := &t.nodes[i]
				keys[nd.label] = true
				if nd.check != "" {
					keys[nd.check] = true
				}
				if nd.rule == RuleLeaf {
					keys[t.Endpoints[nd.endpoint].Value] = true
				}
			}
		}
	}
	return keys
}

package policy

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/miekg/dns"
)

// Snapshot is every zone of one configuration, compiled and immutable. A reload
// builds a new one and swaps it in whole.
type Snapshot struct {
	zones     map[string]*CompiledZone
	origins   []string // longest first
	sets      int
	endpoints int // of every set's tree, numbered by Set.Slot
}

// Compile validates d against the health checks resolve knows and builds a
// Snapshot. now sets the SOA serial of zones that leave it 0. The snapshot keeps
// the record sets of d that have alias nodes or are their targets (Snapshot.Update
// compiles aliases again from them): they must not change afterwards.
func Compile(d *Data, resolve CheckResolver, now time.Time) (*Snapshot, error) {
	s := &Snapshot{zones: make(map[string]*CompiledZone, len(d.Zones))}
	first := make(map[string]Pos, len(d.Zones))
	for _, z := range d.Zones {
		if at, dup := first[z.Origin]; dup {
			return nil, posErr(z.Pos, "zones."+trimDot(z.Origin), "zone %s defined twice (first at %s:%d)", z.Origin, at.File, at.Line)
		}
		first[z.Origin] = z.Pos
		cz, err := compileZone(z, resolve, now)
		if err != nil {
			return nil, err
		}
		cz.EachSet(func(set *Set) {
			set.Slot = int32(s.endpoints)
			s.endpoints += len(set.Tree.Endpoints)
		})
		if s.endpoints > math.MaxInt32 {
			return nil, fmt.Errorf("more than %d endpoints", math.MaxInt32)
		}
		s.zones[z.Origin] = cz
		s.origins = append(s.origins, z.Origin)
		cz.RecordSets = len(z.Records)
		s.sets += len(z.Records)
	}
	sort.Slice(s.origins, func(i, j int) bool { return dns.CountLabel(s.origins[i]) > dns.CountLabel(s.origins[j]) })
	return s, nil
}

// Zone returns the most specific zone holding qname (lower-case FQDN), or nil.
func (s *Snapshot) Zone(qname string) *CompiledZone {
	for name := qname; ; name = parent(name) {
		if z, ok := s.zones[name]; ok {
			return z
		}
		if name == "." {
			return nil
		}
	}
}

// Origins lists the zones, most specific first.
func (s *Snapshot) Origins() []string { return s.origins }

// RecordSets is how many record sets the snapshot holds.
func (s *Snapshot) RecordSets() int { return s.sets }

// Endpoints is how many endpoints the trees of all record sets hold: the bound of
// Set.Slot.
func (s *Snapshot) Endpoints() int { return s.endpoints }

func compileZone(z *Zone, resolve CheckResolver, now time.Time) (*CompiledZone, error) {
	cz := &CompiledZone{Origin: z.Origin, Placeholder: z.Placeholder, names: map[string]*entry{}, wild: map[string]*entry{},
		conf: zoneConf{ttl: z.TTL, soa: z.SOA}, nsets: len(z.Records)}
	cz.SOA = buildSOA(z, now)
	cz.names[z.Origin] = &entry{sets: []*Set{soaSet(cz.SOA)}}

	sets := make(map[SetKey]*RecordSet, len(z.Records))
	for _, rs := range z.Records {
		sets[SetKey{rs.Name, rs.Type}] = rs
	}
	lookup := func(name string, t uint16) *RecordSet { return sets[SetKey{name, t}] }
	for _, rs := range z.Records {
		if rs.Type == dns.TypeSOA {
			return nil, soaAsRecordSet(z.Origin, rs)
		}
		set, err := compileSet(z.Origin, rs, resolve, lookup)
		if err != nil {
			return nil, err
		}
		e := cz.entryFor(rs.Name)
		if e.set(rs.Type) != nil {
			return nil, posErr(rs.Pos, FieldPath(z.Origin, rs.Name, rs.Type), "%s %s defined twice", rs.Name, dns.TypeToString[rs.Type])
		}
		if err := cnameConflict(e, rs, z.Origin); err != nil {
			return nil, err
		}
		e.sets = append(e.sets, set)
		cz.count(set, 1)
		cz.keepAliases(rs, lookup)
	}
	return cz, nil
}

// keepAliases records which sets the alias nodes of rs name, and keeps rs and
// their record sets for Snapshot.Update.
func (z *CompiledZone) keepAliases(rs *RecordSet, lookup setLookup) {
	targets := aliasTargets(rs.Root, nil)
	if len(targets) == 0 {
		return
	}
	if z.aliasedBy == nil {
		z.aliasedBy, z.srcs = map[SetKey][]SetKey{}, map[SetKey]*RecordSet{}
	}
	from := SetKey{rs.Name, rs.Type}
	z.srcs[from] = rs
	for _, target := range targets {
		k := SetKey{target, rs.Type}
		z.aliasedBy[k] = append(z.aliasedBy[k], from)
		if t := lookup(target, rs.Type); t != nil {
			z.srcs[k] = t
		}
	}
}

// compileSet compiles one record set of a zone; lookup finds its alias targets.
func compileSet(origin string, rs *RecordSet, resolve CheckResolver, lookup setLookup) (*Set, error) {
	tree, err := compileTreeIn(origin, rs, rs.TTL, resolve, lookup)
	if err != nil {
		return nil, err
	}
	return &Set{Name: rs.Name, Type: rs.Type, TTL: rs.TTL, Tree: tree, Label: rs.Name + "/" + dns.TypeToString[rs.Type]}, nil
}

// count adds (n = 1) or takes away (n = −1) what set contributes to the zone's flags.
func (z *CompiledZone) count(set *Set, n int) {
	if set.Tree.usesGeo {
		z.nGeo += n
	}
	if set.Tree.usesClient {
		z.nClient += n
	}
	if set.Type == dns.TypeNS && set.Name != z.Origin {
		z.nCuts += n
	}
	z.UsesGeo, z.UsesClient, z.cuts = z.nGeo > 0, z.nClient > 0, z.nCuts > 0
}

// soaSet is the zone's SOA as a record set of the apex.
func soaSet(soa *dns.SOA) *Set {
	return &Set{Name: soa.Hdr.Name, Type: dns.TypeSOA, TTL: soa.Hdr.Ttl, Label: soa.Hdr.Name + "/SOA", Tree: staticTree(soa)}
}

func soaAsRecordSet(origin string, rs *RecordSet) error {
	return posErr(rs.Pos, FieldPath(origin, rs.Name, rs.Type), "SOA is set with the zone's soa: key, not as a record set")
}

// cnameConflict enforces RFC 1034 §3.6.2 for data from any source (files and the
// Corefile's compact records): a CNAME owner holds nothing else, and not the apex.
func cnameConflict(e *entry, rs *RecordSet, origin string) error {
	switch {
	case rs.Type == dns.TypeCNAME && rs.Name == origin:
		return posErr(rs.Pos, FieldPath(origin, rs.Name, rs.Type), "no CNAME at the zone apex")
	case rs.Type == dns.TypeCNAME && len(e.sets) > 0,
		rs.Type != dns.TypeCNAME && e.set(dns.TypeCNAME) != nil:
		return posErr(rs.Pos, FieldPath(origin, rs.Name, rs.Type), "a CNAME owner holds no other record set (%s)", rs.Name)
	}
	return nil
}

// entryFor returns the entry of an owner, creating it and its empty non-terminal
// ancestors up to the origin. A wildcard owner "*.p." goes to wild[p]; its parent
// exists as a name (RFC 4592 §2.2.2: the wildcard's parent is not an ENT to hide).
func (z *CompiledZone) entryFor(owner string) *entry {
	if isWild(owner) {
		p := owner[2:]
		pe := z.ensure(p)
		if e, ok := z.wild[p]; ok {
			return e
		}
		e := &entry{}
		z.wild[p] = e
		pe.below++
		return e
	}
	return z.ensure(owner)
}

func (z *CompiledZone) ensure(name string) *entry {
	e, ok := z.names[name]
	if ok {
		return e
	}
	e = &entry{}
	z.names[name] = e
	for n := name; n != z.Origin && n != "."; {
		p := parent(n)
		pe, ok := z.names[p]
		if !ok {
			pe = &entry{}
			z.names[p] = pe
		}
		pe.below++
		if ok {
			break
		}
		n = p
	}
	return e
}

// isWild reports whether owner is a wildcard's, "*.p.".
func isWild(owner string) bool { return len(owner) > 2 && owner[0] == '*' && owner[1] == '.' }

// buildSOA makes the zone's SOA record. The parser fills in the defaults of a
// written soa: field by field, so its values are used as they are (0 means 0); a zone
// without one (the Corefile's compact records) gets the defaults. Serial 0 is the
// load time.
func buildSOA(z *Zone, now time.Time) *dns.SOA {
	s := SOA{MName: "ns1." + z.Origin, RName: "hostmaster." + z.Origin, Refresh: 7200, Retry: 3600,
		Expire: 1209600, Minimum: DefaultNegativeTTL}
	if z.SOA != nil {
		s = *z.SOA
	}
	if s.Serial == 0 {
		s.Serial = uint32(now.Unix())
	}
	return &dns.SOA{Hdr: dns.RR_Header{Name: z.Origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: z.TTL},
		Ns: lowerFQDN(s.MName), Mbox: lowerFQDN(s.RName), Serial: s.Serial, Refresh: s.Refresh,
		Retry: s.Retry, Expire: s.Expire, Minttl: s.Minimum}
}

// staticTree is a one-leaf tree answering rr.
func staticTree(rr dns.RR) *Tree {
	return &Tree{nodes: []cnode{{rule: RuleLeaf, endpoint: 0, label: rr.Header().Name + strconv.Itoa(int(rr.Header().Rrtype))}},
		Endpoints: []Endpoint{{RR: rr, Value: rr.String(), Label: "static"}}, maxOut: 1}
}

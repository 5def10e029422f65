package policy

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// answerer builds one response.
type answerer struct {
	ld     *loaded
	z      *policy.CompiledZone
	client *geo.Client
	m      *dns.Msg
	subnet netip.Prefix // the client subnet: geo's, else the source address
	geo    bool         // some decision looked at the client's location: ECS scope applies
	bits   int          // most bits of subnet a decision hashed (sticky)

	// Explain only: traces of the record sets evaluated, checks forced down. An
	// explained answer counts in no metric.
	traces *[]SetTrace
	down   policy.Down
}

// answer fills a.m for qname/qtype and returns how the zone matched the (last) name.
func (a *answerer) answer(qname string, qtype uint16) policy.Kind {
	var chased [maxChase]string // CNAME owners answered so far: a loop stops at a repeat
	name := qname
	for i := range maxChase {
		mt := a.z.Lookup(name, qtype)
		if qtype == dns.TypeANY && (mt.Kind == policy.Found || mt.Kind == policy.CNAME || mt.Kind == policy.NoRecords) {
			// RFC 8482 §4.2: a synthesized HINFO instead of every record set.
			a.m.Answer = append(a.m.Answer, &dns.HINFO{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeHINFO,
				Class: dns.ClassINET, Ttl: 8482}, Cpu: "RFC8482"})
			return policy.Found
		}
		switch mt.Kind {
		case policy.Found:
			a.evaluate(mt, name, &a.m.Answer)
			return mt.Kind
		case policy.CNAME:
			chased[i] = name
			target := strings.ToLower(a.evaluate(mt, name, &a.m.Answer))
			// Follow only inside this zone; a resolver follows the rest (as the file
			// plugin does), including into another zone of ours or a child zone.
			if target == "" || a.ld.snap.Zone(target) != a.z || slices.Contains(chased[:i+1], target) {
				return mt.Kind
			}
			name = target
		case policy.Delegation:
			a.referral(mt.Set)
			return mt.Kind
		case policy.NXDomain:
			a.m.Rcode = dns.RcodeNameError // for a chased CNAME target too (RFC 6604 §3)
			a.soa()
			return mt.Kind
		default:
			a.soa()
			return mt.Kind
		}
	}
	return policy.CNAME // chain longer than maxChase: answer what we have
}

// evaluate runs a set's tree and appends its records to section, renamed to owner
// for wildcards; it returns the CNAME target when the set is a CNAME.
func (a *answerer) evaluate(mt policy.Match, owner string, section *[]dns.RR) string {
	set := mt.Set
	var buf [16]int32
	out := buf[:]
	if n := set.Tree.MaxAnswers(); n > len(buf) {
		out = make([]int32, n)
	}
	in := policy.Input{Client: a.subnet, Down: a.down}
	if a.client != nil {
		in.Loc = &a.client.Location
	}
	if a.traces != nil {
		in.Trace = &policy.Trace{}
		*a.traces = append(*a.traces, SetTrace{Set: set.Label, Trace: in.Trace})
	}
	res := set.Tree.Evaluate(&in, out)
	a.geo = a.geo || res.Geo
	a.bits = max(a.bits, res.ClientBits)
	counting := a.traces == nil
	if res.FailOpen && counting {
		a.ld.events[a.z].failOpen.Inc()
	}
	switch res.Outcome {
	case policy.NoData:
		a.soa()
		return ""
	case policy.Rcode:
		if counting {
			a.ld.events[a.z].failClosed.Inc()
		}
		a.m.Rcode = res.Rcode
		if res.Rcode == dns.RcodeNameError {
			a.soa()
		}
		return ""
	}
	target := ""
	for _, i := range out[:res.N] {
		rr := set.Tree.Endpoints[i].RR
		if mt.Wildcard {
			rr = dns.Copy(rr)
			rr.Header().Name = owner
		}
		if c, ok := rr.(*dns.CNAME); ok {
			target = c.Target
		}
		*section = append(*section, rr)
		if counting {
			a.count(set, i)
		}
	}
	return target
}

// count adds an answer to endpoint i of set. Its series is created on its first
// answer, not at load: most endpoints of large data are never answered (backups,
// names nobody asks for), and a series per endpoint was 40 % of the live heap
// (bench/scale/RESULTS.md). Later answers cost an atomic load. Queries racing on a
// first answer store the same series (WithLabelValues returns the existing one).
func (a *answerer) count(set *policy.Set, i int32) {
	slot := int(set.Slot) + int(i)
	if slot >= len(a.ld.counters) {
		return // explain's offline loads count nothing
	}
	c := a.ld.counters[slot].Load()
	if c == nil {
		c = a.ld.counter(slot, a.z.Origin, set.Label, set.Tree.Endpoints[i].Label)
	}
	(*c).Inc()
}

// soa puts the zone's SOA in the authority section (negative answers, RFC 2308).
func (a *answerer) soa() {
	if len(a.m.Ns) == 0 {
		a.m.Ns = append(a.m.Ns, a.z.SOA)
	}
}

// referral answers a name at or below a zone cut: the cut's NS set in authority,
// not authoritative, with glue for name servers inside the zone.
func (a *answerer) referral(ns *policy.Set) {
	a.m.Authoritative = false
	a.evaluate(policy.Match{Set: ns}, ns.Name, &a.m.Ns)
	for _, rr := range a.m.Ns {
		nsrr, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		host := strings.ToLower(nsrr.Ns)
		if !dns.IsSubDomain(a.z.Origin, host) {
			continue
		}
		for _, t := range [...]uint16{dns.TypeA, dns.TypeAAAA} {
			if glue := a.z.Set(host, t); glue != nil {
				a.evaluate(policy.Match{Set: glue}, host, &a.m.Extra)
			}
		}
	}
}

// setECS answers an ECS option with one (RFC 7871 §7.2.1): same family, source
// prefix and address, and the scope the answer depended on — the location's prefix
// when a location-based rule decided, the hashed prefix when a sticky one did (the
// longer of the two when both did), 0 when the answer is the same for every client.
func (a *answerer) setECS(r *dns.Msg) {
	c := a.client
	if c == nil || !c.ECS {
		return
	}
	opt := r.IsEdns0()
	if opt == nil {
		return
	}
	scope := 0
	if a.geo && c.FromECS {
		scope = c.Scope
	}
	if a.bits > 0 && c.FromECS {
		bits := a.bits
		if c.ECSAddr.Is6() && c.Addr.Is4() {
			bits += 96 // hashed as IPv4, arrived IPv4-mapped
		}
		scope = max(scope, bits)
	}
	a.m.SetEdns0(opt.UDPSize(), opt.Do())
	ecs := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: c.ECSFamily, SourceNetmask: uint8(c.SourcePrefix),
		SourceScope: uint8(scope), Address: c.ECSAddr.AsSlice()}
	o := a.m.IsEdns0()
	o.Option = append(o.Option, ecs)
}

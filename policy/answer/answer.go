// Package answer builds DNS responses from compiled policy data (package policy) —
// the same code for queries, explain and simulate — and answers explain and
// simulate questions offline from data files. It never imports CoreDNS.
package answer

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// Data is one load's compiled zones and the counters answering them counts into.
type Data struct {
	Snap *policy.Snapshot
	// Counters are the answer counters of the endpoints, by policy.Set.Slot: nil
	// until the endpoint's first answer (Builder.count). Empty: count nothing.
	Counters []atomic.Pointer[Counter]
	// NewCounter resolves an endpoint's counter on its first answer.
	NewCounter func(zone, rrset, endpoint string) Counter
	// Events are each zone's fail-open and fail-closed counters, resolved at load so
	// that an outage (when they count) does not add label hashing and a lock per query.
	Events map[*policy.CompiledZone]ZoneEvents

	keysOnce sync.Once
	keys     map[string]bool // what explain's down may name: policy.Snapshot.Keys, once
}

// DownKeys is what an explain or simulate question may take down, computed on the
// first question of this load (a walk of every tree), not per question.
func (d *Data) DownKeys() map[string]bool {
	d.keysOnce.Do(func() { d.keys = d.Snap.Keys() })
	return d.keys
}

// ZoneEvents are a zone's fail-open and fail-closed counters.
type ZoneEvents struct{ FailOpen, FailClosed Counter }

// Counter is the part of a prometheus counter the hot path uses.
type Counter interface{ Inc() }

// MaxChase bounds how many CNAMEs inside our zones one answer follows.
const MaxChase = 8

// Builder builds one response.
type Builder struct {
	Data   *Data
	Zone   *policy.CompiledZone
	Client *geo.Client
	Msg    *dns.Msg
	Subnet netip.Prefix // the client subnet: geo's, else the source address

	// Explain only: traces of the record sets evaluated, checks forced down. An
	// explained answer counts in no metric.
	Traces *[]SetTrace
	Down   policy.Down
	// Rand, when set, is the randomness of the walk (policy.Input.Rand): simulate
	// gives before and after the same draws, so only what the what-if changes moves.
	Rand *rand.Rand

	geo  bool // some decision looked at the client's location: ECS scope applies
	bits int  // most bits of subnet a decision hashed (sticky)
}

// Answer fills a.Msg for qname/qtype and returns how the zone matched the (last) name.
func (a *Builder) Answer(qname string, qtype uint16) policy.Kind {
	var chased [MaxChase]string // CNAME owners answered so far: a loop stops at a repeat
	name := qname
	for i := range MaxChase {
		mt := a.Zone.Lookup(name, qtype)
		if qtype == dns.TypeANY && (mt.Kind == policy.Found || mt.Kind == policy.CNAME || mt.Kind == policy.NoRecords) {
			// RFC 8482 §4.2: a synthesized HINFO instead of every record set.
			a.Msg.Answer = append(a.Msg.Answer, &dns.HINFO{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeHINFO,
				Class: dns.ClassINET, Ttl: 8482}, Cpu: "RFC8482"})
			return policy.Found
		}
		switch mt.Kind {
		case policy.Found:
			a.evaluate(mt, name, &a.Msg.Answer)
			return mt.Kind
		case policy.CNAME:
			chased[i] = name
			target := strings.ToLower(a.evaluate(mt, name, &a.Msg.Answer))
			// Follow only inside this zone; a resolver follows the rest (as the file
			// plugin does), including into another zone of ours or a child zone.
			if target == "" || a.Data.Snap.Zone(target) != a.Zone || slices.Contains(chased[:i+1], target) {
				return mt.Kind
			}
			name = target
		case policy.Delegation:
			a.referral(mt.Set)
			return mt.Kind
		case policy.NXDomain:
			a.Msg.Rcode = dns.RcodeNameError // for a chased CNAME target too (RFC 6604 §3)
			a.soa()
			return mt.Kind
		default:
			a.soa()
			return mt.Kind
		}
	}
	return policy.CNAME // chain longer than MaxChase: answer what we have
}

// evaluate runs a set's tree and appends its records to section, renamed to owner
// for wildcards; it returns the CNAME target when the set is a CNAME.
func (a *Builder) evaluate(mt policy.Match, owner string, section *[]dns.RR) string {
	set := mt.Set
	var buf [16]int32
	out := buf[:]
	if n := set.Tree.MaxAnswers(); n > len(buf) {
		out = make([]int32, n)
	}
	in := policy.Input{Client: a.Subnet, Down: a.Down, Rand: a.Rand}
	if a.Client != nil {
		in.Loc = &a.Client.Location
	}
	if a.Traces != nil {
		in.Trace = &policy.Trace{}
		*a.Traces = append(*a.Traces, SetTrace{Set: set.Label, Trace: in.Trace})
	}
	res := set.Tree.Evaluate(&in, out)
	a.geo = a.geo || res.Geo
	a.bits = max(a.bits, res.ClientBits)
	counting := a.Traces == nil
	if res.FailOpen && counting {
		a.Data.Events[a.Zone].FailOpen.Inc()
	}
	switch res.Outcome {
	case policy.NoData:
		a.soa()
		return ""
	case policy.Rcode:
		if counting {
			a.Data.Events[a.Zone].FailClosed.Inc()
		}
		a.Msg.Rcode = res.Rcode
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
func (a *Builder) count(set *policy.Set, i int32) {
	slot := int(set.Slot) + int(i)
	if slot >= len(a.Data.Counters) {
		return // offline loads count nothing
	}
	c := a.Data.Counters[slot].Load()
	if c == nil {
		n := a.Data.NewCounter(a.Zone.Origin, set.Label, set.Tree.Endpoints[i].Label)
		c = &n
		a.Data.Counters[slot].Store(c)
	}
	(*c).Inc()
}

// soa puts the zone's SOA in the authority section (negative answers, RFC 2308).
func (a *Builder) soa() {
	if len(a.Msg.Ns) == 0 {
		a.Msg.Ns = append(a.Msg.Ns, a.Zone.SOA)
	}
}

// referral answers a name at or below a zone cut: the cut's NS set in authority,
// not authoritative, with glue for name servers inside the zone.
func (a *Builder) referral(ns *policy.Set) {
	a.Msg.Authoritative = false
	a.evaluate(policy.Match{Set: ns}, ns.Name, &a.Msg.Ns)
	for _, rr := range a.Msg.Ns {
		nsrr, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		host := strings.ToLower(nsrr.Ns)
		if !dns.IsSubDomain(a.Zone.Origin, host) {
			continue
		}
		for _, t := range [...]uint16{dns.TypeA, dns.TypeAAAA} {
			if glue := a.Zone.Set(host, t); glue != nil {
				a.evaluate(policy.Match{Set: glue}, host, &a.Msg.Extra)
			}
		}
	}
}

// SetECS answers an ECS option with one (RFC 7871 §7.2.1): same family, source
// prefix and address, and the scope the answer depended on — the location's prefix
// when a location-based rule decided, the hashed prefix when a sticky one did (the
// longer of the two when both did), 0 when the answer is the same for every client.
func (a *Builder) SetECS(r *dns.Msg) {
	c := a.Client
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
	a.Msg.SetEdns0(opt.UDPSize(), opt.Do())
	ecs := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: c.ECSFamily, SourceNetmask: uint8(c.SourcePrefix),
		SourceScope: uint8(scope), Address: c.ECSAddr.AsSlice()}
	o := a.Msg.IsEdns0()
	o.Option = append(o.Option, ecs)
}

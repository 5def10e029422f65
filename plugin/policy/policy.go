// Package policy is the policy directive: it serves authoritative zones whose record
// sets answer from routing-policy trees (package policy), reading the client's
// location from the geo directive and endpoint health from the healthcheck engine.
package policy

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/pkg/fall"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/stack"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

const pluginName = "policy"

var log = clog.NewWithPlugin(pluginName)

// Policy is the policy plugin.
type Policy struct {
	Next plugin.Handler
	Fall fall.F

	snap   atomic.Pointer[loaded] // nil until the first successful load
	loader *loader
	where  string // Corefile position of the directive, for errors found at OnStartup

	explainAddr string // the explain endpoint's listen address; "" = off
	explainSrv  *explainServer
	explainTgt  *explainTarget
}

// loaded is what one successful load published: the compiled zones and the metric
// handles of their endpoints, swapped together.
type loaded struct {
	snap *policy.Snapshot
	// counters are the answer counters of the endpoints, by policy.Set.Slot: nil
	// until the endpoint's first answer (answerer.count).
	counters []atomic.Pointer[counter]
	events   map[*policy.CompiledZone]zoneEvents
	sums     [][32]byte            // checksums of the data files, then of refs, as parsed
	refs     []string              // the collection files the data files read
	sites    map[string]policy.Pos // the zones the data serves (not placeholders)

	keysOnce sync.Once
	keys     map[string]bool // what explain's down may name: policy.Snapshot.Keys, once
}

// downKeys is what an explain or simulate question may take down, computed on the
// first question of this load (a walk of every tree), not per question.
func (ld *loaded) downKeys() map[string]bool {
	ld.keysOnce.Do(func() { ld.keys = ld.snap.Keys() })
	return ld.keys
}

// counter resolves and keeps the answer counter of an endpoint, on its first answer.
func (ld *loaded) counter(slot int, zone, rrset, endpoint string) *counter {
	c := counter(answers.WithLabelValues(zone, rrset, endpoint))
	ld.counters[slot].Store(&c)
	return &c
}

// zoneEvents are a zone's fail-open and fail-closed counters, resolved at load so
// that an outage (when they count) does not add label hashing and a lock per query.
type zoneEvents struct{ failOpen, failClosed counter }

// counter is the part of a prometheus counter the hot path uses.
type counter interface{ Inc() }

// maxChase bounds how many CNAMEs inside our zones one answer follows.
const maxChase = 8

// ServeDNS implements plugin.Handler. It takes no lock and does no I/O: it reads the
// current snapshot, the client from the context and health through atomic loads.
func (p *Policy) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	ld := p.snap.Load()
	if ld == nil || len(r.Question) != 1 || r.Question[0].Qclass != dns.ClassINET {
		return p.next(ctx, w, r)
	}
	q := r.Question[0]
	qname := strings.ToLower(q.Name) // no allocation when already lower case
	z := ld.snap.Zone(qname)
	if z == nil || z.Placeholder && p.Next != nil {
		// A zone of the block that the data lacks is the next plugin's to answer;
		// when there is none, policy answers it as an empty zone.
		return p.next(ctx, w, r)
	}
	switch q.Qtype {
	case dns.TypeAXFR, dns.TypeIXFR:
		return dns.RcodeRefused, nil // policy answers depend on the client: no transfers
	}

	client, _ := geo.FromContext(ctx)
	a := answerer{ld: ld, z: z, client: client, m: new(dns.Msg)}
	if client != nil {
		a.subnet = client.Subnet()
	} else {
		a.subnet = sourcePrefix(w)
	}
	a.m.SetReply(r)
	a.m.Authoritative = true
	kind := a.answer(qname, q.Qtype)
	if kind == policy.NXDomain && len(a.m.Answer) == 0 && p.Fall.Through(qname) {
		return p.next(ctx, w, r)
	}
	a.setECS(r)
	w.WriteMsg(a.m)
	return dns.RcodeSuccess, nil
}

// sourcePrefix is the query's source address as a /32 or /128 (IPv4 as 4 bytes),
// the client subnet when the geo directive is not in the block; invalid if unknown.
// A type switch, not request.Request.IP, which parses a string and allocates.
func sourcePrefix(w dns.ResponseWriter) netip.Prefix {
	var ap netip.AddrPort
	switch a := w.RemoteAddr().(type) {
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	default:
		return netip.Prefix{}
	}
	addr := geo.Canonical(ap.Addr())
	if !addr.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(addr, addr.BitLen())
}

// next hands a query policy does not answer to the plugins after it, whose
// answers (file, forward) run deeper than policy's: geo leaves the goroutine's
// stack as it started in a block with policy, so it is grown here in one step.
func (p *Policy) next(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	stack.Grow(int(r.Id))
	return plugin.NextOrFailure(pluginName, p.Next, ctx, w, r)
}

// Name implements plugin.Handler.
func (p *Policy) Name() string { return pluginName }

// Ready implements ready.Readiness: true after the first successful load and once
// the data files' own health checks have their first results.
func (p *Policy) Ready() bool { return p.snap.Load() != nil && p.loader.ready() }

// Package policy is the policy directive: it serves authoritative zones whose record
// sets answer from routing-policy trees (package policy), reading the client's
// location from the geo directive and endpoint health from the healthcheck engine.
package policy

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"

	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/pkg/fall"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/stack"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/policy/answer"
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

	explainAddr string       // the explain endpoint's listen address; "" = off
	store       *storeSource // serves a control-plane store's hosted zones instead of data files
}

// loaded is what one successful load published: the compiled zones and the metric
// handles of their endpoints (answer.Data), swapped together.
type loaded struct {
	answer.Data
	sums  [][32]byte            // checksums of the data files, then of refs, as parsed
	refs  []string              // the collection files the data files read
	sites map[string]policy.Pos // the zones the data serves (not placeholders)
	kube  []policy.KubeSource   // the kubernetes: values' sources, to watch
}

// ServeDNS implements plugin.Handler. It takes no lock and does no I/O: it reads the
// current snapshot, the client from the context and health through atomic loads.
func (p *Policy) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	ld := p.snap.Load()
	if ld == nil || len(r.Question) != 1 || r.Question[0].Qclass != dns.ClassINET {
		return p.next(ctx, w, r)
	}
	q := r.Question[0]
	qname := strings.ToLower(q.Name) // no allocation when already lower case
	z := ld.Snap.Zone(qname)
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
	a := answer.Builder{Data: &ld.Data, Zone: z, Client: client, Msg: new(dns.Msg)}
	if client != nil {
		a.Subnet = client.Subnet()
	} else {
		a.Subnet = sourcePrefix(w)
	}
	a.Msg.SetReply(r)
	a.Msg.Authoritative = true
	kind := a.Answer(qname, q.Qtype)
	if kind == policy.NXDomain && len(a.Msg.Answer) == 0 && p.Fall.Through(qname) {
		return p.next(ctx, w, r)
	}
	a.SetECS(r)
	w.WriteMsg(a.Msg)
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

// GrowsStack implements stack.Grower: policy answers from the stack the query
// goroutine starts with and grows it (next) only for queries it passes on, so geo
// earlier in the block leaves it alone.
func (p *Policy) GrowsStack() {}

// Name implements plugin.Handler.
func (p *Policy) Name() string { return pluginName }

// Ready implements ready.Readiness: true after the first successful load and once
// the data files' own health checks have their first results.
func (p *Policy) Ready() bool { return p.snap.Load() != nil && p.loader.ready() }

var (
	_ plugin.Handler = (*Policy)(nil)
	_ stack.Grower   = (*Policy)(nil)
)

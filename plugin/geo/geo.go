// Package geo is the geo directive: it finds where each query's client is, from
// the EDNS Client Subnet option (RFC 7871) when present and trusted, else from
// the source address, and hands the result to later plugins through the request
// context (geo.FromContext, for policy) and as metadata labels (for view, log,
// rewrite).
package geo

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/metrics"
	clog "github.com/coredns/coredns/plugin/pkg/log"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/stack"
	"github.com/miekg/dns"
)

var log = clog.NewWithPlugin(pluginName)

// Geo is the geo plugin.
type Geo struct {
	Next plugin.Handler

	reader   *geo.Reader
	ecs      bool           // use ECS at all
	trustAll bool           // use ECS from any sender
	trust    []netip.Prefix // else only from these senders
	interval time.Duration  // file check interval; 0 disables
	labels   []label        // metadata labels to set

	cacheLocations bool          // some label depends on the location alone
	locationFuncs  locationCache // label functions of frequent locations

	// growStack is false in a block with a stack.Grower after geo (policy), whose
	// answers fit in the query goroutine's first stack (internal/stack); it grows
	// the stack itself when it hands a query on.
	growStack bool

	counters lookupCounters

	ready atomic.Bool
	mu    sync.Mutex // guards stop and done
	stop  chan struct{}
	done  chan struct{}
}

// errMultipleECS: RFC 7871 §7.1.1, a query with more than one ECS option is malformed.
var errMultipleECS = errors.New("ecs: more than one option")

// ServeDNS implements plugin.Handler. It locates the client unless this
// instance's Metadata already did, answers FORMERR for a malformed ECS option,
// and passes the request on with the Client in the context.
func (g *Geo) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	if g.located(ctx) == nil {
		if g.growStack {
			stack.Grow(int(r.Id)) // Metadata, when it ran, has grown it already
		}
		l, err := g.locate(ctx, w, r)
		if err != nil {
			ecsFormErr.WithLabelValues(metrics.WithServer(ctx)).Inc()
			return dns.RcodeFormatError, nil // the server writes the FORMERR
		}
		ctx = l
	}
	return plugin.NextOrFailure(pluginName, g.Next, ctx, w, r)
}

// Name implements plugin.Handler.
func (g *Geo) Name() string { return pluginName }

// Ready implements ready.Readiness: true from OnStartup (the databases were
// loaded by setup) until OnShutdown.
func (g *Geo) Ready() bool { return g.ready.Load() }

// locate decides where the client of r is and returns ctx with the Client in
// it. It fails only for a malformed ECS option; an address that no database
// knows gives an empty location.
func (g *Geo) locate(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (*located, error) {
	src := remoteAddr(w)
	l := &located{Context: ctx, g: g}
	var ecs geo.ECS
	var hasECS bool
	if g.useECS(src) {
		var err error
		if ecs, hasECS, err = findECS(r); err != nil {
			return nil, err
		}
	}
	var e *geo.ECS
	if hasECS {
		e = &ecs
	}
	err := geo.Locate(g.reader, src, e, &l.c)
	m := g.counters.get(metrics.WithServer(ctx))
	switch {
	case err != nil:
		m.error.Inc()
	case l.c.Found:
		m.found.Inc()
	default:
		m.notFound.Inc()
	}
	return l, nil
}

// useECS reports whether a query from src has its ECS option read.
func (g *Geo) useECS(src netip.Addr) bool { return g.ecs && (g.trustAll || g.trusted(src)) }

func (g *Geo) trusted(a netip.Addr) bool {
	for _, p := range g.trust {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// findECS returns the query's ECS option, checked as RFC 7871 requires.
func findECS(r *dns.Msg) (geo.ECS, bool, error) {
	opt := r.IsEdns0()
	if opt == nil {
		return geo.ECS{}, false, nil
	}
	var e *dns.EDNS0_SUBNET
	for _, o := range opt.Option {
		if s, ok := o.(*dns.EDNS0_SUBNET); ok {
			if e != nil {
				return geo.ECS{}, false, errMultipleECS
			}
			e = s
		}
	}
	if e == nil {
		return geo.ECS{}, false, nil
	}
	ecs, err := parseSubnet(e)
	return ecs, err == nil, err
}

// parseSubnet turns miekg's decoded option back into wire fields for
// geo.ParseECS. miekg pads ADDRESS to the full address length, so the check
// for stray bits covers what the length check cannot see.
func parseSubnet(e *dns.EDNS0_SUBNET) (geo.ECS, error) {
	addr := e.Address
	if e.Family == geo.FamilyIPv4 {
		addr = addr.To4()
	}
	n := (int(e.SourceNetmask) + 7) / 8
	if e.Family != 0 && len(addr) < n {
		return geo.ECS{}, geo.ErrECSAddress
	}
	if e.Family == 0 {
		addr = nil
	}
	for _, b := range addr[min(n, len(addr)):] {
		if b != 0 {
			return geo.ECS{}, geo.ErrECSBits
		}
	}
	return geo.ParseECS(e.Family, e.SourceNetmask, e.SourceScope, addr[:min(n, len(addr))])
}

// remoteAddr returns the query's source address without allocating.
func remoteAddr(w dns.ResponseWriter) netip.Addr {
	var a netip.Addr
	switch ra := w.RemoteAddr().(type) {
	case *net.UDPAddr:
		a = ra.AddrPort().Addr()
	case *net.TCPAddr:
		a = ra.AddrPort().Addr()
	default:
		a, _ = netip.ParseAddr((&request.Request{W: w}).IP())
	}
	return geo.Canonical(a)
}

var _ plugin.Handler = (*Geo)(nil)

// Locate places a client the way a query from src carrying ecs (nil: none) would
// be placed by this directive, trust rules included: policy's explain asks it.
func (g *Geo) Locate(src netip.Addr, ecs *geo.ECS) (geo.Client, error) {
	if ecs != nil && !g.useECS(src) {
		ecs = nil
	}
	var c geo.Client
	err := geo.Locate(g.reader, src, ecs, &c)
	return c, err
}

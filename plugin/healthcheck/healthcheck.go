// Package healthcheck is the CoreDNS glue of the coretraffic health check engine: the
// healthcheck directive declares checks (inline or from data files) and serves their
// status. It answers no queries itself.
//
// Other plugins use the process-wide engine:
//
//	set := healthcheck.Checks(c)          // at setup: the Corefile's checks, or nil
//	h, ok := set.Handle("web")            // resolve names once, at compile time
//	h.Up(); h.Latency()                   // per query: one atomic load, no allocation
//
//	own, err := healthcheck.Engine().Prepare("policy:"+file, specs) // own checks, at setup
//	lifecycle.On(c, func() error { own.Start(); return nil }, own.Close) // start (dedupe), release
//
// internal/lifecycle releases them at OnShutdown, or at once when the reload that
// started them fails (caddy then runs no OnShutdown of the discarded instance).
//
// A new Set that is started before the old one is closed keeps identical checks
// running untouched, which is how a reload replaces an owner's checks.
package healthcheck

import (
	"context"

	"github.com/coredns/coredns/plugin"

	"github.com/miekg/dns"
)

// HealthCheck is the handler the directive puts in the chain; it passes every query on.
type HealthCheck struct {
	Next plugin.Handler
	inst *instance
}

// ServeDNS implements plugin.Handler.
func (h *HealthCheck) ServeDNS(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	return plugin.NextOrFailure(h.Name(), h.Next, ctx, w, r)
}

// Name implements plugin.Handler.
func (h *HealthCheck) Name() string { return pluginName }

// Ready implements ready.Readiness: true once every check has its first result.
func (h *HealthCheck) Ready() bool { return h.inst.ready() }

var _ plugin.Handler = (*HealthCheck)(nil)

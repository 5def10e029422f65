package vantage

import (
	"context"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
)

// decideLoop puts the verdicts in force on every new view and every
// Heartbeat (so a view that stops arriving turns stale), until ctx ends;
// then it hands every check back to the engine's own probes. A verdict is
// set again only when it changed, when the checks changed (new runners start
// with none), or every fullEvery beats, so a heartbeat costs the engine
// nothing for checks whose verdict stands.
func (p *Point) decideLoop(ctx context.Context) {
	const fullEvery = 10
	tick := time.NewTicker(p.opts.Heartbeat)
	defer tick.Stop()
	connected := false
	rule := Rule{Threshold: p.opts.Threshold, Stale: p.opts.Stale}
	var (
		applied    map[string]hc.Verdict
		appliedFor *map[string]checks.HealthCheckConfig
		beats      int
	)
	for {
		select {
		case <-ctx.Done():
			for id := range *p.cfgs.Load() {
				p.engine.SetVerdict(id, hc.VerdictNone)
			}
			return
		case <-tick.C:
			beats++
		case <-p.decide:
		}
		v, ok := p.view()
		if !ok {
			continue
		}
		self := p.pres.Member()
		now := time.Now()
		if c := v.Connected(self, now, rule); c != connected {
			connected = c
			if c {
				p.logf("vantage: %s decides health with the live checkers (%d)", self, len(v.Alive))
			} else {
				p.logf("vantage: %s has not heard back from the store for %v: deciding health from its own probes", self, rule.Stale)
			}
		}
		cfgs := p.cfgs.Load()
		if cfgs != appliedFor || beats >= fullEvery {
			applied, appliedFor, beats = map[string]hc.Verdict{}, cfgs, 0
		}
		for id, verdict := range v.Decide(self, now, rule, *cfgs) {
			if last, ok := applied[id]; ok && last == verdict {
				continue
			}
			p.engine.SetVerdict(id, verdict)
			applied[id] = verdict
		}
	}
}

// LastHeard is when this point wrote the newest heartbeat of its own that
// has come back through the store (zero before the first): how current its
// view of the group is. Older than Options.Stale, it decides alone.
func (p *Point) LastHeard() time.Time {
	if a := p.alive.Load(); a != nil {
		return (*a)[p.pres.Member()].At
	}
	return time.Time{}
}

// Peers returns the last observation of check id (configured as c) of every
// live checker but this one, for GetHealthCheckStatus; nil when this point is
// cut off from the store (it cannot tell who is live) or alone.
func (p *Point) Peers(id string, c checks.HealthCheckConfig) []checks.Observation {
	v, ok := p.view()
	rule := Rule{Threshold: p.opts.Threshold, Stale: p.opts.Stale}
	self := p.pres.Member()
	if !ok || !v.Connected(self, time.Now(), rule) {
		return nil
	}
	var out []checks.Observation
	for _, r := range v.Live(id, c) {
		if r.Checker == self {
			continue
		}
		out = append(out, checks.Observation{Region: r.Region, IPAddress: r.IP,
			StatusReport: checks.StatusReport{Status: r.Status, CheckedTime: r.Checked}})
	}
	return out
}

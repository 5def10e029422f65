package vantage

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
)

// published is a report as last announced, and when.
type published struct {
	r  Report
	at time.Time
}

// publishLoop writes the heartbeat every Heartbeat and the reports whenever
// the engine's own state of a check changes (and every Refresh), until ctx
// ends; then it withdraws them. Writes that fail (store unreachable) are
// retried at the next beat.
func (p *Point) publishLoop(ctx context.Context) {
	tick := time.NewTicker(p.opts.Heartbeat)
	defer tick.Stop()
	last := map[string]published{}
	p.beat(ctx)
	for {
		p.publishReports(ctx, last)
		select {
		case <-ctx.Done():
			p.withdrawAll(last)
			return
		case <-tick.C:
			p.beat(ctx)
		case <-p.publish:
		}
	}
}

// beat announces the alive key, logging when writing it starts or stops
// failing (not at every beat).
func (p *Point) beat(ctx context.Context) {
	b, _ := json.Marshal(Alive{Region: p.opts.Region, IP: p.opts.IP, At: time.Now().UTC()})
	err := p.announce(ctx, aliveKey, b)
	switch {
	case ctx.Err() != nil:
	case err != nil && !p.beatFailing:
		p.logf("vantage: %s cannot publish to the store: %v", p.pres.Member(), err)
	case err == nil && p.beatFailing:
		p.logf("vantage: %s publishes again", p.pres.Member())
	}
	p.beatFailing = err != nil
}

func (p *Point) announce(ctx context.Context, key string, b []byte) error {
	actx, cancel := context.WithTimeout(ctx, p.opts.Stale)
	defer cancel()
	return p.pres.Announce(actx, key, b)
}

// report is this point's observation of check id, false when there is none
// to publish (not voted on, not running, or no result yet).
func (p *Point) report(id string, c checks.HealthCheckConfig, now time.Time) (Report, bool) {
	if !Applies(c) {
		return Report{}, false
	}
	h, ok := p.engine.Handle(id)
	if !ok {
		return Report{}, false
	}
	st := h.Status()
	if !st.Probed || len(st.Results) == 0 {
		return Report{}, false
	}
	o := checks.Observe(p.opts.Region, p.opts.IP, c, st, now)
	return Report{Region: p.opts.Region, IP: p.opts.IP, Healthy: st.Observed, Status: o.StatusReport.Status,
		Checked: o.StatusReport.CheckedTime, Latency: st.Results[0].Latency}, true
}

// publishReports announces every report that changed (state or words) or is
// older than Refresh, and withdraws those of checks gone.
func (p *Point) publishReports(ctx context.Context, last map[string]published) {
	cfgs := *p.cfgs.Load()
	now := time.Now()
	ids := make([]string, 0, len(cfgs))
	for id := range cfgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r, ok := p.report(id, cfgs[id], now)
		if !ok {
			continue
		}
		prev, had := last[id]
		if had && prev.r.Healthy == r.Healthy && prev.r.Status == r.Status && now.Sub(prev.at) < p.opts.Refresh {
			continue
		}
		b, _ := json.Marshal(r)
		if err := p.announce(ctx, checkKey(id), b); err != nil {
			return // the store is unreachable: the next beat tries again
		}
		last[id] = published{r: r, at: now}
	}
	for id := range last {
		if _, ok := p.report(id, cfgs[id], now); !ok {
			if _, live := cfgs[id]; live && Applies(cfgs[id]) {
				continue // still running, no result yet: keep the last report
			}
			actx, cancel := context.WithTimeout(ctx, p.opts.Stale)
			err := p.pres.Withdraw(actx, checkKey(id))
			cancel()
			if err == nil {
				delete(last, id)
			}
		}
	}
}

// withdrawAll removes this point's keys when it stops while the store's
// session goes on (a reload); bounded, as the store may be unreachable.
func (p *Point) withdrawAll(last map[string]published) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for id := range last {
		_ = p.pres.Withdraw(ctx, checkKey(id))
	}
	_ = p.pres.Withdraw(ctx, aliveKey)
}

// decideLoop puts the verdicts in force on every new view and every
// Heartbeat (so a view that stops arriving turns stale), until ctx ends;
// then it hands every check back to the engine's own probes.
func (p *Point) decideLoop(ctx context.Context) {
	tick := time.NewTicker(p.opts.Heartbeat)
	defer tick.Stop()
	connected := false
	rule := Rule{Threshold: p.opts.Threshold, Stale: p.opts.Stale}
	for {
		select {
		case <-ctx.Done():
			for id := range *p.cfgs.Load() {
				p.engine.SetVerdict(id, hc.VerdictNone)
			}
			return
		case <-tick.C:
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
		for id, verdict := range v.Decide(self, now, rule, *p.cfgs.Load()) {
			p.engine.SetVerdict(id, verdict)
		}
	}
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

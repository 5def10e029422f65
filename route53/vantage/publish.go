package vantage

import (
	"context"
	"encoding/json"
	"slices"
	"time"

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

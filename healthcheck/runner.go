package healthcheck

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// runner is one deduplicated check. Probed runners own a goroutine while started;
// calculated runners have none and are recomputed when a child changes.
type runner struct {
	key      string
	spec     *Spec
	prober   prober    // nil for calculated and disabled checks
	children []*runner // calculated only

	status atomic.Pointer[Status]

	mu sync.Mutex // writers of status: the probing goroutine, overrides, recompute
	m  machine

	run     *run // the current start; nil when stopped (guarded by Engine.mu)
	stopped *run // the last stopped start, for wait (guarded by Engine.mu)

	// Guarded by Engine.mu.
	refs     int
	nameRefs map[string]int
	owners   map[string]int
	parents  map[*runner]int
}

// run is one start of a probed runner: between probes a timer (no goroutine), each
// probe in a pool worker. A stop cancels it; a later start makes a new one, so a probe
// of a stopped run can never reschedule into the new one.
type run struct {
	r      *runner
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	timer  Timer
	next   time.Time
	wg     sync.WaitGroup // the pending timer and the probe in flight
}

func newRunner(e *Engine, s *Spec, key string, children []*runner) (*runner, error) {
	r := &runner{key: key, spec: s, children: children, m: newMachine(s),
		nameRefs: map[string]int{}, owners: map[string]int{}, parents: map[*runner]int{}}
	if s.Type != TypeCalculated && !s.Disabled {
		p, err := newProber(s, e.source)
		if err != nil {
			return nil, err
		}
		r.prober = p
	}
	healthy := s.Initial != InitialUnhealthy
	st := &Status{Healthy: healthy, Observed: healthy, Since: e.clock.Now(), Probed: s.Disabled}
	st.Up = effective(healthy, s, OverrideNone)
	r.status.Store(st)
	return r, nil
}

// start runs under Engine.mu when the first Set takes the runner.
func (r *runner) start(e *Engine) {
	switch {
	case r.spec.Type == TypeCalculated:
		for _, c := range r.children {
			c.parents[r]++
		}
		r.recompute(e)
	case r.prober != nil:
		g := &run{r: r}
		g.ctx, g.cancel = context.WithCancel(context.Background())
		r.run = g
		g.wg.Add(1)
		go e.dispatch(g)
	}
}

// stop runs under Engine.mu when the last Set releases the runner.
func (r *runner) stop(_ *Engine) {
	for _, c := range r.children {
		if c.parents[r]--; c.parents[r] <= 0 {
			delete(c.parents, r)
		}
	}
	g := r.run
	if g == nil {
		return
	}
	r.run = nil
	r.stopped = g
	g.cancel()
	if c, ok := r.prober.(interface{ closeIdle() }); ok {
		c.closeIdle()
	}
	g.mu.Lock()
	if g.timer != nil && g.timer.Stop() {
		g.wg.Done() // the pending probe will not run
	}
	g.timer = nil
	g.mu.Unlock()
}

// work runs one scheduled probe in a pool worker, then arms the timer for the next:
// the first probe runs at once, the second after a random stagger within one
// interval, then one per interval.
func (g *run) work(e *Engine) {
	defer g.wg.Done()
	if g.ctx.Err() != nil {
		return
	}
	r := g.r
	r.probeOnce(g.ctx, e)
	g.mu.Lock()
	now := e.clock.Now()
	switch {
	case g.next.IsZero():
		g.next = now.Add(time.Duration(rand.Int64N(int64(r.spec.Interval)))) // #nosec G404 -- stagger, not security.
	default:
		g.next = g.next.Add(r.spec.Interval)
		if g.next.Before(now) {
			g.next = now.Add(r.spec.Interval) // fell behind (overload): skip, never burst
		}
	}
	g.mu.Unlock()
	g.schedule(e)
}

// schedule arms the timer for g.next unless the run is stopping. The timer's
// goroutine only hands the run to the worker pool.
func (g *run) schedule(e *Engine) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx.Err() != nil {
		return
	}
	g.wg.Add(1)
	g.timer = e.clock.AfterFunc(e.untilSlot(g.next), func() { e.dispatch(g) })
}

// probeSlot is how the real clock batches probes: every probe due within one slot
// fires at the slot's end, together. 10,000 checks at 10 s are 1,000 probes a
// second; fired each at its own instant, nearly every one wakes an idle thread
// (futex, the scheduler spinning) before doing any work. In slots the process wakes
// at most 1/probeSlot times a second and runs the due probes back to back. In
// alternating runs of BenchmarkScale10kHTTP (10,000 checks): unslotted 34–43 % of
// a core, 10 ms slots 16–18 %, 20 ms 15–18 %, 50 ms 12–14 % (load 1–6). A probe
// fires late by less than one slot, so a check's detection bound is interval × fall
// + timeout + probeSlot; g.next stays exact, so the lateness never accumulates.
const probeSlot = 50 * time.Millisecond

// untilSlot is the wait until t, rounded up to the end of t's slot. The wait itself
// is monotonic (t and Now carry monotonic readings): a step of the wall clock (NTP
// at boot, a resumed VM) must neither freeze probes nor fire them back to back. Only
// the rounding, less than one slot, comes from the wall clock, so that the probes
// of all checks share slot ends.
func (e *Engine) untilSlot(t time.Time) time.Duration {
	d := t.Sub(e.clock.Now())
	if e.grid > 0 {
		w := t.Round(0) // the wall reading alone
		if s := w.Truncate(e.grid); s.Before(w) {
			d += s.Add(e.grid).Sub(w)
		}
	}
	return d
}

// probeOnce probes within the timeout and records the result.
func (r *runner) probeOnce(ctx context.Context, e *Engine) {
	res := r.safeProbe(ctx)
	if ctx.Err() != nil {
		return // stopped while probing: the result says nothing about the endpoint
	}
	res.At = e.clock.Now()
	if old := r.record(res); old != nil {
		e.changed(r, old)
	}
	if e.onProbe != nil {
		e.onProbe(r.spec.Type, res)
	}
}

// safeProbe runs the prober bounded by the check's timeout; a panic is a failure.
func (r *runner) safeProbe(parent context.Context) (res Result) {
	ctx, cancel := context.WithTimeout(parent, r.spec.Timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res = Result{Kind: KindPanic, Detail: shorten(fmt.Sprint(p))}
		}
		res.Latency = time.Since(start)
	}()
	return r.prober.probe(ctx)
}

// record folds one result into the state and publishes a new Status. It returns the
// previous Status when the effective state changed or this was the first result.
func (r *runner) record(res Result) *Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.status.Load()
	n := *old
	n.Probes++
	n.Probed = true
	if res.OK {
		n.Latency = res.Latency
		n.EWMA = ewma(n.EWMA, res.Latency)
	}
	r.m.observe(res.OK)
	n.Observed = r.m.up
	n.Healthy = n.Verdict.apply(n.Observed)
	n.Up = effective(n.Healthy, r.spec, n.Override)
	if n.Up != old.Up {
		n.Since = res.At
	}
	k := min(len(old.Results)+1, HistorySize)
	n.Results = make([]Result, k)
	n.Results[0] = res
	copy(n.Results[1:], old.Results)
	r.status.Store(&n)
	if n.Up != old.Up || !old.Probed || n.Observed != old.Observed {
		return old
	}
	return nil
}

// recompute derives a calculated check's state from its children; under Engine.mu.
// It returns the previous Status when the effective state or readiness changed.
func (r *runner) recompute(e *Engine) *Status {
	if r.spec.Type != TypeCalculated {
		return nil
	}
	up, probed := 0, true
	for _, c := range r.children {
		st := c.status.Load()
		if st.Up {
			up++
		}
		probed = probed && st.Probed
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.status.Load()
	n := *old
	n.Healthy = up >= r.spec.MinHealthy
	n.Observed = n.Healthy
	n.Probed = probed
	n.Up = effective(n.Healthy, r.spec, n.Override)
	if n.Up == old.Up && n.Probed == old.Probed && n.Healthy == old.Healthy {
		return nil
	}
	if n.Up != old.Up {
		n.Since = e.clock.Now()
	}
	r.status.Store(&n)
	if n.Up != old.Up || n.Probed != old.Probed {
		return old
	}
	return nil
}

// setOverride publishes a new override; it returns the previous Status, or nil when
// nothing changed.
func (r *runner) setOverride(e *Engine, o Override) *Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.status.Load()
	if old.Override == o {
		return nil
	}
	n := *old
	n.Override = o
	n.Up = effective(n.Healthy, r.spec, o)
	if n.Up != old.Up {
		n.Since = e.clock.Now()
	}
	r.status.Store(&n)
	return old
}

// transition describes the change of r from old to its current state; under
// Engine.mu.
func (r *runner) transition(e *Engine, old *Status) Transition {
	st := r.status.Load()
	t := Transition{Names: r.names(), Type: r.spec.Type, Up: st.Up, Changed: st.Up != old.Up,
		Healthy: st.Healthy, Observed: st.Observed, ObservedChanged: st.Observed != old.Observed,
		Override: st.Override, OverrideChanged: st.Override != old.Override, At: e.clock.Now()}
	t.Name = t.Names[0]
	if len(st.Results) > 0 {
		t.Reason = st.Results[0]
	}
	return t
}

// names lists the names r is registered under, sorted; under Engine.mu.
func (r *runner) names() []string {
	out := make([]string, 0, len(r.nameRefs))
	for n := range r.nameRefs {
		out = append(out, n)
	}
	if len(out) == 0 {
		return []string{r.spec.Name}
	}
	slices.Sort(out)
	return out
}

func (r *runner) ownerList() []string {
	out := make([]string, 0, len(r.owners))
	for o := range r.owners {
		out = append(out, o)
	}
	slices.Sort(out)
	return out
}

func (r *runner) addName(e *Engine, name string) {
	if r.nameRefs[name]++; r.nameRefs[name] == 1 {
		e.byName[name] = append(e.byName[name], r)
	}
}

func (r *runner) removeName(e *Engine, name string) {
	if r.nameRefs[name]--; r.nameRefs[name] > 0 {
		return
	}
	delete(r.nameRefs, name)
	rs := slices.DeleteFunc(e.byName[name], func(x *runner) bool { return x == r })
	if len(rs) == 0 {
		delete(e.byName, name)
	} else {
		e.byName[name] = rs
	}
}

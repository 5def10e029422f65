package healthcheck

import (
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultConcurrency bounds the probes in flight per engine.
const DefaultConcurrency = 1024

// workerIdle is how long an idle pool worker waits for work before it exits.
const workerIdle = time.Second

// Options configure an Engine.
type Options struct {
	Concurrency int   // probes in flight at most; DefaultConcurrency if 0
	Clock       Clock // RealClock if nil
	// OnProbe runs after every probe, in the probing goroutine; it must not block.
	OnProbe func(t Type, r Result)
	// Source, when valid, is the local address every probe dials from:
	// the interface a multi-homed vantage point checks through (and the checker
	// address it reports). Zero: the system's choice.
	Source netip.Addr
	// Sources run the event-driven check types (TypeKubernetes: healthcheck/kube);
	// a check of a type with no Source is rejected by Prepare.
	Sources map[Type]Source
}

// Engine runs checks. One per process: identical checks registered by any number of
// Sets (owners) are probed once. Probing goroutines exist only for checks that at
// least one started Set holds, so an Engine with no Sets costs nothing.
type Engine struct {
	clock      Clock
	grid       time.Duration // probes fire at the ends of slots this long; 0: when due
	jobs       chan *run     // due probes, handed to pool workers
	workers    atomic.Int32
	maxWorkers int32
	onProbe    func(Type, Result)
	source     netip.Addr
	sources    map[Type]Source

	mu      sync.Mutex
	runners map[string]*runner   // started runners by key, for dedupe
	byName  map[string][]*runner // started runners by check name
	subs    atomic.Pointer[[]*subscriber]
}

// New returns an idle Engine.
func New(o Options) *Engine {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	var grid time.Duration
	if _, real := o.Clock.(RealClock); real {
		grid = probeSlot
	}
	return &Engine{
		clock:      o.Clock,
		grid:       grid,
		jobs:       make(chan *run),
		maxWorkers: int32(o.Concurrency),
		onProbe:    o.OnProbe,
		source:     o.Source,
		sources:    maps.Clone(o.Sources),
		runners:    map[string]*runner{},
		byName:     map[string][]*runner{},
	}
}

// dispatch hands a due probe to an idle worker, starts a worker when none is idle
// and fewer than the concurrency bound run, or waits for one. Workers are
// long-lived goroutines whose stacks have grown to what a probe needs, which is
// cheaper than a fresh goroutine per probe.
func (e *Engine) dispatch(g *run) {
	select {
	case e.jobs <- g:
		return
	default:
	}
	if e.workers.Add(1) <= e.maxWorkers {
		go e.worker(g)
		return
	}
	e.workers.Add(-1)
	e.jobs <- g
}

func (e *Engine) worker(g *run) {
	defer e.workers.Add(-1)
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		g.work(e)
		t.Reset(workerIdle)
		select {
		case g = <-e.jobs:
		case <-t.C:
			return
		}
	}
}

// Transition is a change of a check: its effective state (Changed), its override
// (OverrideChanged), its own probe state under an external verdict
// (ObservedChanged), or none of them — its first result is in (readiness).
type Transition struct {
	Name            string   // the check's first name
	Names           []string // every name it is registered under
	Type            Type
	Up              bool // effective state now
	Changed         bool // Up differs from before
	Healthy         bool
	Observed        bool // this engine's own probe state (see Status.Observed)
	ObservedChanged bool // Observed differs from before (Up may not: a verdict holds it)
	Probed          bool // the state is known: false before the first result and while a watcher reports KindUnknown
	Override        Override
	OverrideChanged bool
	At              time.Time
	Reason          Result // the last result (zero for calculated checks)
}

type subscriber struct{ fn func(Transition) }

// Subscribe calls fn for every transition, in the goroutine that caused it; fn must
// not block. The returned function unsubscribes.
func (e *Engine) Subscribe(fn func(Transition)) (cancel func()) {
	s := &subscriber{fn}
	e.mu.Lock()
	defer e.mu.Unlock()
	var cur []*subscriber
	if p := e.subs.Load(); p != nil {
		cur = *p
	}
	next := append(slices.Clone(cur), s)
	e.subs.Store(&next)
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		cur := *e.subs.Load()
		next := slices.DeleteFunc(slices.Clone(cur), func(x *subscriber) bool { return x == s })
		e.subs.Store(&next)
	}
}

// Handle is the read side of one check: Up and Latency are one atomic load, no
// allocation, no lock.
type Handle struct {
	name string
	r    *runner
}

// Up is the effective state: probes with hysteresis, inversion, disabled, override.
func (h *Handle) Up() bool { return h.r.status.Load().Up }

// Latency is the EWMA of successful probe round trips, 0 if unknown.
func (h *Handle) Latency() time.Duration { return h.r.status.Load().EWMA }

// Status is the check's current immutable snapshot.
func (h *Handle) Status() *Status { return h.r.status.Load() }

// Name is the name the handle was resolved by.
func (h *Handle) Name() string { return h.name }

// Handle resolves a check name among every started Set. When owners define one name
// differently, the most recently started definition wins; prefer Set.Handle.
func (e *Engine) Handle(name string) (*Handle, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rs := e.byName[name]
	if len(rs) == 0 {
		return nil, false
	}
	return &Handle{name: name, r: rs[len(rs)-1]}, true
}

// SetOverride forces every check called name up or down, or clears the override
// (OverrideNone). It reports whether such a check exists.
func (e *Engine) SetOverride(name string, o Override) bool {
	e.mu.Lock()
	rs := slices.Clone(e.byName[name])
	e.mu.Unlock()
	for _, r := range rs {
		if old := r.setOverride(e, o); old != nil {
			e.changed(r, old)
		}
	}
	return len(rs) > 0
}

// changed propagates a change of r (from old) — effective state, first result or
// override — to the calculated checks above it, then tells subscribers.
func (e *Engine) changed(r *runner, old *Status) {
	var trs []Transition
	e.mu.Lock()
	queue := []*runner{r}
	trs = append(trs, r.transition(e, old))
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for p := range c.parents {
			if pold := p.recompute(e); pold != nil {
				queue = append(queue, p)
				trs = append(trs, p.transition(e, pold))
			}
		}
	}
	e.mu.Unlock()
	if p := e.subs.Load(); p != nil {
		for _, s := range *p {
			for _, t := range trs {
				s.fn(t)
			}
		}
	}
}

// CheckInfo describes one running check for the status API.
type CheckInfo struct {
	Name   string
	Names  []string
	Owners []string
	Spec   *Spec
	Status *Status
}

// Checks lists every started check, sorted by name.
func (e *Engine) Checks() []CheckInfo {
	e.mu.Lock()
	out := make([]CheckInfo, 0, len(e.runners))
	seen := make(map[*runner]bool, len(e.runners))
	for _, rs := range e.byName {
		for _, r := range rs {
			if seen[r] {
				continue
			}
			seen[r] = true
			names := r.names()
			out = append(out, CheckInfo{Name: names[0], Names: names, Owners: r.ownerList(), Spec: r.spec, Status: r.status.Load()})
		}
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b CheckInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Len is the number of started checks (after dedupe).
func (e *Engine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	seen := map[*runner]bool{}
	for _, rs := range e.byName {
		for _, r := range rs {
			if !seen[r] {
				seen[r] = true
				n++
			}
		}
	}
	return n
}

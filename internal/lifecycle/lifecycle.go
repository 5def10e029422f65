// Package lifecycle is how coretraffic's directives live across Corefile reloads:
// what a directive starts (goroutines, checks, watchers, HTTP listeners) starts at
// its instance's OnStartup and stops exactly once — at the instance's OnShutdown
// (a successful reload, after the new instance started, or exit), or at once when the
// reload that started it fails.
//
// Caddy discards the new instance of a failed reload without running its OnShutdown;
// it runs the old instance's OnRestartFailed instead. CoreDNS's listener plugins
// (health, metrics) use that hook to restart what their OnRestart stopped, but what
// the discarded instance's OnStartup already started is left running, and when the
// old Corefile lacks the directive nothing of the plugin runs at all. Here every
// instance that was running when a directive was set up gets one guard: its
// OnRestartFailed stops what the discarded reload started, its OnShutdown marks the
// new instance's units as the ones that serve.
//
// How caddy's hooks map onto a unit: start = OnStartup; a reload starts the new
// instance's units while the old ones still run (so shared listeners and checks both
// Corefiles hold stay up) and then stops the old ones (OnShutdown); a failed reload
// stops the new ones (the old instance's OnRestartFailed, through its guard); the
// final shutdown stops the rest (OnShutdown, which caddy also runs on exit, before
// OnFinalShutdown). Nothing stops at OnRestart, so nothing must be restarted at
// OnRestartFailed, unlike health and metrics.
//
// A directive calls, in setup (which itself starts nothing):
//
//	lifecycle.On(c, start, stop)               // one unit: start at startup, stop once
//	m := lifecycle.HTTP(c, "127.0.0.1:8080")   // the instance's routes on a shared listener
//	m.Handle("/explain", h)
package lifecycle

import (
	"errors"
	"slices"
	"sync"

	"github.com/coredns/caddy"
)

// On adds a unit to c's instance. start runs at the instance's OnStartup; stop runs
// once after a start that succeeded: at the instance's OnShutdown, or as soon as the
// reload (or start) that ran start is known to have failed. stop may be nil.
func On(c *caddy.Controller, start func() error, stop func()) {
	g := groupOf(c)
	u := &unit{start: start, stop: stop}
	g.units = append(g.units, u)
	c.OnStartup(func() error { return g.startUnit(u) })
}

// unit is one thing a directive starts and stops.
type unit struct {
	start   func() error
	stop    func()
	started bool // guarded by group.mu
}

// state is where an instance's group is in its life.
type state int

const (
	setUp     state = iota // setup ran, nothing started
	pending                // started; the reload or start that runs it may still fail
	committed              // its instance serves (the reload completed)
	stopped                // shut down or discarded
)

// group is what one caddy instance (one Corefile) holds: the units of all its
// directives, and the instances that were running when it was set up, one of which
// is reloading into it.
type group struct {
	mu      sync.Mutex
	units   []*unit
	state   state
	inst    *caddy.Instance   // its own instance, found through instance storage
	parents []*caddy.Instance // the instances running at its setup
}

type groupKey struct{}

// groupOf returns c's instance's group, creating it on first use: it hooks the
// instance's OnShutdown and guards the instances running now.
func groupOf(c *caddy.Controller) *group {
	if g, ok := c.Get(groupKey{}).(*group); ok {
		return g
	}
	g := &group{}
	c.Set(groupKey{}, g)
	for _, inst := range caddy.Instances() {
		inst.StorageMu.RLock()
		mine := inst.Storage[groupKey{}] == g
		inst.StorageMu.RUnlock()
		if mine {
			g.inst = inst
			continue
		}
		g.parents = append(g.parents, inst)
		guard(inst)
	}
	c.OnShutdown(func() error { g.stop(); return nil })
	return g
}

// startUnit starts u; the first start marks the group pending. A failed start dooms
// the instance (caddy discards it), so the group stops what it started at once.
func (g *group) startUnit(u *unit) error {
	g.mu.Lock()
	if g.state == stopped {
		g.mu.Unlock()
		return errors.New("lifecycle: instance already stopped")
	}
	if u.started {
		g.mu.Unlock()
		return nil
	}
	err := u.start()
	u.started = err == nil
	first := g.state == setUp && err == nil
	if first {
		g.state = pending
	}
	g.mu.Unlock()
	if first {
		registry.add(g)
	}
	if err != nil {
		g.stop()
	}
	return err
}

// stop stops the started units, last started first, and forgets the group.
func (g *group) stop() {
	registry.remove(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.state = stopped
	g.parents = nil
	for _, u := range slices.Backward(g.units) {
		if u.started {
			u.started = false
			if u.stop != nil {
				u.stop()
			}
		}
	}
}

// commit marks a pending group as its instance's serving one.
func (g *group) commit() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state == pending {
		g.state = committed
	}
	g.parents = nil
}

// registry holds the pending groups of the process.
var registry = &pendingGroups{m: map[*group]struct{}{}}

type pendingGroups struct {
	mu sync.Mutex
	m  map[*group]struct{}
}

func (r *pendingGroups) add(g *group) {
	r.mu.Lock()
	r.m[g] = struct{}{}
	r.mu.Unlock()
}

func (r *pendingGroups) remove(g *group) {
	r.mu.Lock()
	delete(r.m, g)
	r.mu.Unlock()
}

// take removes and returns the pending groups that match.
func (r *pendingGroups) take(match func(*group) bool) []*group {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*group
	for g := range r.m {
		if match(g) {
			out = append(out, g)
			delete(r.m, g)
		}
	}
	return out
}

// childOf reports whether g was set up while inst was running, i.e. may be the new
// instance of inst's reload. Unrelated instances of one process (tests) are children
// only if set up while inst ran; a pending one is committed at its own start.
func childOf(inst *caddy.Instance) func(*group) bool {
	return func(g *group) bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return slices.Contains(g.parents, inst)
	}
}

type guardKey struct{}

// guard hooks inst, once, so that its failed reload stops what the discarded new
// instance started and its shutdown after a reload commits the new instance. It runs
// during inst's reload, on the goroutine that runs it (setup of the new instance),
// before caddy reads those hook lists.
func guard(inst *caddy.Instance) {
	inst.StorageMu.Lock()
	_, done := inst.Storage[guardKey{}]
	inst.Storage[guardKey{}] = struct{}{}
	inst.StorageMu.Unlock()
	if done {
		return
	}
	inst.OnRestartFailed = append(inst.OnRestartFailed, func() error {
		for _, g := range registry.take(childOf(inst)) {
			g.stop()
		}
		return nil
	})
	// First: caddy's Restart stops at the first OnShutdown error and then runs
	// OnRestartFailed, which must not stop the new instance that already serves.
	inst.OnShutdown = append([]func() error{func() error {
		for _, g := range registry.take(childOf(inst)) {
			g.commit()
		}
		return nil
	}}, inst.OnShutdown...)
}

func init() { caddy.RegisterEventHook("coretraffic-lifecycle", started) }

// started commits the groups of an instance that caddy announces as started: a
// first start (no old instance commits it), or a reload whose old instance had no
// guard.
func started(event caddy.EventName, info any) error {
	inst, ok := info.(*caddy.Instance)
	if event != caddy.InstanceStartupEvent || !ok {
		return nil
	}
	for _, g := range registry.take(func(g *group) bool { return g.inst == inst }) {
		g.commit()
	}
	return nil
}

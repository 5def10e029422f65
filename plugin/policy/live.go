package policy

import (
	"slices"
	"sync"

	"github.com/coredns/caddy"
)

func init() { caddy.RegisterEventHook("coretraffic-policy-orphans", stopOrphans) }

// stopOrphans runs when an instance has started (or a reload completed, after the
// old instance's OnShutdown): loaders of any other instance are left over from a
// failed reload.
func stopOrphans(event caddy.EventName, info any) error {
	if event != caddy.InstanceStartupEvent {
		return nil
	}
	inst, ok := info.(*caddy.Instance)
	if !ok {
		return nil
	}
	var mine []*loader
	if g, ok := inst.Storage[loadersKey{}].(*instanceGroup); ok {
		mine = g.loaders
	}
	for _, l := range live.except(mine) {
		l.stop()
	}
	return nil
}

// live tracks the loaders that have started (OnStartup ran) and not stopped, in start
// order. Caddy discards a new instance whose reload failed after some OnStartup hooks
// ran without calling its OnShutdown. If the old instance has policy blocks, their
// OnRestartFailed hook stops every loader started after its own at once. If it has
// none (the failed reload added policy), nothing of ours runs then; the orphans are
// stopped at the next successful start, when caddy announces the instance that
// serves (InstanceStartupEvent): every live loader not of that instance is stale.
var live = &liveLoaders{seq: map[*loader]uint64{}}

type liveLoaders struct {
	mu   sync.Mutex
	next uint64
	seq  map[*loader]uint64
}

func (ll *liveLoaders) add(l *loader) {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	ll.next++
	ll.seq[l] = ll.next
}

func (ll *liveLoaders) remove(l *loader) {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	delete(ll.seq, l)
}

// newerThan returns the live loaders started after every loader of mine.
func (ll *liveLoaders) newerThan(mine []*loader) []*loader {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	var last uint64
	for _, l := range mine {
		last = max(last, ll.seq[l])
	}
	var out []*loader
	for l, s := range ll.seq {
		if s > last {
			out = append(out, l)
		}
	}
	return out
}

// except returns the live loaders not in mine.
func (ll *liveLoaders) except(mine []*loader) []*loader {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	var out []*loader
	for l := range ll.seq {
		if !slices.Contains(mine, l) {
			out = append(out, l)
		}
	}
	return out
}

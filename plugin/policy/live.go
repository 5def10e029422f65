package policy

import "sync"

// live tracks the loaders that have started (OnStartup ran) and not stopped, in start
// order. Caddy discards a new instance whose reload failed after some OnStartup hooks
// ran without calling its OnShutdown; the old instance's OnRestartFailed then stops
// every loader started after its own, so their checks and watchers do not leak.
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

package replica

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// ServedKey is the presence key under which each replica announces the revision it
// serves (decimal; -1 before its first load).
const ServedKey = "served"

// Group is a replica's view of every live replica of its store: each announces the
// revision it serves through the store's Presence, and a change is served
// everywhere (GetChange's INSYNC) when every live replica announced at least its
// revision. A replica that joined but has not loaded yet announces -1 and holds
// INSYNC back until it serves; one that dies drops out when its session ends. With
// a one-process Presence (bolt) the group is this replica alone.
type Group struct {
	r    *Replica
	p    store.Presence
	logf func(string, ...any)

	want atomic.Int64  // the newest revision published, to announce once served
	kick chan struct{} // a revision was published

	mu     sync.Mutex
	view   map[string]int64 // other members → the revision each announced
	viewed bool             // a first view has arrived
}

// NewGroup returns the group of r's replicas seen through p. Run it.
func NewGroup(r *Replica, p store.Presence, logf func(string, ...any)) *Group {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	g := &Group{r: r, p: p, logf: logf, kick: make(chan struct{}, 1)}
	g.want.Store(-1)
	return g
}

// Run announces this replica's served revision and observes the others' until ctx
// ends.
func (g *Group) Run(ctx context.Context) {
	cancel := g.r.Subscribe(func(p *Published) {
		g.want.Store(p.Served)
		select {
		case g.kick <- struct{}{}:
		default:
		}
	})
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := g.p.Observe(ctx, ServedKey, g.observe); err != nil && ctx.Err() == nil {
			g.logf("replica group: observing stopped: %v", err)
		}
	}()
	g.announce(ctx)
	<-done
}

// announce announces the newest served revision whenever one is published: the
// announcements coalesce (a burst of revisions costs one write), and a failed one
// is retried.
func (g *Group) announce(ctx context.Context) {
	const minRetry, maxRetry = 50 * time.Millisecond, 2 * time.Second
	announced, retry := int64(-2), minRetry
	var timer <-chan time.Time
	for {
		rev := g.want.Load()
		if rev != announced {
			// Subscribers run before the replica counts the revision as served.
			if !g.r.WaitServed(ctx, rev) {
				return
			}
			if err := g.p.Announce(ctx, ServedKey, []byte(strconv.FormatInt(rev, 10))); err != nil {
				if ctx.Err() != nil {
					return
				}
				timer = time.After(retry)
				retry = min(2*retry, maxRetry)
			} else {
				announced, retry, timer = rev, minRetry, nil
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-g.kick:
		case <-timer:
		}
	}
}

// observe takes a new view of the served revisions.
func (g *Group) observe(view []store.Announcement) {
	self := g.p.Member()
	m := make(map[string]int64, len(view))
	for _, a := range view {
		if a.Key != ServedKey || a.Member == self {
			continue
		}
		rev, err := strconv.ParseInt(string(a.Value), 10, 64)
		if err != nil {
			rev = -1 // a member that says nothing readable serves nothing we know of
		}
		m[a.Member] = rev
	}
	g.mu.Lock()
	g.view, g.viewed = m, true
	g.mu.Unlock()
}

// Serves reports whether every live replica serves rev or later: this one, and
// every other that announced itself. False before a first view of the others.
func (g *Group) Serves(rev int64) bool {
	if g.r.Served() < rev {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.viewed {
		return false
	}
	for _, r := range g.view {
		if r < rev {
			return false
		}
	}
	return true
}

// Members returns the revision every live replica serves, this one's by its member
// ID too, for status pages and logs.
func (g *Group) Members() map[string]int64 {
	g.mu.Lock()
	out := make(map[string]int64, len(g.view)+1)
	for m, r := range g.view {
		out[m] = r
	}
	g.mu.Unlock()
	out[g.p.Member()] = g.r.Served()
	return out
}

// Package controlplane shares, within one process, the store that a Corefile names
// and the replica that follows it: every directive naming the same store (the
// route53api directive that writes it, the policy blocks that serve it; the same
// bolt file, or etcd with the same settings) holds the same open store and the same
// replica, counted by reference, across reloads. The last release stops the replica
// and closes the store.
package controlplane

import (
	"context"
	"sync"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
)

// Plane is one store and the replica that follows it.
type Plane struct {
	Spec storespec.Spec
	// Key names the store in logs and metric labels (storespec.Spec.Key).
	Key   string
	Store store.Store
	// Presence is the store's group of replicas (bolt: this process alone).
	Presence store.Presence
	Replica  *replica.Replica
	// Group is every live replica of the store as this one sees it: GetChange's
	// INSYNC (bolt: this replica alone).
	Group *replica.Group

	contact contact
	id      string // Spec.ID, the key of planes.open
	refs    int    // guarded by planes.mu
	cancel  context.CancelFunc
	wg      sync.WaitGroup // the plane's goroutines
}

var planes = struct {
	mu   sync.Mutex // held while a store opens (up to connectTimeout)
	open map[string]*Plane
}{open: map[string]*Plane{}}

// live holds the open planes too, for metrics scraped without waiting for an open.
var live sync.Map // *Plane → struct{}

// Acquire returns the plane of the store spec names, opening the store and
// starting its replica (health checks on engine) on first use. Directives whose
// specs have the same ID share the plane. An etcd store that cannot be reached
// fails with an error naming its endpoints.
func Acquire(spec storespec.Spec, engine *hc.Engine, logf func(string, ...any)) (*Plane, error) {
	spec, err := absolute(spec)
	if err != nil {
		return nil, err
	}
	id := spec.ID()
	planes.mu.Lock()
	defer planes.mu.Unlock()
	if p, ok := planes.open[id]; ok {
		p.refs++
		return p, nil
	}
	o, err := open(spec, logf)
	if err != nil {
		return nil, err
	}
	key := spec.Key()
	ctx, cancel := context.WithCancel(context.Background())
	p := &Plane{Spec: spec, Key: key, Store: o.st, Presence: o.presence, Replica: replica.New(o.st, engine, "route53:"+key, logf),
		id: id, refs: 1, cancel: cancel}
	p.run(ctx, func(ctx context.Context) {
		if err := p.Replica.Run(ctx); err != nil && ctx.Err() == nil {
			logf("store %s: replica stopped: %v", key, err)
		}
	})
	p.Group = replica.NewGroup(p.Replica, o.presence, logf)
	p.run(ctx, p.Group.Run)
	p.contact.heard(o.heard)
	if spec.Etcd != nil {
		p.run(ctx, func(ctx context.Context) { probe(ctx, o.st, &p.contact) })
	}
	if o.keeper != nil {
		p.run(ctx, func(ctx context.Context) {
			if err := o.keeper.Run(ctx, o.st); err != nil && ctx.Err() == nil {
				logf("store %s: snapshot keeper stopped: %v", key, err)
			}
		})
	}
	planes.open[id] = p
	live.Store(p, struct{}{})
	return p, nil
}

// run runs fn in a goroutine of the plane's, which Release waits for.
func (p *Plane) run(ctx context.Context, fn func(context.Context)) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		fn(ctx)
	}()
}

// Release drops one reference; the last stops the replica and closes the store.
func (p *Plane) Release() {
	planes.mu.Lock()
	p.refs--
	last := p.refs == 0
	if last {
		delete(planes.open, p.id)
		live.Delete(p)
	}
	planes.mu.Unlock()
	if !last {
		return
	}
	p.cancel()
	p.wg.Wait()
	p.Store.Close()
}

// Open reports how many planes are open (for leak tests).
func Open() int {
	planes.mu.Lock()
	defer planes.mu.Unlock()
	return len(planes.open)
}

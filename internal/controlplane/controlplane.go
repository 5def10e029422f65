// Package controlplane shares, within one process, the store that a Corefile names
// and the replica that follows it: every directive naming the same store file (the
// route53api directive that writes it, the policy blocks that serve it) holds the
// same open store and the same replica, counted by reference, across reloads. The
// last release stops the replica and closes the store.
package controlplane

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// Plane is one store and the replica that follows it.
type Plane struct {
	Path    string
	Store   store.Store
	Replica *replica.Replica

	refs   int // guarded by planes.mu
	cancel context.CancelFunc
	done   chan struct{}
}

var planes = struct {
	mu   sync.Mutex
	open map[string]*Plane
}{open: map[string]*Plane{}}

// lockTimeout bounds the wait for the store file's lock: another process holding it
// is a configuration error, reported rather than waited on.
const lockTimeout = 2 * time.Second

// Acquire returns the plane of the store file at path, opening the store and
// starting its replica (health checks on engine) on first use.
func Acquire(path string, engine *hc.Engine, logf func(string, ...any)) (*Plane, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	planes.mu.Lock()
	defer planes.mu.Unlock()
	if p, ok := planes.open[abs]; ok {
		p.refs++
		return p, nil
	}
	st, err := boltstore.Open(abs, boltstore.Options{Timeout: lockTimeout})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", abs, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Plane{Path: abs, Store: st, Replica: replica.New(st, engine, "route53:"+abs, logf), refs: 1, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if err := p.Replica.Run(ctx); err != nil && ctx.Err() == nil {
			logf("store %s: replica stopped: %v", abs, err)
		}
	}()
	planes.open[abs] = p
	return p, nil
}

// Release drops one reference; the last stops the replica and closes the store.
func (p *Plane) Release() {
	planes.mu.Lock()
	p.refs--
	last := p.refs == 0
	if last {
		delete(planes.open, p.Path)
	}
	planes.mu.Unlock()
	if !last {
		return
	}
	p.cancel()
	<-p.done
	p.Store.Close()
}

// Open reports how many planes are open (for leak tests).
func Open() int {
	planes.mu.Lock()
	defer planes.mu.Unlock()
	return len(planes.open)
}

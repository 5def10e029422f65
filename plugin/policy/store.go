package policy

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/coredns/coredns/core/dnsserver"

	"github.com/coretraffic/coretraffic/internal/controlplane"
	"github.com/coretraffic/coretraffic/internal/storespec"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/replica"
)

// storeSource serves the hosted zones of a control-plane store (the store the
// route53api directive writes: a bolt file or etcd): the store's replica publishes a snapshot per
// revision, compiled incrementally, and the block swaps it in.
type storeSource struct {
	spec   storespec.Spec
	plane  *controlplane.Plane
	cancel func()
	prev   *loaded // the last published, its counters carried over
}

// start acquires the store's plane, waits for its first load, and serves what its
// replica publishes. A snapshot the block cannot serve (a per-client answer under
// cache) is refused with a log line and the previous one keeps serving.
func (s *storeSource) start(p *Policy, cfg *dnsserver.Config) error {
	plane, err := controlplane.Acquire(s.spec, pluginhc.Engine(), log.Warningf)
	if err != nil {
		return err
	}
	s.plane = plane
	s.cancel = plane.Replica.Subscribe(func(pub *replica.Published) {
		if err := checkChain(cfg, pub.Snap); err != nil {
			log.Errorf("store %s revision %d not served: %v", s.spec.Key(), pub.Revision, err)
			if pub.Fresh {
				// Later updates number their slots from this refused lineage: the
				// counters served now name other endpoints there, so they start anew.
				s.prev = nil
			}
			return
		}
		ld := &loaded{Data: answer.Data{Snap: pub.Snap, Counters: s.counters(pub), NewCounter: newCounter, Events: eventsFor(pub.Snap)}}
		p.snap.Store(ld)
		s.prev = ld
	})
	// OnStartup runs before the servers listen: waiting here means a (re)started
	// server answers from its data from its first query, as CoreDNS's file plugin
	// does, rather than SERVFAIL while the store loads.
	select {
	case <-plane.Replica.Settled():
	case <-time.After(firstLoadWait):
		log.Warningf("store %s: not loaded after %v: answering SERVFAIL until it is", s.spec.Key(), firstLoadWait)
	}
	return nil
}

// firstLoadWait bounds the wait for the store's first load at start-up (a variable
// for tests): a load this slow is a store in trouble, and the server starts anyway.
var firstLoadWait = 30 * time.Second

// counters are the answer counters of a published snapshot: those of the previous
// one carried over slot by slot when it is an update of it.
func (s *storeSource) counters(pub *replica.Published) []atomic.Pointer[answer.Counter] {
	out := make([]atomic.Pointer[answer.Counter], pub.Snap.Endpoints())
	if s.prev == nil || pub.Fresh {
		return out
	}
	for i := range min(len(out), len(s.prev.Counters)) {
		out[i].Store(s.prev.Counters[i].Load())
	}
	return out
}

func (s *storeSource) stop() {
	if s.cancel != nil {
		s.cancel()
	}
	if s.plane != nil {
		s.plane.Release()
	}
}

// storeExclusive is the error for a block that gives both a store and data.
func storeExclusive(where string) error {
	return fmt.Errorf("%s: store and data (or records) in one block: serve the store's hosted zones from a block of their own", where)
}

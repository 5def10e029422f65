package etcdstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/coretraffic/coretraffic/store"
)

const (
	// watchBuffer is each watch channel's capacity.
	watchBuffer = 16
	// readChunk bounds the log entries a feeder reads per etcd range.
	readChunk = 64
	// ringSize is how many recent Events the Store keeps in memory, so
	// watchers that keep up need no etcd read of their own.
	ringSize = 512
)

// Watch streams every Event after revision after: first the retained log,
// then live ones. Each watcher has its own feeder goroutine that reads from
// the ring of recent Events, or from the log in etcd when it is further
// behind, at its own pace, so Update never waits for a watcher. A watcher
// whose next Event has left the log (or whose read fails) has its channel
// closed; Watch from its last revision then says why.
func (s *Store) Watch(ctx context.Context, after int64) (<-chan store.Event, error) {
	if after < 0 {
		return nil, fmt.Errorf("etcdstore: watch after revision %d: negative", after)
	}
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.closeMu.RUnlock()
	m, err := s.readMeta(ctx)
	if err != nil {
		return nil, err
	}
	if after < m.compact {
		return nil, fmt.Errorf("%w: watch after revision %d, history starts after %d", store.ErrCompacted, after, m.compact)
	}
	ch := make(chan store.Event, watchBuffer)
	// The feeder's context also ends with the store, so Close does not
	// wait for a log read to time out.
	fctx, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(s.bg, cancel)
	s.workers.Add(1)
	go func() {
		defer cancel()
		defer unhook()
		s.feed(fctx, after+1, ch)
	}()
	return ch, nil
}

// feed sends Events from revision next on until ctx ends (as it does when
// the store closes) or the next Event cannot be read.
func (s *Store) feed(ctx context.Context, next int64, ch chan<- store.Event) {
	defer s.workers.Done()
	defer close(ch)
	for {
		wake := *s.wake.Load() // before reading rev, so no raise is missed
		cur := s.rev.Load()
		if cur < next {
			select {
			case <-wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		events, err := s.events(ctx, next, min(cur, next+readChunk-1))
		if err != nil {
			return
		}
		for _, ev := range events {
			select {
			case ch <- cloneEvent(ev):
			case <-ctx.Done():
				return
			}
		}
		next += int64(len(events))
	}
}

// events returns the Events first..last from the ring, reading the log in
// etcd from the first one the ring lacks.
func (s *Store) events(ctx context.Context, first, last int64) ([]store.Event, error) {
	out := make([]store.Event, 0, last-first+1)
	for rev := first; rev <= last; rev++ {
		ev, ok := s.ring.get(rev)
		if !ok {
			more, err := s.readLog(ctx, rev, last)
			return append(out, more...), err
		}
		out = append(out, ev)
	}
	return out, nil
}

// readLog reads the log entries first..last from etcd; a missing one is
// store.ErrCompacted.
func (s *Store) readLog(ctx context.Context, first, last int64) ([]store.Event, error) {
	rctx, cancel := s.request(ctx)
	defer cancel()
	resp, err := s.cli.Get(rctx, s.keys.log(first), clientv3.WithRange(s.keys.log(last+1)))
	if err != nil {
		return nil, s.fail(ctx, "read log", err)
	}
	out := make([]store.Event, 0, len(resp.Kvs))
	for i, kv := range resp.Kvs {
		rev, err := s.keys.logRev(kv.Key)
		if err != nil {
			return out, err
		}
		if rev != first+int64(i) {
			break
		}
		changes, err := store.DecodeChanges(kv.Value)
		if err != nil {
			return out, fmt.Errorf("etcdstore: %s: %w", kv.Key, err)
		}
		out = append(out, store.Event{Revision: rev, Changes: changes})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("log revision %d: %w", first, store.ErrCompacted)
	}
	return out, nil
}

// watchLog follows the log prefix with one etcd watch from etcd revision
// from+1, putting each new entry in the ring and raising Revision, so other
// replicas' Updates reach this Store's watchers without a read. When the
// etcd watch breaks (leader lost, etcd compacted past it) it starts again
// from a fresh read; feeders fill any gap from the log.
func (s *Store) watchLog(ctx context.Context, from int64) {
	defer s.workers.Done()
	delay := 10 * time.Millisecond
	for {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		for resp := range s.cli.Watch(wctx, s.keys.logPrefix(),
			clientv3.WithPrefix(), clientv3.WithRev(from+1), clientv3.WithFilterDelete()) {
			if resp.Err() != nil {
				break
			}
			for _, ev := range resp.Events {
				rev, err := s.keys.logRev(ev.Kv.Key)
				if err != nil {
					continue
				}
				changes, err := store.DecodeChanges(ev.Kv.Value)
				if err != nil {
					continue // feeders reading it from the log will stop there
				}
				s.ring.add(store.Event{Revision: rev, Changes: changes})
				s.raise(rev)
			}
			from = resp.Header.Revision
			delay = 10 * time.Millisecond
		}
		cancel() // ends the etcd watch when the loop above broke out of it
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
		if m, err := s.readMeta(ctx); err == nil {
			from = m.etcdRev
		}
	}
}

// ring holds the newest Events by revision.
type ring struct {
	mu     sync.Mutex
	events [ringSize]store.Event
}

func (r *ring) add(ev store.Event) {
	r.mu.Lock()
	r.events[ev.Revision%ringSize] = ev
	r.mu.Unlock()
}

func (r *ring) get(rev int64) (store.Event, bool) {
	r.mu.Lock()
	ev := r.events[rev%ringSize]
	r.mu.Unlock()
	return ev, ev.Revision == rev && rev > 0
}

// cloneEvent copies ev's changes, so watchers sharing a ring entry cannot
// see each other's edits.
func cloneEvent(ev store.Event) store.Event {
	changes := make([]store.Change, len(ev.Changes))
	for i, c := range ev.Changes {
		changes[i] = c
		if c.Value != nil {
			changes[i].Value = append([]byte{}, c.Value...)
		}
	}
	return store.Event{Revision: ev.Revision, Changes: changes}
}

package etcdstore

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/coretraffic/coretraffic/store"
)

// Observe calls fn with every live member's keys under prefix, sorted by
// Member then Key: at once (after a first read), then after every change,
// from one etcd watch on the prefix. When etcd cannot be reached it retries
// with backoff and fn waits; the last view stands. It returns ctx's error
// when ctx ends, or store.ErrClosed when the Store closes.
func (s *Store) Observe(ctx context.Context, prefix string, fn func([]store.Announcement)) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	s.closeMu.RUnlock()
	octx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.bg, cancel)()
	base := s.keys.presencePrefix(prefix)
	delay := 10 * time.Millisecond
	for octx.Err() == nil {
		rctx, rcancel := s.request(octx)
		resp, err := s.cli.Get(rctx, base, clientv3.WithPrefix())
		rcancel()
		if err == nil {
			view := map[string]store.Announcement{}
			for _, kv := range resp.Kvs {
				s.keys.addAnnouncement(view, kv.Key, kv.Value)
			}
			deliver(view, fn)
			if s.observe(octx, base, resp.Header.Revision, view, fn) {
				delay = 10 * time.Millisecond
			}
		}
		select {
		case <-octx.Done():
		case <-time.After(delay):
			delay = min(2*delay, time.Second)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return store.ErrClosed
}

// observe applies the etcd watch on base from etcd revision rev+1 to view,
// delivering each change, until the watch breaks; it reports whether any
// change came.
func (s *Store) observe(ctx context.Context, base string, rev int64, view map[string]store.Announcement, fn func([]store.Announcement)) bool {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	progressed := false
	for resp := range s.cli.Watch(wctx, base, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
		if resp.Err() != nil {
			break
		}
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypeDelete {
				delete(view, string(ev.Kv.Key))
				continue
			}
			s.keys.addAnnouncement(view, ev.Kv.Key, ev.Kv.Value)
		}
		if len(resp.Events) > 0 {
			deliver(view, fn)
			progressed = true
		}
	}
	return progressed
}

// deliver calls fn with a sorted copy of view.
func deliver(view map[string]store.Announcement, fn func([]store.Announcement)) {
	out := make([]store.Announcement, 0, len(view))
	for _, a := range view {
		a.Value = append([]byte{}, a.Value...)
		out = append(out, a)
	}
	store.SortAnnouncements(out)
	fn(out)
}

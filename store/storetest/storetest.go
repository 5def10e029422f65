// Package storetest is the conformance suite every store.Store backend runs,
// so the embedded bbolt store and the etcd store keep the same semantics:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … a fresh, empty store … })
//	}
//
// open must return a new, empty store for each call that retains at least
// 1,000 revisions of history, and may register its own cleanup; the suite
// closes stores it is done with (Close is idempotent).
// The compaction tests need the backend to implement store.Compactor and are
// skipped, visibly, otherwise.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// wait bounds every wait for an Event, so a broken backend fails instead of
// hanging the test binary.
const wait = 10 * time.Second

// Run runs the whole suite against the backend that open creates.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name string
		run  func(*testing.T, func(*testing.T) store.Store)
	}{
		{"Update", testUpdate},
		{"Scan", testScan},
		{"Watch", testWatch},
		{"Concurrent", testConcurrent},
		{"Close", testClose},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, open) })
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// put commits one Update setting kv pairs given as key, value, key, value…
func put(t *testing.T, s store.Store, kv ...string) int64 {
	t.Helper()
	rev, err := s.Update(ctxFor(t), func(tx store.Tx) error {
		for i := 0; i+1 < len(kv); i += 2 {
			if err := tx.Put(kv[i], []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update %v: %v", kv, err)
	}
	return rev
}

// del commits one Update deleting keys.
func del(t *testing.T, s store.Store, keys ...string) int64 {
	t.Helper()
	rev, err := s.Update(ctxFor(t), func(tx store.Tx) error {
		for _, k := range keys {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update delete %v: %v", keys, err)
	}
	return rev
}

// dump returns every key=value under prefix, in Scan order, and the revision.
func dump(t *testing.T, s store.Store, prefix string) ([]string, int64) {
	t.Helper()
	var out []string
	rev, err := s.View(ctxFor(t), func(r store.Reader) error {
		return r.Scan(prefix, "", func(k string, v []byte) bool {
			out = append(out, k+"="+string(v))
			return true
		})
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	return out, rev
}

// recv returns the next Event or fails after wait.
func recv(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("watch channel closed, want an Event")
		}
		return ev
	case <-time.After(wait):
		t.Fatalf("no Event within %v", wait)
	}
	return store.Event{}
}

// closedSoon fails unless ch is closed (after draining buffered Events) within wait.
func closedSoon(t *testing.T, ch <-chan store.Event) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("watch channel not closed within %v", wait)
		}
	}
}

// describe renders an Event for comparisons and messages.
func describe(ev store.Event) string {
	s := fmt.Sprintf("rev %d:", ev.Revision)
	for _, c := range ev.Changes {
		if c.Deleted {
			s += " -" + c.Key
		} else {
			s += " " + c.Key + "=" + string(c.Value)
		}
	}
	return s
}

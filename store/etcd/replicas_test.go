package etcdstore_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// TestTwoStoresOneTruth runs writers on two Store instances over the same
// prefix, as two replicas would: each Update's read-modify-write of a
// counter must apply exactly once although fn reruns on conflicts, and both
// instances' watchers see the same Events in the same order.
func TestTwoStoresOneTruth(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	a := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix})
	b := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wa, err := a.Watch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.Watch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}

	const writers, each = 4, 15 // per store
	var runs atomic.Int64
	var wg sync.WaitGroup
	for _, s := range []*etcdstore.Store{a, b} {
		for g := range writers {
			wg.Go(func() {
				for i := range each {
					_, err := s.Update(ctx, func(tx store.Tx) error {
						runs.Add(1)
						v, _, err := tx.Get("count")
						if err != nil {
							return err
						}
						n, _ := strconv.Atoi(string(v))
						if err := tx.Put("count", []byte(strconv.Itoa(n+1))); err != nil {
							return err
						}
						return tx.Put(fmt.Sprintf("w/%p/%d/%02d", s, g, i), []byte(strconv.Itoa(n+1)))
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	const total = 2 * writers * each
	for _, s := range []*etcdstore.Store{a, b} {
		var count []byte
		rev, err := s.View(ctx, func(r store.Reader) error {
			count, _, err = r.Get("count")
			return err
		})
		if err != nil || rev != total || string(count) != strconv.Itoa(total) {
			t.Fatalf("View = count %s at revision %d, %v; want %d at %d", count, rev, err, total, total)
		}
	}
	if runs.Load() <= total {
		t.Logf("fn ran %d times for %d Updates: no conflict happened", runs.Load(), total)
	} else {
		t.Logf("fn ran %d times for %d Updates", runs.Load(), total)
	}
	for r := int64(1); r <= total; r++ {
		ea, eb := next(t, wa), next(t, wb)
		if ea.Revision != r || fmt.Sprint(ea) != fmt.Sprint(eb) {
			t.Fatalf("Event %d: store a saw %v, store b %v", r, ea, eb)
		}
		if string(ea.Changes[0].Value) != strconv.FormatInt(r, 10) {
			t.Fatalf("Event %d sets count to %s", r, ea.Changes[0].Value)
		}
	}
	if a.Revision() != total || b.Revision() != total {
		t.Fatalf("Revision() = %d and %d, want %d", a.Revision(), b.Revision(), total)
	}
}

func next(t *testing.T, ch <-chan store.Event) store.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no Event within 10s")
	}
	return store.Event{}
}

// TestEtcdCompaction compacts etcd's own history under two stores: Watch
// replays from the store's log keys, which are live data to etcd, and the
// other store's Revision follows the write through its etcd watch.
func TestEtcdCompaction(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	a := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix})
	b := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 1; i <= 5; i++ {
		if _, err := putKV(ctx, a, "k", strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := a.Client().Get(ctx, "any")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Client().Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatalf("etcd compact: %v", err)
	}
	rev, err := putKV(ctx, a, "k", "6")
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); b.Revision() != rev; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("store b Revision() = %d, a wrote %d", b.Revision(), rev)
		}
	}
	ch, err := b.Watch(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for r := int64(1); r <= rev; r++ {
		if ev := next(t, ch); ev.Revision != r || string(ev.Changes[0].Value) != strconv.FormatInt(r, 10) {
			t.Fatalf("Event %d after etcd compaction = %v", r, ev)
		}
	}
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

func testConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	t.Run("UpdatesExactlyOnce", func(t *testing.T) {
		s := open(t)
		ch, err := s.Watch(ctxFor(t), 0)
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 8, 15
		revs := make(chan int64, writers*each)
		var wg sync.WaitGroup
		for g := range writers {
			wg.Go(func() {
				for i := range each {
					rev, err := s.Update(ctxFor(t), func(tx store.Tx) error {
						// read-modify-write: lost updates show in the final count
						v, _, err := tx.Get("count")
						if err != nil {
							return err
						}
						n, _ := strconv.Atoi(string(v))
						if err := tx.Put("count", []byte(strconv.Itoa(n+1))); err != nil {
							return err
						}
						return tx.Put(fmt.Sprintf("g/%d/%02d", g, i), []byte(strconv.Itoa(n+1)))
					})
					if err != nil {
						t.Error(err)
						return
					}
					revs <- rev
				}
			})
		}
		wg.Wait()
		close(revs)
		const total = writers * each
		seen := make(map[int64]bool)
		for rev := range revs {
			if rev < 1 || rev > total || seen[rev] {
				t.Fatalf("Update returned revision %d twice or out of 1..%d", rev, total)
			}
			seen[rev] = true
		}
		keys := make(map[string]bool)
		for r := int64(1); r <= total; r++ {
			ev := recv(t, ch)
			if ev.Revision != r || len(ev.Changes) != 2 || ev.Changes[0].Key != "count" || string(ev.Changes[0].Value) != strconv.FormatInt(r, 10) {
				t.Fatalf("Event %d = %q, want count=%d and one g/ key", r, describe(ev), r)
			}
			k := ev.Changes[1].Key
			if keys[k] {
				t.Fatalf("key %s in two Events", k)
			}
			keys[k] = true
		}
		kvs, rev := dump(t, s, "g/")
		if rev != total || len(kvs) != total || len(keys) != total {
			t.Fatalf("after %d Updates: %d g/ keys at revision %d, %d distinct keys in Events", total, len(kvs), rev, len(keys))
		}
		if v, _ := dump(t, s, "count"); len(v) != 1 || v[0] != "count="+strconv.Itoa(total) {
			t.Fatalf("count = %v, want %d (an Update was lost or doubled)", v, total)
		}
	})

	t.Run("ViewIsOneRevision", func(t *testing.T) {
		s := open(t)
		const n = 60
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				var prev int64
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := checkView(s, &prev); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		for i := 1; i <= n; i++ {
			v := strconv.Itoa(i)
			put(t, s, "v/a", v, "v/b", v, "v/c", v)
		}
		close(stop)
		wg.Wait()
		var prev int64
		if err := checkView(s, &prev); err != nil || prev != n {
			t.Fatalf("final View: revision %d, %v", prev, err)
		}
	})
}

// checkView reads v/a, v/b, v/c in one View: Update r set all three to r, so
// they must agree with each other and with the revision, which never goes back.
func checkView(s store.Store, prev *int64) error {
	var vals []string
	rev, err := s.View(context.Background(), func(r store.Reader) error {
		vals = vals[:0]
		return r.Scan("v/", "", func(_ string, v []byte) bool { vals = append(vals, string(v)); return true })
	})
	if err != nil {
		return err
	}
	if rev < *prev {
		return fmt.Errorf("View revision went back from %d to %d", *prev, rev)
	}
	*prev = rev
	if rev == 0 {
		if len(vals) != 0 {
			return fmt.Errorf("revision 0 shows %v", vals)
		}
		return nil
	}
	want := strconv.FormatInt(rev, 10)
	if len(vals) != 3 || vals[0] != want || vals[1] != want || vals[2] != want {
		return fmt.Errorf("View at revision %d sees %v, want three %s", rev, vals, want)
	}
	if cur := s.Revision(); cur < rev {
		return errors.New("Revision() below a revision View already returned")
	}
	return nil
}

func testClose(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1")
	ch, err := s.Watch(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	closedSoon(t, ch)
	if _, err := s.View(ctxFor(t), func(store.Reader) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Update(ctxFor(t), func(tx store.Tx) error { return tx.Put("b", nil) }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Watch(ctxFor(t), 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Watch after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

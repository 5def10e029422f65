package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

func testWatch(t *testing.T, open func(*testing.T) store.Store) {
	// five Updates: rev r sets k<r>=<r>; rev 3 also deletes k1.
	fill := func(t *testing.T) store.Store {
		s := open(t)
		for r := 1; r <= 5; r++ {
			_, err := s.Update(ctxFor(t), func(tx store.Tx) error {
				if r == 3 {
					if err := tx.Delete("k1"); err != nil {
						return err
					}
				}
				return tx.Put(fmt.Sprintf("k%d", r), fmt.Appendf(nil, "%d", r))
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	want := map[int64]string{1: "rev 1: k1=1", 2: "rev 2: k2=2", 3: "rev 3: -k1 k3=3", 4: "rev 4: k4=4", 5: "rev 5: k5=5", 6: "rev 6: live=6"}

	for _, after := range []int64{0, 3, 5} {
		t.Run(fmt.Sprintf("ReplayAfter%dThenLive", after), func(t *testing.T) {
			s := fill(t)
			ch, err := s.Watch(ctxFor(t), after)
			if err != nil {
				t.Fatal(err)
			}
			for r := after + 1; r <= 5; r++ {
				if got := describe(recv(t, ch)); got != want[r] {
					t.Fatalf("Event %d = %q, want %q", r, got, want[r])
				}
			}
			put(t, s, "live", "6")
			if got := describe(recv(t, ch)); got != want[6] {
				t.Fatalf("live Event = %q, want %q", got, want[6])
			}
		})
	}

	t.Run("FutureRevisionWaits", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1")
		ch, err := s.Watch(ctxFor(t), 3)
		if err != nil {
			t.Fatal(err)
		}
		put(t, s, "b", "2")
		put(t, s, "c", "3")
		put(t, s, "d", "4")
		if got := describe(recv(t, ch)); got != "rev 4: d=4" {
			t.Fatalf("first Event = %q, want rev 4", got)
		}
	})

	t.Run("CancelClosesChannel", func(t *testing.T) {
		s := fill(t)
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := s.Watch(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		closedSoon(t, ch)
		if _, err := s.Watch(ctx, 0); err == nil {
			t.Fatal("Watch with a canceled ctx succeeded")
		}
	})

	t.Run("SlowWatcherDoesNotBlockUpdates", func(t *testing.T) {
		s := open(t)
		ch, err := s.Watch(ctxFor(t), 0)
		if err != nil {
			t.Fatal(err)
		}
		const n = 150 // far beyond any sane per-watcher buffer
		ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
		defer cancel()
		for i := 1; i <= n; i++ {
			if _, err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("k", fmt.Appendf(nil, "%d", i)) }); err != nil {
				t.Fatalf("Update %d with an unread watcher: %v", i, err)
			}
		}
		got := drainContiguous(t, ch, 0, n)
		if got != n {
			// The backend gave up on the watcher: resuming must say why.
			if _, err := s.Watch(ctxFor(t), got); !errors.Is(err, store.ErrCompacted) {
				t.Fatalf("watcher stopped at %d of %d; Watch(%d) = %v, want ErrCompacted or the rest", got, n, got, err)
			}
		}
	})

	t.Run("Compacted", func(t *testing.T) {
		s := open(t)
		c, ok := s.(store.Compactor)
		if !ok {
			t.Skip("backend does not implement store.Compactor")
		}
		early, err := s.Watch(ctxFor(t), 0)
		if err != nil {
			t.Fatal(err)
		}
		const n = 200
		for i := 1; i <= n; i++ {
			put(t, s, "k", fmt.Sprint(i))
		}
		if err := c.Compact(ctxFor(t), 150); err != nil {
			t.Fatal(err)
		}
		for _, after := range []int64{0, 1, 149} {
			if _, err := s.Watch(ctxFor(t), after); !errors.Is(err, store.ErrCompacted) {
				t.Errorf("Watch(%d) after Compact(150) = %v, want ErrCompacted", after, err)
			}
		}
		ch, err := s.Watch(ctxFor(t), 150)
		if err != nil {
			t.Fatalf("Watch(150) after Compact(150): %v", err)
		}
		if ev := recv(t, ch); describe(ev) != "rev 151: k=151" {
			t.Fatalf("first Event after the compaction point = %q", describe(ev))
		}
		// The watcher opened before the compaction gets an unbroken run of
		// Events, then either all of them or a closed channel whose resume
		// reports ErrCompacted.
		if got := drainContiguous(t, early, 0, n); got != n {
			if _, err := s.Watch(ctxFor(t), got); !errors.Is(err, store.ErrCompacted) {
				t.Fatalf("early watcher stopped at %d; Watch(%d) = %v, want ErrCompacted", got, got, err)
			}
		}
		if err := c.Compact(ctxFor(t), n+1); err == nil {
			t.Error("Compact above the current revision succeeded")
		}
	})
}

// drainContiguous reads ch until revision upto, until it closes or until it
// stays quiet for a second, checks revisions follow after without gaps, and
// returns the last one.
func drainContiguous(t *testing.T, ch <-chan store.Event, after, upto int64) int64 {
	t.Helper()
	last := after
	for last < upto {
		select {
		case ev, ok := <-ch:
			if !ok {
				return last
			}
			if ev.Revision != last+1 {
				t.Fatalf("Event revision %d after %d: gap or reorder", ev.Revision, last)
			}
			last = ev.Revision
		case <-time.After(time.Second):
			return last
		}
	}
	return last
}

package boltstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/coretraffic/coretraffic/store"
	"github.com/coretraffic/coretraffic/store/storetest"
)

func openTemp(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, Options{}) })
}

func TestSlowWatcherPastHistory(t *testing.T) {
	s := openTemp(t, Options{History: 8})
	ch, err := s.Watch(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	putN(t, s, 1, 200) // the feeder holds at most a channel and a chunk
	last := int64(0)
	for ev := range ch {
		if ev.Revision != last+1 {
			t.Fatalf("Event %d after %d", ev.Revision, last)
		}
		last = ev.Revision
	}
	if last >= 200 {
		t.Fatalf("a watcher 200 revisions behind with History 8 got every Event")
	}
	if _, err := s.Watch(context.Background(), last); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("resume at %d = %v, want ErrCompacted", last, err)
	}
}

func putN(t *testing.T, s store.Store, from, to int) {
	t.Helper()
	for i := from; i <= to; i++ {
		_, err := s.Update(context.Background(), func(tx store.Tx) error {
			return tx.Put(fmt.Sprintf("k/%04d", i), fmt.Appendf(nil, "%d", i))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path, Options{History: 100})
	if err != nil {
		t.Fatal(err)
	}
	putN(t, s, 1, 30)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.db.NoSync {
		t.Fatal("bbolt NoSync is on: Update would acknowledge batches that are not on disk")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	s, err = Open(path, Options{History: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Revision() != 30 {
		t.Fatalf("reopened Revision() = %d, want 30", s.Revision())
	}
	ch, err := s.Watch(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for r := int64(11); r <= 30; r++ {
		ev := <-ch
		if ev.Revision != r || len(ev.Changes) != 1 || ev.Changes[0].Key != fmt.Sprintf("k/%04d", r) {
			t.Fatalf("replayed Event %+v, want revision %d", ev, r)
		}
	}
	putN(t, s, 31, 31)
	if ev := <-ch; ev.Revision != 31 {
		t.Fatalf("live Event after reopen: revision %d, want 31", ev.Revision)
	}
	n := 0
	rev, err := s.View(context.Background(), func(r store.Reader) error {
		return r.Scan("k/", "", func(string, []byte) bool { n++; return true })
	})
	if err != nil || rev != 31 || n != 31 {
		t.Fatalf("View after reopen: %d keys at %d, %v", n, rev, err)
	}
}

func TestHistoryBoundsTheLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path, Options{History: 10})
	if err != nil {
		t.Fatal(err)
	}
	putN(t, s, 1, 25)
	ctx := context.Background()
	if _, err := s.Watch(ctx, 14); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("Watch(14) with History 10 at revision 25 = %v, want ErrCompacted", err)
	}
	if _, err := s.Watch(ctx, 15); err != nil {
		t.Fatalf("Watch(15) with History 10 at revision 25: %v", err)
	}
	if n := logLen(t, s); n != 10 {
		t.Fatalf("log holds %d entries, want 10", n)
	}
	s.Close()

	// Reopening with less history trims at once; with more it cannot bring
	// back what is gone.
	s, err = Open(path, Options{History: 4})
	if err != nil {
		t.Fatal(err)
	}
	if n := logLen(t, s); n != 4 {
		t.Fatalf("after reopening with History 4: %d log entries", n)
	}
	s.Close()
	s, err = Open(path, Options{History: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Watch(ctx, 20); !errors.Is(err, store.ErrCompacted) {
		t.Fatalf("Watch(20) after History 4 = %v, want ErrCompacted", err)
	}
	if _, err := s.Watch(ctx, 21); err != nil {
		t.Fatal(err)
	}
}

func logLen(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(btx *bolt.Tx) error {
		return btx.Bucket(bucketLog).ForEach(func(_, _ []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "x.db"), Options{History: -1}); err == nil {
		t.Error("Open with History -1 succeeded")
	}
	if _, err := Open(filepath.Join(dir, "missing", "x.db"), Options{}); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
	path := filepath.Join(dir, "locked.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(path, Options{Timeout: 50 * time.Millisecond}); err == nil {
		t.Error("second Open of a locked file succeeded")
	}
	if _, err := s.Watch(context.Background(), -1); err == nil {
		t.Error("Watch(-1) succeeded")
	}
}

func TestUpdateQueuedGivesUpWithContext(t *testing.T) {
	s := openTemp(t, Options{})
	hold, held := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := s.Update(context.Background(), func(tx store.Tx) error {
			close(held)
			<-hold
			return tx.Put("first", nil)
		})
		first <- err
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ran := false
	if _, err := s.Update(ctx, func(tx store.Tx) error { ran = true; return tx.Put("second", nil) }); !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("queued Update whose ctx ended: err %v, fn ran %v; want DeadlineExceeded without running", err, ran)
	}
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if s.Revision() != 1 {
		t.Fatalf("Revision() = %d, want 1 (only the first Update)", s.Revision())
	}
}

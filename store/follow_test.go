package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// mirror is a Follower holding a copy of the store.
type mirror struct {
	mu      sync.Mutex
	data    map[string]string
	pending map[string]string
	rev     int64
	loads   int
	gate    chan struct{} // when set, Apply waits for a token
}

func (m *mirror) Load(r store.Reader) error {
	next := make(map[string]string)
	err := r.Scan("", "", func(k string, v []byte) bool { next[k] = string(v); return true })
	m.mu.Lock()
	m.pending = next
	m.mu.Unlock()
	return err
}

func (m *mirror) Loaded(rev int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data, m.pending, m.rev = m.pending, nil, rev
	m.loads++
	return nil
}

func (m *mirror) Apply(ev store.Event) error {
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev.Revision != m.rev+1 {
		return fmt.Errorf("Apply(%d) at %d", ev.Revision, m.rev)
	}
	for _, c := range ev.Changes {
		if c.Deleted {
			delete(m.data, c.Key)
		} else {
			m.data[c.Key] = string(c.Value)
		}
	}
	m.rev = ev.Revision
	return nil
}

func (m *mirror) state() (int64, map[string]string, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rev, maps.Clone(m.data), m.loads
}

func snapshot(t *testing.T, s store.Store) (int64, map[string]string) {
	t.Helper()
	data := make(map[string]string)
	rev, err := s.View(context.Background(), func(r store.Reader) error {
		return r.Scan("", "", func(k string, v []byte) bool { data[k] = string(v); return true })
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev, data
}

func update(t *testing.T, s store.Store, i int) {
	t.Helper()
	_, err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.Delete(fmt.Sprintf("k%d", i-3)); err != nil {
			return err
		}
		return tx.Put(fmt.Sprintf("k%d", i), fmt.Appendf(nil, "v%d", i))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls until m serves revision rev.
func waitFor(t *testing.T, m *mirror, rev int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _, _ := m.state()
		if got == rev {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("follower at revision %d, want %d", got, rev)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFollow(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{History: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		update(t, s, i)
	}
	m := &mirror{gate: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- store.Follow(ctx, s, m) }()

	// Loaded at 5, then live Events.
	waitFor(t, m, 5)
	for i := 6; i <= 8; i++ {
		update(t, s, i)
		m.gate <- struct{}{}
	}
	waitFor(t, m, 8)

	// Fall far behind an 8-revision history: the follower must reload.
	for i := 9; i <= 120; i++ {
		update(t, s, i)
	}
	close(m.gate) // let Apply run freely
	waitFor(t, m, 120)
	rev, data, loads := m.state()
	wantRev, want := snapshot(t, s)
	if rev != wantRev || !maps.Equal(data, want) {
		t.Fatalf("follower at %d holds %v; store at %d holds %v", rev, data, wantRev, want)
	}
	if loads < 2 {
		t.Fatalf("follower loaded %d times; falling behind the history must reload", loads)
	}

	update(t, s, 121)
	waitFor(t, m, 121)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Follow after Close = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after Close")
	}
}

func TestFollowStopsWithContext(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "s.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := &mirror{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- store.Follow(ctx, s, m) }()
	update(t, s, 1)
	waitFor(t, m, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v, want context.Canceled", err)
	}
}

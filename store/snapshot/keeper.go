package snapshot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// DefaultInterval is how often, at most, a Keeper rewrites its file.
const DefaultInterval = 5 * time.Second

// Keeper is a store.Follower that keeps the store's data in memory and writes it
// to a snapshot file at most once per interval, when the revision moved, and once
// more when it stops: the file trails the store by at most an interval. Run it
// with store.Follow beside the replica (Run does both).
type Keeper struct {
	name     string
	path     string
	interval time.Duration
	logf     func(string, ...any)

	mu      sync.Mutex
	data    map[string][]byte
	loading map[string][]byte // built by Load, in force at Loaded
	rev     int64
	written int64 // the revision in the file
	heard   time.Time
	failing bool // the last write failed (logged once until one succeeds)
}

// NewKeeper returns a keeper of the file at path for the store called name
// (Snapshot.Store); written is the revision the file holds already (-1: none), so
// an unchanged store is not rewritten. logf reports failed writes (nil: silent).
func NewKeeper(name, path string, interval time.Duration, written int64, logf func(string, ...any)) *Keeper {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Keeper{name: name, path: path, interval: interval, logf: logf, data: map[string][]byte{}, rev: -1, written: written}
}

// Run follows st and writes the file until ctx ends, then writes it a last time.
func (k *Keeper) Run(ctx context.Context, st store.Store) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(k.interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				k.Flush()
			}
		}
	}()
	err := store.Follow(ctx, st, k)
	<-done
	k.Flush()
	return err
}

// Load reads the whole store.
func (k *Keeper) Load(r store.Reader) error {
	m := map[string][]byte{}
	err := r.Scan("", "", func(key string, value []byte) bool {
		m[key] = append([]byte(nil), value...)
		return true
	})
	k.mu.Lock()
	k.loading = m
	k.mu.Unlock()
	return err
}

// Loaded puts the loaded data in force at rev.
func (k *Keeper) Loaded(rev int64) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.data, k.loading, k.rev, k.heard = k.loading, nil, rev, time.Now()
	return nil
}

// Apply applies one Event.
func (k *Keeper) Apply(ev store.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range ev.Changes {
		if c.Deleted {
			delete(k.data, c.Key)
		} else {
			k.data[c.Key] = c.Value // the Event is Follow's own copy
		}
	}
	k.rev, k.heard = ev.Revision, time.Now()
	return nil
}

// Flush writes the file now if the revision moved since the last write.
func (k *Keeper) Flush() {
	k.mu.Lock()
	if k.rev < 0 || k.rev == k.written {
		k.mu.Unlock()
		return
	}
	s := &Snapshot{Store: k.name, Revision: k.rev, Written: k.heard, KVs: make([]store.KV, 0, len(k.data))}
	for key, v := range k.data {
		s.KVs = append(s.KVs, store.KV{Key: key, Value: v}) // values are never changed in place
	}
	k.mu.Unlock()
	slices.SortFunc(s.KVs, func(a, b store.KV) int { return strings.Compare(a.Key, b.Key) })
	err := Write(k.path, s)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		if !k.failing {
			k.logf("snapshot %s: revision %d not written: %v", k.path, s.Revision, err)
		}
		k.failing = true
		return
	}
	k.failing = false
	k.written = s.Revision
}

// Applied is the revision of the data in memory (-1: not loaded yet).
func (k *Keeper) Applied() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rev
}

// Written is the revision in the file (-1: none yet).
func (k *Keeper) Written() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.written
}

var _ store.Follower = (*Keeper)(nil)

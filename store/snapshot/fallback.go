package snapshot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// Opener opens the store a Fallback stands for; it fails with the reason the store
// cannot be reached.
type Opener func(ctx context.Context) (store.Store, error)

// Retry bounds of a Fallback's attempts to open its store.
const (
	firstRetry = 100 * time.Millisecond
	maxRetry   = 5 * time.Second
	// openTimeout bounds one attempt.
	openTimeout = 5 * time.Second
)

// Fallback is a store.Store that serves a snapshot (read-only, at the snapshot's
// revision) until the store it stands for opens, and from then on is that store.
// A replica following it loads the snapshot at once and serves it; once the store
// opens, the replica's Watch continues from the snapshot's revision with the
// store's own Events (or reloads, when the store no longer holds that history or
// holds less than the snapshot: a store recreated empty).
//
// Until then Update, Watch and Presence's Announce fail with store.ErrUnavailable
// and Observe waits. It is also a store.Presence once its store is one.
type Fallback struct {
	snap   *Snapshot
	what   string // the store, for errors and logs
	member string
	logf   func(string, ...any)

	mu    sync.RWMutex
	inner store.Store // nil until opened
	ready chan struct{}

	stop context.CancelFunc
	done chan struct{}
}

// NewFallback serves snap and opens the store with open in the background, until
// it succeeds, logging the first failure and the success. what names the store
// (endpoints) in errors; member is its presence member ID (the one the opened
// store will use).
func NewFallback(snap *Snapshot, what, member string, open Opener, logf func(string, ...any)) *Fallback {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fallback{snap: snap, what: what, member: member, logf: logf, ready: make(chan struct{}), stop: cancel, done: make(chan struct{})}
	logf("store %s: starting from the local snapshot of revision %d (last heard from the store %s) while reaching it",
		what, snap.Revision, snap.Written.UTC().Format(time.RFC3339))
	go f.connect(ctx, open)
	return f
}

// connect opens the store, retrying with backoff, until it opens or ctx ends.
func (f *Fallback) connect(ctx context.Context, open Opener) {
	defer close(f.done)
	delay := firstRetry
	for attempt := 1; ; attempt++ {
		octx, cancel := context.WithTimeout(ctx, openTimeout)
		st, err := open(octx)
		cancel()
		if err == nil {
			f.mu.Lock()
			f.inner = st
			f.snap = nil // the store serves reads now; the copy's memory goes
			f.mu.Unlock()
			close(f.ready)
			f.logf("store %s reached (attempt %d) at revision %d: following it", f.what, attempt, st.Revision())
			return
		}
		if attempt == 1 {
			f.logf("store %s unreachable, serving the local snapshot of revision %d meanwhile: %v; retrying", f.what, f.snap.Revision, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// Store returns the opened store, nil before.
func (f *Fallback) Store() store.Store {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.inner
}

// Ready is closed once the store has opened.
func (f *Fallback) Ready() <-chan struct{} { return f.ready }

func (f *Fallback) unavailable(op string) error {
	return fmt.Errorf("%w: %s: store %s not reached yet (serving the local snapshot)", store.ErrUnavailable, op, f.what)
}

// View reads the store, or the snapshot before the store opens.
func (f *Fallback) View(ctx context.Context, fn func(store.Reader) error) (int64, error) {
	f.mu.RLock()
	inner, snap := f.inner, f.snap
	f.mu.RUnlock()
	if inner != nil {
		return inner.View(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := fn(reader{snap.KVs}); err != nil {
		return 0, err
	}
	return snap.Revision, nil
}

// Update writes to the store; before it opens, store.ErrUnavailable.
func (f *Fallback) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	if inner := f.Store(); inner != nil {
		return inner.Update(ctx, fn)
	}
	return 0, f.unavailable("update")
}

// Watch watches the store. A revision above the store's means the store is not
// the one the snapshot came from (recreated, or another cluster): ErrCompacted,
// so the follower reloads rather than wait for revisions that mean other data.
func (f *Fallback) Watch(ctx context.Context, after int64) (<-chan store.Event, error) {
	inner := f.Store()
	if inner == nil {
		return nil, f.unavailable("watch")
	}
	if cur := inner.Revision(); after > cur {
		return nil, fmt.Errorf("%w: the local snapshot is at revision %d, the store %s at %d", store.ErrCompacted, after, f.what, cur)
	}
	return inner.Watch(ctx, after)
}

// Revision is the store's, or the snapshot's before it opens.
func (f *Fallback) Revision() int64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.inner != nil {
		return f.inner.Revision()
	}
	return f.snap.Revision
}

// Close stops connecting and closes the store if it opened.
func (f *Fallback) Close() error {
	f.stop()
	<-f.done
	if inner := f.Store(); inner != nil {
		return inner.Close()
	}
	return nil
}

// Member is the presence member ID given to NewFallback.
func (f *Fallback) Member() string { return f.member }

func (f *Fallback) presence() (store.Presence, error) {
	inner := f.Store()
	if inner == nil {
		return nil, f.unavailable("presence")
	}
	p, ok := inner.(store.Presence)
	if !ok {
		return nil, errors.New("snapshot: the store has no presence")
	}
	return p, nil
}

// Announce announces through the store; before it opens, store.ErrUnavailable.
func (f *Fallback) Announce(ctx context.Context, key string, value []byte) error {
	p, err := f.presence()
	if err != nil {
		return err
	}
	return p.Announce(ctx, key, value)
}

// Withdraw withdraws through the store; before it opens, store.ErrUnavailable.
func (f *Fallback) Withdraw(ctx context.Context, key string) error {
	p, err := f.presence()
	if err != nil {
		return err
	}
	return p.Withdraw(ctx, key)
}

// Observe waits for the store to open, then observes through it.
func (f *Fallback) Observe(ctx context.Context, prefix string, fn func([]store.Announcement)) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-f.ready:
	}
	p, err := f.presence()
	if err != nil {
		return err
	}
	return p.Observe(ctx, prefix, fn)
}

var (
	_ store.Store    = (*Fallback)(nil)
	_ store.Presence = (*Fallback)(nil)
)

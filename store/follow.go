package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Follower is a consumer that Follow keeps in step with a store, such as the
// query path's compiled policies or a replica's view of the data.
type Follower interface {
	// Load rebuilds the follower's state from a whole snapshot; it runs
	// inside View, so it should only read and build. The new state is not in
	// force until Loaded.
	Load(r Reader) error
	// Loaded puts the state built by the last Load in force at revision rev.
	Loaded(rev int64) error
	// Apply applies the next Event, whose Revision is one above the last.
	Apply(ev Event) error
}

// Follow delivers s to f until ctx ends: one Load/Loaded, then Apply for
// every later Event in order. When the watch channel closes early it resumes
// from the last revision applied, and when that history is compacted it loads
// a fresh snapshot, so f never misses or repeats an Event. ErrUnavailable
// from the store is retried with backoff (up to a second); f's errors,
// ErrClosed and ctx's error end Follow and are returned.
func Follow(ctx context.Context, s Store, f Follower) error {
	const minDelay, maxDelay = 10 * time.Millisecond, time.Second
	delay := minDelay
	rev := int64(-1) // nothing loaded yet
	for {
		if rev < 0 {
			r, err := s.View(ctx, f.Load)
			if err != nil {
				if errors.Is(err, ErrUnavailable) && pause(ctx, &delay, maxDelay) {
					continue
				}
				return err
			}
			if err := f.Loaded(r); err != nil {
				return err
			}
			rev = r
		}
		next, err := followFrom(ctx, s, f, rev)
		switch {
		case errors.Is(err, ErrCompacted):
			rev = -1
			continue
		case err != nil && !errors.Is(err, ErrUnavailable):
			return err
		}
		if next > rev {
			rev, delay = next, minDelay
			continue
		}
		// No progress: the stream broke at once or the store is unreachable.
		if !pause(ctx, &delay, maxDelay) {
			return ctx.Err()
		}
	}
}

// followFrom applies Events after rev until the watch channel closes, and
// returns the last revision applied.
func followFrom(ctx context.Context, s Store, f Follower, rev int64) (int64, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel() // a feeder left blocked on a send gives up
	ch, err := s.Watch(wctx, rev)
	if err != nil {
		return rev, err
	}
	for ev := range ch {
		if ev.Revision != rev+1 {
			return rev, fmt.Errorf("store: Follow: Event revision %d after %d", ev.Revision, rev)
		}
		if err := f.Apply(ev); err != nil {
			return rev, err
		}
		rev = ev.Revision
	}
	return rev, ctx.Err()
}

// pause waits *delay (doubling it up to max) and reports whether ctx is still live.
func pause(ctx context.Context, delay *time.Duration, limit time.Duration) bool {
	t := time.NewTimer(*delay)
	defer t.Stop()
	*delay = min(2**delay, limit)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

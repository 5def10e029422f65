package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/coretraffic/coretraffic/store"
)

const (
	// watchBuffer is each watch channel's capacity.
	watchBuffer = 16
	// readChunk bounds the revisions a feeder reads per bbolt transaction, so
	// read transactions stay short (a long one holds up the file's growth).
	readChunk = 64
)

// Watch streams every Event after revision after. Each watcher has its own
// feeder goroutine that reads Events back from the log at the watcher's pace,
// so Update never waits for a watcher and no Event is held in memory for one.
// A watcher that falls more than Options.History revisions behind has its
// channel closed; Watch from its last revision then returns ErrCompacted.
func (s *Store) Watch(ctx context.Context, after int64) (<-chan store.Event, error) {
	if after < 0 {
		return nil, fmt.Errorf("boltstore: watch after revision %d: negative", after)
	}
	if err := s.enter(ctx); err != nil {
		return nil, err
	}
	defer s.closeMu.RUnlock()
	if compact := s.compact.Load(); after < compact {
		return nil, fmt.Errorf("%w: watch after revision %d, history starts after %d", store.ErrCompacted, after, compact)
	}
	ch := make(chan store.Event, watchBuffer)
	s.feeders.Add(1)
	go s.feed(ctx, after+1, ch)
	return ch, nil
}

// feed sends Events from revision next on until ctx ends, the store closes or
// the log no longer has the next Event.
func (s *Store) feed(ctx context.Context, next int64, ch chan<- store.Event) {
	defer s.feeders.Done()
	defer close(ch)
	for {
		wake := *s.wake.Load() // before reading rev, so no publish is missed
		cur := s.rev.Load()
		if cur < next {
			select {
			case <-wake:
				continue
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
		last := min(cur, next+readChunk-1)
		events, err := s.readLog(next, last)
		if err != nil {
			return // compacted under the watcher: it resumes and learns ErrCompacted
		}
		for _, ev := range events {
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			case <-s.done:
				return
			}
		}
		next = last + 1
	}
}

// readLog returns the Events from revision first to last, or an error when
// one of them is not in the log.
func (s *Store) readLog(first, last int64) ([]store.Event, error) {
	events := make([]store.Event, 0, last-first+1)
	err := s.db.View(func(btx *bolt.Tx) error {
		c := btx.Bucket(bucketLog).Cursor()
		k, v := c.Seek(revKey(first))
		for rev := first; rev <= last; rev++ {
			if k == nil || len(k) != 8 || int64(binary.BigEndian.Uint64(k)) != rev {
				return fmt.Errorf("log revision %d: %w", rev, store.ErrCompacted)
			}
			changes, err := store.DecodeChanges(v)
			if err != nil {
				return fmt.Errorf("log revision %d: %w", rev, err)
			}
			events = append(events, store.Event{Revision: rev, Changes: changes})
			k, v = c.Next()
		}
		return nil
	})
	return events, err
}

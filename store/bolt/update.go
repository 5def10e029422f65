package boltstore

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/coretraffic/coretraffic/store"
)

// errNothing rolls back an Update whose fn changed nothing, so that it costs
// no write, no fsync and no revision.
var errNothing = errors.New("nothing to commit")

// errFinished refuses a Tx used after its Update's fn returned.
var errFinished = errors.New("boltstore: Tx used after the Update's fn returned")

// Update runs fn in one bbolt read-write transaction and returns the new
// revision once the commit is fsync'd. fn's error is returned as is, with
// nothing written.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	defer s.closeMu.RUnlock()
	// Our own writer slot rather than bbolt's lock alone: it can be waited
	// for with ctx, and it keeps commit and publish in revision order.
	if err := s.acquireWriter(ctx); err != nil {
		return 0, err
	}
	defer func() { <-s.writer }()

	var (
		fnErr        error
		rev, compact int64
	)
	err := s.db.Update(func(btx *bolt.Tx) error {
		t := newTxn(btx.Bucket(bucketKV))
		fnErr = fn(t)
		t.finished = true
		if fnErr != nil {
			return fnErr
		}
		changes := t.changes()
		if len(changes) == 0 {
			return errNothing
		}
		if err := ctx.Err(); err != nil {
			fnErr = err
			return err
		}
		// The file, not memory, says which revision comes next.
		cur, curCompact, err := readMeta(btx)
		if err != nil {
			return err
		}
		rev = cur + 1
		if err := putUint(btx.Bucket(bucketMeta), metaRev, rev); err != nil {
			return err
		}
		if err := btx.Bucket(bucketLog).Put(revKey(rev), store.EncodeChanges(changes)); err != nil {
			return fmt.Errorf("log revision %d: %w", rev, err)
		}
		compact, err = trimLog(btx, curCompact, rev-s.history)
		return err
	})
	switch {
	case fnErr != nil:
		return 0, fnErr
	case errors.Is(err, errNothing):
		return s.rev.Load(), nil
	case err != nil:
		return 0, fmt.Errorf("boltstore: update: %w", err)
	}
	s.publish(rev, compact)
	return rev, nil
}

func (s *Store) acquireWriter(ctx context.Context) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		<-s.writer
		return err
	}
	return nil
}

// txn is the store.Tx of one Update: bbolt's bucket plus the record of which
// keys fn touched, in order, from which the Event is built.
type txn struct {
	reader
	order    []string
	touched  map[string]*pending
	finished bool // fn has returned; later writes are refused
}

// pending is one touched key: whether it existed before the Update and its
// state now.
type pending struct {
	existed bool
	deleted bool
	value   []byte
}

func newTxn(b *bolt.Bucket) *txn {
	t := &txn{touched: make(map[string]*pending)}
	t.b = b
	t.writes = new(int)
	return t
}

// Put sets key to a copy of value.
func (t *txn) Put(key string, value []byte) error {
	if err := t.writable(key); err != nil {
		return err
	}
	v := append(make([]byte, 0, len(value)), value...)
	p := t.touch(key)
	if err := t.b.Put([]byte(key), v); err != nil {
		return fmt.Errorf("boltstore: put %q: %w", key, err)
	}
	p.deleted, p.value = false, v
	*t.writes++
	return nil
}

// Delete removes key if it exists.
func (t *txn) Delete(key string) error {
	if err := t.writable(key); err != nil {
		return err
	}
	if !t.exists(key) {
		return nil
	}
	p := t.touch(key)
	if err := t.b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("boltstore: delete %q: %w", key, err)
	}
	p.deleted, p.value = true, nil
	*t.writes++
	return nil
}

// Get reads key, seeing this Update's own writes.
func (t *txn) Get(key string) ([]byte, bool, error) {
	if t.finished {
		return nil, false, errFinished
	}
	return t.reader.Get(key)
}

// Scan walks keys, seeing this Update's own writes.
func (t *txn) Scan(prefix, after string, fn func(key string, value []byte) bool) error {
	if t.finished {
		return errFinished
	}
	return t.reader.Scan(prefix, after, fn)
}

func (t *txn) writable(key string) error {
	if t.finished {
		return fmt.Errorf("write of %q: %w", key, errFinished)
	}
	if key == "" {
		return store.ErrEmptyKey
	}
	return nil
}

// touch returns key's record, creating it (and noting whether the key existed
// before this Update) on first write.
func (t *txn) touch(key string) *pending {
	if p, ok := t.touched[key]; ok {
		return p
	}
	p := &pending{existed: t.exists(key)}
	t.touched[key] = p
	t.order = append(t.order, key)
	return p
}

// changes is the Event's content: the final state of every touched key in
// first-write order, without keys that neither existed before nor exist now.
func (t *txn) changes() []store.Change {
	out := make([]store.Change, 0, len(t.order))
	for _, key := range t.order {
		p := t.touched[key]
		switch {
		case !p.deleted:
			out = append(out, store.Change{Key: key, Value: p.value})
		case p.existed:
			out = append(out, store.Change{Key: key, Deleted: true})
		}
	}
	return out
}

var _ store.Tx = (*txn)(nil)

// Package boltstore is the embedded store.Store: one bbolt file holding the
// keys, the revision and a bounded change log that Watch replays from.
//
// Layout of the file:
//
//	kv    key → value                          (the data)
//	meta  "rev" → uint64 BE                    (last committed revision)
//	      "compact" → uint64 BE                (highest revision no longer in log)
//	log   uint64 BE revision → encoded changes (Options.History newest revisions)
//
// Every Update is one bbolt read-write transaction that writes the keys, the
// revision and the log entry together, so a crash at any moment leaves either
// the whole batch or none of it. bbolt's NoSync stays false: a commit returns
// only after fdatasync, and Update acknowledges only after that commit.
package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/coretraffic/coretraffic/store"
)

// DefaultHistory is the number of revisions kept for Watch when Options.History is 0.
const DefaultHistory = 10000

var (
	bucketKV   = []byte("kv")
	bucketMeta = []byte("meta")
	bucketLog  = []byte("log")
	metaRev    = []byte("rev")
	metaCompac = []byte("compact")
)

// Options tune Open; the zero value is ready to use.
type Options struct {
	// History is how many of the newest revisions' changes are kept for Watch
	// (0 = DefaultHistory). A watcher further behind gets store.ErrCompacted.
	History int
	// Timeout bounds the wait for the file lock held by another process
	// (0 = wait forever).
	Timeout time.Duration
}

// Store is the bbolt-backed store.Store. Create it with Open.
type Store struct {
	db      *bolt.DB
	history int64

	rev     atomic.Int64 // last committed revision
	compact atomic.Int64 // revisions <= compact are gone from the log
	wake    atomic.Pointer[chan struct{}]

	writer chan struct{} // one Update at a time, waitable with a context

	closeMu sync.RWMutex // held shared by View/Update/Watch, exclusive by Close
	closed  bool
	done    chan struct{} // closed by Close; stops watch feeders
	feeders sync.WaitGroup
}

// Open opens or creates the store file at path (mode 0600).
func Open(path string, opts Options) (*Store, error) {
	if opts.History < 0 {
		return nil, fmt.Errorf("boltstore: History %d: must be 0 (default) or positive", opts.History)
	}
	history := int64(opts.History)
	if history == 0 {
		history = DefaultHistory
	}
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, os.ErrNotExist)

	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, NoSync: false})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	if created {
		// A new file's directory entry must be durable too, or a power loss
		// could lose the whole file along with acknowledged batches.
		if err := syncDir(filepath.Dir(path)); err != nil {
			db.Close()
			return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
		}
	}
	s := &Store{db: db, history: history, writer: make(chan struct{}, 1), done: make(chan struct{})}
	wake := make(chan struct{})
	s.wake.Store(&wake)

	err = db.Update(func(btx *bolt.Tx) error {
		for _, name := range [][]byte{bucketKV, bucketMeta, bucketLog} {
			if _, err := btx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		rev, compact, err := readMeta(btx)
		if err != nil {
			return err
		}
		// A smaller History than last time trims the log now.
		compact, err = trimLog(btx, compact, rev-history)
		if err != nil {
			return err
		}
		s.rev.Store(rev)
		s.compact.Store(compact)
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return s, nil
}

// Revision returns the latest committed revision: at least the revision of
// every View and Update that has returned.
func (s *Store) Revision() int64 { return s.rev.Load() }

// raiseRev lifts the published revision to rev, which a View has just seen
// committed; publish would store the same value moments later. Keeps
// Revision() from lagging behind what View returned.
func (s *Store) raiseRev(rev int64) {
	for {
		cur := s.rev.Load()
		if cur >= rev || s.rev.CompareAndSwap(cur, rev) {
			return
		}
	}
}

// Path returns the file's path.
func (s *Store) Path() string { return s.db.Path() }

// Close closes every watch channel, waits for running View and Update calls
// and closes the file. It must not be called from inside View or Update.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.closeMu.Unlock()
	s.feeders.Wait()
	return s.db.Close()
}

// enter admits one View, Update or Watch unless the store is closed; the
// caller calls s.closeMu.RUnlock when done.
func (s *Store) enter(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.closeMu.RLock()
	if s.closed {
		s.closeMu.RUnlock()
		return store.ErrClosed
	}
	return nil
}

// publish makes revision rev visible and wakes every watch feeder.
func (s *Store) publish(rev, compact int64) {
	s.compact.Store(compact)
	s.rev.Store(rev)
	next := make(chan struct{})
	old := s.wake.Swap(&next)
	close(*old)
}

func readMeta(btx *bolt.Tx) (rev, compact int64, err error) {
	meta := btx.Bucket(bucketMeta)
	if rev, err = readUint(meta, metaRev); err != nil {
		return 0, 0, err
	}
	if compact, err = readUint(meta, metaCompac); err != nil {
		return 0, 0, err
	}
	if compact > rev {
		return 0, 0, fmt.Errorf("meta: compact revision %d above revision %d", compact, rev)
	}
	return rev, compact, nil
}

func readUint(b *bolt.Bucket, key []byte) (int64, error) {
	v := b.Get(key)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("meta %q: %d bytes, want 8", key, len(v))
	}
	n := binary.BigEndian.Uint64(v)
	if n > 1<<62 {
		return 0, fmt.Errorf("meta %q: %d out of range", key, n)
	}
	return int64(n), nil
}

func putUint(b *bolt.Bucket, key []byte, n int64) error {
	return b.Put(key, revKey(n))
}

// revKey is a revision as a log key: 8 bytes big-endian, so byte order is
// numeric order.
func revKey(rev int64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(rev))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

var (
	_ store.Store     = (*Store)(nil)
	_ store.Compactor = (*Store)(nil)
)

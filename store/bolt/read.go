package boltstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"

	"github.com/coretraffic/coretraffic/store"
)

// View runs fn in a bbolt read transaction: one consistent snapshot whose
// revision it returns.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) (int64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	defer s.closeMu.RUnlock()
	var rev int64
	err := s.db.View(func(btx *bolt.Tx) error {
		var err error
		if rev, _, err = readMeta(btx); err != nil {
			return err
		}
		s.raiseRev(rev)
		return fn(reader{b: btx.Bucket(bucketKV)})
	})
	if err != nil {
		return 0, err
	}
	return rev, nil
}

// reader is store.Reader over the kv bucket. In a read-write transaction
// writes counts fn's writes, so that Scan can re-seek after its callback wrote
// (a bbolt cursor is not valid across writes to its bucket).
type reader struct {
	b      *bolt.Bucket
	writes *int
}

// Get returns a copy of key's value.
func (r reader) Get(key string) ([]byte, bool, error) {
	k, v := r.b.Cursor().Seek([]byte(key))
	if k == nil || string(k) != key {
		return nil, false, nil
	}
	return append(make([]byte, 0, len(v)), v...), true, nil
}

func (r reader) exists(key string) bool {
	k, _ := r.b.Cursor().Seek([]byte(key))
	return k != nil && string(k) == key
}

// Scan walks the keys with prefix after `after` in byte order.
func (r reader) Scan(prefix, after string, fn func(key string, value []byte) bool) error {
	start := prefix
	if after > prefix {
		start = after
	}
	c := r.b.Cursor()
	p := []byte(prefix)
	k, v := c.Seek([]byte(start))
	if after != "" && k != nil && string(k) == after {
		k, v = c.Next()
	}
	for k != nil && bytes.HasPrefix(k, p) {
		key := string(k)
		before := r.writeCount()
		if !fn(key, v) {
			return nil
		}
		if r.writeCount() != before {
			k, v = c.Seek([]byte(key))
			if k != nil && string(k) == key {
				k, v = c.Next()
			}
			continue
		}
		k, v = c.Next()
	}
	return nil
}

func (r reader) writeCount() int {
	if r.writes == nil {
		return 0
	}
	return *r.writes
}

var _ store.Reader = reader{}

package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Compact drops the change log up to and including rev, so Watch from below
// rev returns store.ErrCompacted. Updates trim the log to Options.History on
// their own; Compact is for tests and operators that want less. Compacting at
// or below the current compaction point does nothing; above the current
// revision is an error.
func (s *Store) Compact(ctx context.Context, rev int64) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.closeMu.RUnlock()
	if err := s.acquireWriter(ctx); err != nil {
		return err
	}
	defer func() { <-s.writer }()

	cur := s.rev.Load()
	if rev > cur {
		return fmt.Errorf("boltstore: compact to revision %d: above current revision %d", rev, cur)
	}
	if rev <= s.compact.Load() {
		return nil
	}
	var compact int64
	err := s.db.Update(func(btx *bolt.Tx) error {
		var err error
		compact, err = trimLog(btx, s.compact.Load(), rev)
		return err
	})
	if err != nil {
		return fmt.Errorf("boltstore: compact to revision %d: %w", rev, err)
	}
	s.publish(cur, compact)
	return nil
}

// trimLog deletes log entries up to and including upto and records the new
// compaction point, which it returns; it never moves the point backwards.
func trimLog(btx *bolt.Tx, compact, upto int64) (int64, error) {
	if upto <= compact {
		return compact, nil
	}
	c := btx.Bucket(bucketLog).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if len(k) != 8 {
			return 0, fmt.Errorf("log: key %x is not a revision", k)
		}
		if int64(binary.BigEndian.Uint64(k)) > upto {
			break
		}
		if err := c.Delete(); err != nil {
			return 0, err
		}
	}
	if err := putUint(btx.Bucket(bucketMeta), metaCompac, upto); err != nil {
		return 0, err
	}
	return upto, nil
}

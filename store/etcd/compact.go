package etcdstore

import (
	"context"
	"fmt"
)

// Compact drops the log up to and including rev, so Watch from below rev
// returns store.ErrCompacted. Updates trim the log to Options.History on
// their own; Compact is for tests and operators that want less. It does not
// compact etcd itself (etcd's --auto-compaction does). At or below the
// current compaction point it does nothing; above the current revision it
// is an error.
func (s *Store) Compact(ctx context.Context, rev int64) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.closeMu.RUnlock()
	for {
		m, err := s.readMeta(ctx)
		if err != nil {
			return err
		}
		if rev > m.rev {
			return fmt.Errorf("etcdstore: compact to revision %d: above current revision %d", rev, m.rev)
		}
		if rev <= m.compact {
			return nil
		}
		rctx, cancel := s.request(ctx)
		resp, err := s.cli.Txn(rctx).If(s.unchanged(m)...).Then(s.trimOps(m.compact, rev)...).Commit()
		cancel()
		if err != nil {
			return s.fail(ctx, fmt.Sprintf("compact to revision %d", rev), err)
		}
		if resp.Succeeded {
			return nil
		}
	}
}

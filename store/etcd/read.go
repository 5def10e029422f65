package etcdstore

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/coretraffic/coretraffic/store"
)

// scanPage is how many keys one etcd range of a Scan returns.
const scanPage = 256

// View runs fn on the store as of one etcd revision (read linearizably at
// the start) and returns the store revision of that snapshot. fn's reads are
// etcd requests; etcd compacting that revision while fn runs fails them.
func (s *Store) View(ctx context.Context, fn func(store.Reader) error) (int64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	defer s.closeMu.RUnlock()
	m, err := s.readMeta(ctx)
	if err != nil {
		return 0, err
	}
	if err := fn(reader{s: s, ctx: ctx, at: m.etcdRev}); err != nil {
		return 0, err
	}
	return m.rev, nil
}

// reader is store.Reader at etcd revision at.
type reader struct {
	s   *Store
	ctx context.Context
	at  int64
}

// Get returns a copy of key's value at the reader's revision.
func (r reader) Get(key string) ([]byte, bool, error) {
	rctx, cancel := r.s.request(r.ctx)
	defer cancel()
	resp, err := r.s.cli.Get(rctx, r.s.keys.data(key), clientv3.WithRev(r.at))
	if err != nil {
		return nil, false, r.s.fail(r.ctx, "get "+key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, false, nil
	}
	return append([]byte{}, resp.Kvs[0].Value...), true, nil
}

// Scan walks the keys with prefix after `after` in byte order, a page of
// etcd range at a time.
func (r reader) Scan(prefix, after string, fn func(key string, value []byte) bool) error {
	start := r.s.keys.data(prefix)
	if after >= prefix {
		start = r.s.keys.data(after) + "\x00"
	}
	end := clientv3.GetPrefixRangeEnd(r.s.keys.data(prefix))
	for start < end {
		rctx, cancel := r.s.request(r.ctx)
		resp, err := r.s.cli.Get(rctx, start, clientv3.WithRange(end), clientv3.WithRev(r.at),
			clientv3.WithLimit(scanPage), clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
		cancel()
		if err != nil {
			return r.s.fail(r.ctx, "scan "+prefix, err)
		}
		for _, kv := range resp.Kvs {
			if !fn(r.s.keys.userKey(kv.Key), kv.Value) {
				return nil
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return nil
		}
		start = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	return nil
}

var _ store.Reader = reader{}

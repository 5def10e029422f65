package etcdstore

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/coretraffic/coretraffic/store"
)

// request derives one etcd request's context from the caller's, bounded by
// Options.RequestTimeout.
func (s *Store) request(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(clientv3.WithRequireLeader(ctx), s.timeout)
}

// fail turns an etcd error into this package's: the caller's own ctx error
// as is, an unreachable cluster or lost quorum as store.ErrUnavailable
// naming the endpoints, anything else wrapped with the operation.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if unavailable(err) {
		return fmt.Errorf("%w: etcd %s: %s: %v", store.ErrUnavailable, s.where, op, err)
	}
	return fmt.Errorf("etcdstore: %s at %s: %w", op, s.where, err)
}

// unavailable reports errors that mean no answer from a quorum: the request
// timed out (ours or etcd's), no endpoint answers, or there is no leader.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, clientv3.ErrNoAvailableEndpoints) {
		return true
	}
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		return ee.Code() == codes.Unavailable || ee.Code() == codes.DeadlineExceeded
	}
	if st, ok := status.FromError(err); ok {
		// A server whose own copy of our deadline ran out (a linearizable
		// read waiting for a quorum that is gone) answers Unknown.
		return st.Code() == codes.Unavailable || st.Code() == codes.DeadlineExceeded ||
			st.Code() == codes.Unknown && strings.Contains(st.Message(), context.DeadlineExceeded.Error())
	}
	return false
}

func loadCA(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("etcdstore: TLS CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("etcdstore: TLS CA %s: no PEM certificate", file)
	}
	return pool, nil
}

// meta is the store's bookkeeping as read at one etcd revision.
type meta struct {
	etcdRev            int64 // the etcd revision of the read
	rev, compact       int64
	revMod, compactMod int64 // mod revisions of m/rev and m/compact (0 = absent)
}

// readMeta reads m/rev and m/compact with one linearizable range; its etcd
// revision is the snapshot View and Update read at.
func (s *Store) readMeta(ctx context.Context) (meta, error) {
	rctx, cancel := s.request(ctx)
	defer cancel()
	resp, err := s.cli.Get(rctx, s.keys.meta(), clientv3.WithPrefix())
	if err != nil {
		return meta{}, s.fail(ctx, "read revision", err)
	}
	m := meta{etcdRev: resp.Header.Revision}
	for _, kv := range resp.Kvs {
		n, err := parseRev(kv.Key, kv.Value)
		if err != nil {
			return meta{}, err
		}
		switch string(kv.Key) {
		case s.keys.rev():
			m.rev, m.revMod = n, kv.ModRevision
		case s.keys.compact():
			m.compact, m.compactMod = n, kv.ModRevision
		}
	}
	if m.compact > m.rev {
		return meta{}, fmt.Errorf("etcdstore: %s: compact revision %d above revision %d", s.keys.meta(), m.compact, m.rev)
	}
	s.raise(m.rev)
	return m, nil
}

// Package etcdstore is the store.Store kept in etcd, for many replicas that
// share one truth. Every key lives under Options.Prefix:
//
//	d/<key>          the data
//	m/rev            this store's revision (decimal)
//	m/compact        highest revision whose log entry is gone (decimal)
//	log/<revision>   the Event of that revision, bolt's log encoding
//	p/<key>/<member> a member's presence key (store.Presence), under its lease
//
// etcd's own revision counts every write in the cluster, so this package's
// revision is the m/rev key, and each Update is one etcd transaction that
// writes the data, bumps m/rev, appends its log entry and trims the log to
// Options.History entries. The transaction commits only if m/rev and
// m/compact still have the mod revisions they had when fn's reads were made
// (fn reads at that one etcd revision): every writing Update changes m/rev,
// so any two Updates that overlap conflict and the later one reruns fn.
// That is optimistic concurrency across replicas, serializable by
// construction.
//
// Watch replays from the log keys in this package's numbering, not from etcd's
// history, so etcd's own compaction never breaks a watcher; live Events come
// from one etcd watch per Store on the log prefix, kept in a small ring, and
// each watcher reads back from the ring or the log at its own pace.
//
// # Presence
//
// The Store is also a store.Presence. Its session is one etcd lease of
// Options.PresenceTTL (DefaultPresenceTTL), granted on the first Announce and
// kept alive by the client; every key the member announces is written as
// p/<key>/<member> with that lease, the member last so that one range or
// watch on p/<prefix> sees a key prefix across all members. Close revokes
// the lease, so a member that shuts down vanishes at once; one that dies, or
// is cut off from the cluster for longer than the TTL, vanishes when etcd
// expires the lease. When this member finds its lease gone (it was cut off
// and comes back), it grants a new one and writes all its keys again.
// Presence keys are outside d/, m/ and log/: announcing neither moves the
// revision nor produces an Event. Observe is one range then one watch on the
// prefix, giving the whole view after each change.
//
// etcd limits a transaction to --max-txn-ops operations (128 by default) and
// a request to --max-request-bytes (1.5 MiB): an Update writes one operation
// per changed key plus up to four, so large batches need those raised.
package etcdstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/coretraffic/coretraffic/store"
)

// Defaults for the zero Options fields.
const (
	DefaultHistory        = 10000
	DefaultDialTimeout    = 5 * time.Second
	DefaultRequestTimeout = 5 * time.Second
)

// Options configure Open. Endpoints (or Client) is required.
type Options struct {
	// Endpoints are the etcd client URLs, e.g. https://10.0.0.1:2379.
	Endpoints []string
	// Prefix is put before every key, so several stores share a cluster;
	// it should end in "/".
	Prefix string
	// DialTimeout bounds the first connection (0 = DefaultDialTimeout).
	DialTimeout time.Duration
	// RequestTimeout bounds each etcd request, so an unreachable cluster
	// yields store.ErrUnavailable rather than a wait as long as ctx
	// (0 = DefaultRequestTimeout).
	RequestTimeout time.Duration
	// CertFile and KeyFile are the client certificate for TLS client
	// authentication; CAFile verifies the server. Any of them turns TLS on.
	CertFile, KeyFile, CAFile string
	// Username and Password authenticate to etcd (etcd auth enabled).
	Username, Password string
	// History is how many revisions' Events are kept for Watch
	// (0 = DefaultHistory).
	History int
	// Member is this replica's presence member ID, unique among live
	// members and without "/" ("" = host name, PID and a random suffix).
	Member string
	// PresenceTTL is the presence lease's TTL, in whole seconds
	// (0 = DefaultPresenceTTL): how long a dead or cut-off member stays in
	// the others' view.
	PresenceTTL time.Duration
	// Client, when set, is used instead of dialing Endpoints, and Close
	// leaves it open.
	Client *clientv3.Client
}

// Store is the etcd-backed store.Store. Create it with Open.
type Store struct {
	cli     *clientv3.Client
	ownCli  bool
	keys    layout
	history int64
	timeout time.Duration
	where   string // endpoints, for error messages
	pres    *presence

	rev  atomic.Int64 // highest revision known committed
	wake atomic.Pointer[chan struct{}]
	ring ring // recent Events, filled by Update and the etcd watch

	// writer lets one Update of this Store run at a time: concurrent ones would
	// only conflict on m/rev and rerun (bench/replicas: four clients of one API
	// acknowledged fewer batches per second than one).
	writer chan struct{}

	closeMu sync.RWMutex // held shared by View/Update/Watch, exclusive by Close
	closed  bool
	bg      context.Context // ends with Close
	stop    context.CancelFunc
	workers sync.WaitGroup // watch feeders and the etcd watch loop
}

// Open connects to etcd and reads the store's revision, so an unreachable
// cluster is reported at once (store.ErrUnavailable, naming the endpoints).
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.History < 0 {
		return nil, fmt.Errorf("etcdstore: History %d: must be 0 (default) or positive", opts.History)
	}
	s := &Store{
		keys:    layout{prefix: opts.Prefix},
		history: int64(opts.History),
		timeout: opts.RequestTimeout,
		writer:  make(chan struct{}, 1),
	}
	pres, err := newPresence(s, opts.Member, opts.PresenceTTL)
	if err != nil {
		return nil, err
	}
	s.pres = pres
	if s.history == 0 {
		s.history = DefaultHistory
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	s.cli = opts.Client
	if s.cli == nil {
		cli, err := dial(opts)
		if err != nil {
			return nil, err
		}
		s.cli, s.ownCli = cli, true
	}
	s.where = strings.Join(s.cli.Endpoints(), ",")
	wake := make(chan struct{})
	s.wake.Store(&wake)

	m, err := s.readMeta(ctx)
	if err != nil {
		if s.ownCli {
			s.cli.Close()
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, store.ErrUnavailable) {
			if why := diagnose(opts); why != nil {
				return nil, why
			}
		}
		return nil, err
	}
	s.rev.Store(m.rev)
	s.bg, s.stop = context.WithCancel(context.Background())
	s.workers.Add(1)
	go s.watchLog(s.bg, m.etcdRev)
	return s, nil
}

func dial(opts Options) (*clientv3.Client, error) {
	if len(opts.Endpoints) == 0 {
		return nil, errors.New("etcdstore: no endpoints")
	}
	cfg := clientv3.Config{
		Endpoints:   opts.Endpoints,
		DialTimeout: opts.DialTimeout,
		Username:    opts.Username,
		Password:    opts.Password,
		Logger:      zap.NewNop(),
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if opts.CertFile != "" || opts.KeyFile != "" || opts.CAFile != "" {
		tc, err := tlsConfig(opts.CertFile, opts.KeyFile, opts.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.TLS = tc
	}
	cli, err := clientv3.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("etcdstore: connect to %s: %w", strings.Join(opts.Endpoints, ","), err)
	}
	return cli, nil
}

// tlsConfig loads the client certificate (if any) and the CA (if any).
func tlsConfig(cert, key, ca string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if (cert == "") != (key == "") {
		return nil, errors.New("etcdstore: TLS: CertFile and KeyFile go together")
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("etcdstore: TLS: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if ca != "" {
		pool, err := loadCA(ca)
		if err != nil {
			return nil, err
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// Revision returns the highest revision known committed: at least every
// revision a View, Update or Watch of this Store has seen, and, through the
// etcd watch, other replicas' Updates moments after they commit.
func (s *Store) Revision() int64 { return s.rev.Load() }

// raise lifts Revision to rev and wakes the watch feeders.
func (s *Store) raise(rev int64) {
	for {
		cur := s.rev.Load()
		if cur >= rev {
			return
		}
		if s.rev.CompareAndSwap(cur, rev) {
			break
		}
	}
	next := make(chan struct{})
	old := s.wake.Swap(&next)
	close(*old)
}

// Client returns the etcd client, for callers that keep leases beside the
// store (replica registration, health observations).
func (s *Store) Client() *clientv3.Client { return s.cli }

// Close closes every watch channel, waits for running calls and closes the
// client when Open dialed it. It must not be called from inside View or
// Update.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	s.stop()
	s.closeMu.Unlock()
	s.workers.Wait()
	if s.ownCli {
		return s.cli.Close()
	}
	return nil
}

// enter admits one call unless the store is closed; the caller calls
// s.closeMu.RUnlock when done.
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

var (
	_ store.Store     = (*Store)(nil)
	_ store.Compactor = (*Store)(nil)
	_ store.Presence  = (*Store)(nil)
)

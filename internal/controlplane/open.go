package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/snapshot"
)

// lockTimeout bounds the wait for the store file's lock: another process holding it
// is a configuration error, reported rather than waited on.
const lockTimeout = 2 * time.Second

// connectTimeout bounds the first contact with etcd at start-up (a variable for
// tests).
var connectTimeout = 5 * time.Second

// absolute makes the spec's files absolute, so two spellings of one file share a
// plane (and bolt's lock is never taken twice by one process).
func absolute(spec storespec.Spec) (storespec.Spec, error) {
	if spec.Etcd != nil {
		if spec.Etcd.Snapshot == "" {
			return spec, nil
		}
		e := *spec.Etcd
		abs, err := filepath.Abs(e.Snapshot)
		if err != nil {
			return spec, err
		}
		e.Snapshot = abs
		spec.Etcd = &e
		return spec, nil
	}
	abs, err := filepath.Abs(spec.File)
	if err != nil {
		return spec, err
	}
	spec.File = abs
	return spec, nil
}

// opened is an open store and what comes with it.
type opened struct {
	st       store.Store
	presence store.Presence
	keeper   *snapshot.Keeper // set when the spec names a snapshot file
	heard    time.Time        // when the data was last heard from the store
}

// open opens the store spec names. An etcd store with a snapshot file that holds a
// snapshot starts from it at once and reaches etcd in the background; without one,
// etcd must answer now.
func open(spec storespec.Spec, logf func(string, ...any)) (*opened, error) {
	if spec.Etcd == nil {
		st, err := boltstore.Open(spec.File, boltstore.Options{Timeout: lockTimeout})
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", spec.File, err)
		}
		return &opened{st: st, presence: store.NewLocalPresence(""), heard: time.Now()}, nil
	}
	e := spec.Etcd
	opts := etcdOptions(e)
	dial := func(ctx context.Context) (store.Store, error) { return etcdstore.Open(ctx, opts) }
	if e.Snapshot == "" {
		return openEtcd(spec, dial)
	}
	snap, err := snapshot.Read(e.Snapshot)
	if err == nil && snap.Store != e.Prefix {
		err = fmt.Errorf("snapshot %s holds the data of prefix %q, not %q", e.Snapshot, snap.Store, e.Prefix)
	}
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			logf("store %s: %v: not used", spec.Key(), err)
		}
		o, err := openEtcd(spec, dial)
		if err != nil {
			return nil, err
		}
		o.keeper = snapshot.NewKeeper(e.Prefix, e.Snapshot, 0, -1, logf)
		return o, nil
	}
	fb := snapshot.NewFallback(snap, strings.Join(e.Endpoints, ","), opts.Member, dial, logf)
	return &opened{st: fb, presence: fb, keeper: snapshot.NewKeeper(e.Prefix, e.Snapshot, 0, snap.Revision, logf), heard: snap.Written}, nil
}

// openEtcd opens etcd now or fails naming it.
func openEtcd(spec storespec.Spec, dial snapshot.Opener) (*opened, error) {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	st, err := dial(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w: no answer within %v", store.ErrUnavailable, connectTimeout)
	}
	if err != nil {
		return nil, unreachable(spec, err)
	}
	return &opened{st: st, presence: st.(store.Presence), heard: time.Now()}, nil
}

// etcdOptions maps the Corefile's settings onto the etcd store's.
func etcdOptions(e *storespec.Etcd) etcdstore.Options {
	member := e.Name
	if member == "" {
		member = store.DefaultMember()
	}
	return etcdstore.Options{
		Endpoints: e.Endpoints,
		Prefix:    e.Prefix,
		CertFile:  e.CertFile, KeyFile: e.KeyFile, CAFile: e.CAFile,
		Username: e.Username, Password: e.Password,
		DialTimeout: connectTimeout,
		Member:      member,
	}
}

// unreachable is the start-up error of an etcd store: it names the endpoints and
// says how to start without them.
func unreachable(spec storespec.Spec, err error) error {
	msg := fmt.Errorf("store etcd (endpoints %s, prefix %s): cannot start: %w",
		strings.Join(spec.Etcd.Endpoints, ","), spec.Etcd.Prefix, err)
	switch {
	case !errors.Is(err, store.ErrUnavailable): // refused (credentials, TLS): no snapshot helps
		return msg
	case spec.Etcd.Snapshot != "":
		return fmt.Errorf("%w (no snapshot in %s yet to start from)", msg, spec.Etcd.Snapshot)
	default:
		return fmt.Errorf("%w (configure snapshot FILE in the store block to start from a local copy when etcd is down)", msg)
	}
}

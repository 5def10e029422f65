package controlplane

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
)

// lockTimeout bounds the wait for the store file's lock: another process holding it
// is a configuration error, reported rather than waited on.
const lockTimeout = 2 * time.Second

// connectTimeout bounds the first contact with etcd at start-up.
const connectTimeout = 5 * time.Second

// absolute makes the spec's bolt file absolute, so two spellings of one file share
// a plane (and bolt's lock is never taken twice by one process).
func absolute(spec storespec.Spec) (storespec.Spec, error) {
	if spec.Etcd != nil {
		return spec, nil
	}
	abs, err := filepath.Abs(spec.File)
	if err != nil {
		return spec, err
	}
	spec.File = abs
	return spec, nil
}

// open opens the store spec names.
func open(spec storespec.Spec, logf func(string, ...any)) (store.Store, error) {
	if spec.Etcd == nil {
		st, err := boltstore.Open(spec.File, boltstore.Options{Timeout: lockTimeout})
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", spec.File, err)
		}
		return st, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	st, err := etcdstore.Open(ctx, etcdOptions(spec.Etcd))
	if err != nil {
		return nil, unreachable(spec, err)
	}
	return st, nil
}

// etcdOptions maps the Corefile's settings onto the etcd store's.
func etcdOptions(e *storespec.Etcd) etcdstore.Options {
	return etcdstore.Options{
		Endpoints: e.Endpoints,
		Prefix:    e.Prefix,
		CertFile:  e.CertFile, KeyFile: e.KeyFile, CAFile: e.CAFile,
		Username: e.Username, Password: e.Password,
		DialTimeout: connectTimeout,
	}
}

// unreachable is the start-up error of an etcd store: it names the endpoints and
// says how to start without them.
func unreachable(spec storespec.Spec, err error) error {
	hint := "configure snapshot FILE in the store block to start from a local copy when etcd is down"
	if spec.Etcd.Snapshot != "" {
		hint = "no snapshot in " + spec.Etcd.Snapshot + " yet to start from"
	}
	return fmt.Errorf("store etcd (endpoints %s, prefix %s): cannot start: %w (%s)",
		strings.Join(spec.Etcd.Endpoints, ","), spec.Etcd.Prefix, err, hint)
}

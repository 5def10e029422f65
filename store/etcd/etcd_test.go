package etcdstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
	"github.com/coretraffic/coretraffic/store/storetest"

	"github.com/coretraffic/coretraffic/store"
)

var prefixes atomic.Int64

// openOn opens a store on endpoints under a prefix no other test uses.
func openOn(t *testing.T, endpoints []string, opts etcdstore.Options) *etcdstore.Store {
	t.Helper()
	opts.Endpoints = endpoints
	if opts.Prefix == "" {
		opts.Prefix = fmt.Sprintf("/test/%s/%d/", t.Name(), prefixes.Add(1))
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := etcdstore.Open(ctx, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	storetest.Run(t, func(t *testing.T) store.Store {
		return openOn(t, []string{m.ClientURL}, etcdstore.Options{})
	})
}

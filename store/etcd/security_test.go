package etcdstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// TestTLS runs etcd with TLS and client certificate authentication: the
// store connects with Options' certificate files, and is refused without a
// client certificate.
func TestTLS(t *testing.T) {
	m, files := etcdtest.StartTLS(t)
	ca, cli := files.CA, files.Client
	s := openOn(t, []string{m.ClientURL}, etcdstore.Options{CertFile: cli.CertFile, KeyFile: cli.KeyFile, CAFile: ca.CertFile})
	if rev, err := putKV(context.Background(), s, "k", "v"); err != nil || rev != 1 {
		t.Fatalf("Update over TLS = %d, %v", rev, err)
	}
	if got, rev := dumpAll(t, s); len(got) != 1 || got[0] != "k=v" || rev != 1 {
		t.Fatalf("View over TLS = %v at %d", got, rev)
	}

	// A refused handshake is reported as what it is (gRPC alone would only time
	// out), naming the endpoint, and is not an outage a snapshot could bridge.
	other := etcdtest.NewCert(t, t.TempDir(), "other-ca", nil)
	plain := "http://" + strings.TrimPrefix(m.ClientURL, "https://")
	for _, tc := range []struct {
		name string
		opts etcdstore.Options
		want string
	}{
		{"no client certificate", etcdstore.Options{Endpoints: []string{m.ClientURL}, CAFile: ca.CertFile}, "remote error: tls:"},
		{"another CA", etcdstore.Options{Endpoints: []string{m.ClientURL}, CertFile: cli.CertFile, KeyFile: cli.KeyFile, CAFile: other.CertFile}, "certificate signed by unknown authority"},
		{"no TLS at all", etcdstore.Options{Endpoints: []string{plain}}, "speaks TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			tc.opts.RequestTimeout = 500 * time.Millisecond
			_, err := etcdstore.Open(ctx, tc.opts)
			var ce *etcdstore.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.opts.Endpoints[0]) {
				t.Fatalf("Open = %v, want a ConfigError naming %s and %q", err, tc.opts.Endpoints[0], tc.want)
			}
			if errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%v is reported as an outage", err)
			}
			t.Logf("%s: %v", tc.name, err)
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, CertFile: cli.CertFile, CAFile: ca.CertFile}); err == nil {
		t.Fatal("Open with CertFile but no KeyFile succeeded")
	}
}

// TestAuth enables etcd authentication: the store works with the right
// password and Open fails with a wrong one.
func TestAuth(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	admin, err := clientv3.New(clientv3.Config{Endpoints: []string{m.ClientURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.RoleAdd(ctx, "root"); err != nil {
		t.Fatalf("role add: %v", err)
	}
	if _, err := admin.UserAdd(ctx, "root", "s3cret"); err != nil {
		t.Fatalf("user add: %v", err)
	}
	if _, err := admin.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatalf("grant: %v", err)
	}
	if _, err := admin.AuthEnable(ctx); err != nil {
		t.Fatalf("auth enable: %v", err)
	}

	s := openOn(t, []string{m.ClientURL}, etcdstore.Options{Username: "root", Password: "s3cret"})
	if rev, err := putKV(ctx, s, "k", "v"); err != nil || rev != 1 {
		t.Fatalf("Update with credentials = %d, %v", rev, err)
	}
	_, err = etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, Username: "root", Password: "wrong", RequestTimeout: time.Second})
	if err == nil {
		t.Fatal("Open with a wrong password succeeded")
	}
	if errors.Is(err, store.ErrUnavailable) {
		t.Errorf("wrong password reported as %v, want an authentication error", err)
	}
	t.Logf("wrong password: %v", err)
	_, err = etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, RequestTimeout: time.Second})
	if err == nil {
		t.Fatal("Open without credentials on an auth-enabled etcd succeeded")
	}
	t.Logf("no credentials: %v", err)
}

package controlplane

import (
	"context"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// TestAcquireAuth: the Corefile's credentials reach etcd — the plane serves with the
// right password (its presence lease included), and a wrong one fails the start
// naming the endpoint.
func TestAcquireAuth(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	admin, err := clientv3.New(clientv3.Config{Endpoints: []string{m.ClientURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, step := range []func() error{
		func() error { _, err := admin.RoleAdd(ctx, "root"); return err },
		func() error { _, err := admin.UserAdd(ctx, "root", "s3cret"); return err },
		func() error { _, err := admin.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := admin.AuthEnable(ctx); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	spec := func(password string) storespec.Spec {
		return storespec.Spec{Etcd: &storespec.Etcd{Endpoints: []string{m.ClientURL}, Prefix: "/auth/", Username: "root", Password: password}}
	}
	engine := hc.New(hc.Options{})
	p, err := Acquire(spec("s3cret"), engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	z := createZone(t, p.Store)
	rev := putWWW(t, p.Store, z, "192.0.2.1")
	waitServed(t, p.Replica, "192.0.2.1")
	deadline := time.Now().Add(10 * time.Second)
	for !p.Group.Serves(rev) { // announced under its lease and observed back
		if time.Now().After(deadline) {
			t.Fatalf("not INSYNC with auth: %v", p.Group.Members())
		}
		time.Sleep(10 * time.Millisecond)
	}

	_, err = Acquire(spec("wrong"), engine, t.Logf)
	if err == nil || !strings.Contains(err.Error(), m.ClientURL) {
		t.Fatalf("wrong password: %v, want an error naming %s", err, m.ClientURL)
	}
	t.Logf("wrong password: %v", err)
}

package controlplane

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
	"github.com/coretraffic/coretraffic/store/snapshot"
)

// TestStartFromSnapshot is issue 12's "etcd unreachable at start-up, start from the
// last local snapshot": a replica that ran once wrote its snapshot; etcd moved on
// without it, then went down; the replica starts again, serves its snapshot at once,
// and once etcd is back serves what it missed and what comes after.
func TestStartFromSnapshot(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	file := filepath.Join(t.TempDir(), "snapshot")
	spec := storespec.Spec{Etcd: &storespec.Etcd{Endpoints: []string{m.ClientURL}, Prefix: "/snap/", Snapshot: file}}
	engine := hc.New(hc.Options{})

	// First run: etcd up, no snapshot yet.
	p, err := Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	z := createZone(t, p.Store)
	rev1 := putWWW(t, p.Store, z, "192.0.2.1")
	waitServed(t, p.Replica, "192.0.2.1")
	p.Release() // the keeper writes its last snapshot
	snap, err := snapshot.Read(file)
	if err != nil || snap.Revision != rev1 {
		t.Fatalf("snapshot after the first run: %v, %v (want revision %d)", snap, err, rev1)
	}

	// Another replica writes while this one is down; then etcd goes down too.
	other, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{m.ClientURL}, Prefix: "/snap/"})
	if err != nil {
		t.Fatal(err)
	}
	missed := putWWW(t, other, z, "192.0.2.2")
	other.Close()
	m.Kill()

	// Second run: etcd down; the snapshot serves at once.
	start := time.Now()
	p, err = Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatalf("start with etcd down and a snapshot: %v", err)
	}
	defer p.Release()
	waitServed(t, p.Replica, "192.0.2.1")
	t.Logf("serving the snapshot %v after start with etcd down", time.Since(start))
	if p.Replica.Served() != rev1 {
		t.Errorf("serving revision %d, want the snapshot's %d", p.Replica.Served(), rev1)
	}
	if _, err := p.Store.Update(context.Background(), func(tx store.Tx) error { return tx.Put("x", nil) }); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("write before etcd answers: %v, want ErrUnavailable", err)
	}

	// etcd back: what was missed is served, then new writes.
	m.Restart()
	back := time.Now()
	waitServed(t, p.Replica, "192.0.2.2")
	t.Logf("caught up to revision %d (missed while down) %v after etcd came back", missed, time.Since(back))
	putWWW(t, p.Store, z, "192.0.2.3")
	waitServed(t, p.Replica, "192.0.2.3")
}

// TestSnapshotOfAnotherStore: a snapshot file that holds another store's data (the
// prefix changed in the Corefile) is not served: with etcd down the start fails as
// without a snapshot, and with etcd up the store's own data serves.
func TestSnapshotOfAnotherStore(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	file := filepath.Join(t.TempDir(), "snapshot")
	spec := storespec.Spec{Etcd: &storespec.Etcd{Endpoints: []string{m.ClientURL}, Prefix: "/a/", Snapshot: file}}
	engine := hc.New(hc.Options{})
	p, err := Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	z := createZone(t, p.Store)
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		putWWW(t, p.Store, z, ip)
	}
	waitServed(t, p.Replica, "192.0.2.3")
	p.Release()

	fresh, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{m.ClientURL}, Prefix: "/b/"})
	if err != nil {
		t.Fatal(err)
	}
	z2 := createZone(t, fresh)
	putWWW(t, fresh, z2, "198.51.100.1")
	fresh.Close()
	spec.Etcd.Prefix = "/b/"
	p, err = Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	waitServed(t, p.Replica, "198.51.100.1")
	p.Release()

	// Now /b/'s snapshot, named for /c/ with etcd down: not used.
	m.Kill()
	spec.Etcd.Prefix = "/c/"
	if _, err := Acquire(spec, engine, t.Logf); err == nil || !strings.Contains(err.Error(), "cannot start") {
		t.Fatalf("start with another prefix's snapshot and etcd down: %v", err)
	}
}

// TestSnapshotBehindReset: a snapshot ahead of the store it names (the store was
// emptied and rewritten since) is replaced by the store's data once it answers,
// rather than waiting for revisions that mean other data.
func TestSnapshotBehindReset(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	file := filepath.Join(t.TempDir(), "snapshot")
	spec := storespec.Spec{Etcd: &storespec.Etcd{Endpoints: []string{m.ClientURL}, Prefix: "/r/", Snapshot: file}}
	engine := hc.New(hc.Options{})
	p, err := Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	z := createZone(t, p.Store)
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		putWWW(t, p.Store, z, ip)
	}
	waitServed(t, p.Replica, "192.0.2.3")
	p.Release()

	// The prefix emptied by hand and rewritten with less history.
	admin, err := clientv3.New(clientv3.Config{Endpoints: []string{m.ClientURL}})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Delete(context.Background(), "/r/", clientv3.WithPrefix()); err != nil {
		t.Fatal(err)
	}
	fresh, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{m.ClientURL}, Prefix: "/r/"})
	if err != nil {
		t.Fatal(err)
	}
	z2 := createZone(t, fresh)
	putWWW(t, fresh, z2, "198.51.100.1")
	fresh.Close()
	p, err = Acquire(spec, engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	waitServed(t, p.Replica, "198.51.100.1")
}

package replica_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// member is one replica of a shared etcd store: its own store (session), replica
// and group, run separately so a test can hold the replica back.
type member struct {
	st    *etcdstore.Store
	rep   *replica.Replica
	group *replica.Group
	stop  []func()
}

func newMember(t *testing.T, endpoint, name string) *member {
	t.Helper()
	st, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{endpoint}, Prefix: "/group/", Member: name})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{st: st, rep: replica.New(st, hc.New(hc.Options{}), "group-test-"+name, t.Logf)}
	m.group = replica.NewGroup(m.rep, st, t.Logf)
	t.Cleanup(m.close)
	return m
}

// start runs fn until the member closes.
func (m *member) start(fn func(context.Context)) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); fn(ctx) }()
	stop := func() { cancel(); <-done }
	m.stop = append(m.stop, stop)
	return stop
}

func (m *member) runReplica() func() { return m.start(func(ctx context.Context) { m.rep.Run(ctx) }) }
func (m *member) runGroup() func()   { return m.start(m.group.Run) }

func (m *member) close() {
	for _, stop := range m.stop {
		stop()
	}
	m.stop = nil
	m.st.Close() // revokes the session: the member leaves every view at once
}

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%s: not after 10 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}

// TestGroupInSync is issue 12's "INSYNC means served everywhere", on one etcd with
// two replicas in this process: a replica that joined but has not loaded holds the
// change PENDING until it serves it; a replica that stops compiling holds later
// changes back until its session ends, and then no longer counts.
func TestGroupInSync(t *testing.T) {
	e := etcdtest.Start(t, etcdtest.Config{})
	a, b := newMember(t, e.ClientURL, "a"), newMember(t, e.ClientURL, "b")
	a.runReplica()
	a.runGroup()
	z := benchZone(t, a.st, 10)

	// b is live (its group announces) but its replica has not started.
	b.runGroup()
	eventually(t, "a sees b", func() bool { _, ok := a.group.Members()["b"]; return ok })
	rs := oneA(3, 1)
	rev := put(t, a.st, z.ID, rs)
	if !a.rep.WaitServed(context.Background(), rev) {
		t.Fatal("a does not serve")
	}
	time.Sleep(100 * time.Millisecond)
	if a.group.Serves(rev) {
		t.Fatalf("INSYNC at %d while b has not loaded: %v", rev, a.group.Members())
	}
	stopB := b.runReplica()
	took := eventually(t, "INSYNC once b serves", func() bool { return a.group.Serves(rev) })
	t.Logf("INSYNC %v after b's replica started", took)
	eventually(t, "b sees it too", func() bool { return b.group.Serves(rev) })

	// b stops compiling but stays live: later changes are PENDING on a...
	stopB()
	rev2 := put(t, a.st, z.ID, oneA(4, 1))
	a.rep.WaitServed(context.Background(), rev2)
	time.Sleep(100 * time.Millisecond)
	if a.group.Serves(rev2) {
		t.Fatalf("INSYNC at %d while b serves %d", rev2, b.rep.Served())
	}
	// ...until b's session ends: it no longer counts.
	b.close()
	took = eventually(t, "INSYNC once b left", func() bool { return a.group.Serves(rev2) })
	t.Logf("INSYNC %v after b's session closed", took)
}

// put writes one record set into zone and returns the revision.
func put(t *testing.T, st store.Store, zone string, rs route53.ResourceRecordSet) int64 {
	t.Helper()
	rev, err := st.Update(context.Background(), func(tx store.Tx) error {
		b, err := json.Marshal(&rs)
		if err != nil {
			return err
		}
		return tx.Put(catalog.RecordKey(zone, &rs), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestGroupLocal: with a one-process Presence (bolt) the group is this replica
// alone, and INSYNC is what it was: served here.
func TestGroupLocal(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep := replica.New(st, hc.New(hc.Options{}), "group-local", t.Logf)
	g := replica.NewGroup(rep, store.NewLocalPresence("solo"), t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { rep.Run(ctx); done <- struct{}{} }()
	go func() { g.Run(ctx); done <- struct{}{} }()
	defer func() { cancel(); <-done; <-done }()
	z := benchZone(t, st, 3)
	rev := put(t, st, z.ID, oneA(1, 1))
	eventually(t, "INSYNC alone", func() bool { return g.Serves(rev) })
	if g.Serves(rev + 1) {
		t.Error("INSYNC for a revision not written yet")
	}
	if m := g.Members(); len(m) != 1 || m["solo"] < rev {
		t.Errorf("members %v", m)
	}
}

package etcdstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// observer runs Observe in the background and keeps the last view.
type observer struct {
	mu    sync.Mutex
	view  []store.Announcement
	calls int
	done  chan error
}

func observe(t *testing.T, p store.Presence, prefix string) *observer {
	t.Helper()
	o := &observer{done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		o.done <- p.Observe(ctx, prefix, func(v []store.Announcement) {
			o.mu.Lock()
			o.view, o.calls = v, o.calls+1
			o.mu.Unlock()
		})
	}()
	t.Cleanup(func() { cancel(); <-o.done })
	return o
}

// text renders the view as member:key=value, in order.
func (o *observer) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var s []string
	for _, a := range o.view {
		s = append(s, a.Member+":"+a.Key+"="+string(a.Value))
	}
	return strings.Join(s, " ")
}

// waitView waits until the view reads want and returns how long it took.
func (o *observer) waitView(t *testing.T, want string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if o.text() == want {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("view after %v: %q, want %q", within, o.text(), want)
	return 0
}

func announce(t *testing.T, p store.Presence, kv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i+1 < len(kv); i += 2 {
		if err := p.Announce(ctx, kv[i], []byte(kv[i+1])); err != nil {
			t.Fatalf("Announce %s: %v", kv[i], err)
		}
	}
}

// TestPresenceShared: two Stores see each other's keys under a prefix (and
// only those), Withdraw and Close remove them at once, and none of it moves
// the store's revision or produces an Event.
func TestPresenceShared(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	a := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix, Member: "a"})
	b := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix, Member: "b"})
	ctx := context.Background()
	rev, err := putKV(ctx, a, "data", "1")
	if err != nil {
		t.Fatal(err)
	}
	events, err := a.Watch(ctx, rev)
	if err != nil {
		t.Fatal(err)
	}
	if a.Member() != "a" {
		t.Errorf("Member() = %q, want a", a.Member())
	}

	o := observe(t, a, "x/")
	all := observe(t, b, "")
	announce(t, a, "x/1", "a1", "y", "ay")
	announce(t, b, "x/1", "b1", "x/2/deep", "b2")
	o.waitView(t, "a:x/1=a1 b:x/1=b1 b:x/2/deep=b2", 5*time.Second)
	all.waitView(t, "a:x/1=a1 a:y=ay b:x/1=b1 b:x/2/deep=b2", 5*time.Second)

	late := observe(t, b, "x/2") // started after the announcements: the view at once
	late.waitView(t, "b:x/2/deep=b2", 5*time.Second)

	announce(t, b, "x/1", "b1'")
	if err := b.Withdraw(ctx, "x/2/deep"); err != nil {
		t.Fatal(err)
	}
	if err := b.Withdraw(ctx, "never"); err != nil {
		t.Fatalf("Withdraw of an absent key: %v", err)
	}
	o.waitView(t, "a:x/1=a1 b:x/1=b1'", 5*time.Second)

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	took := o.waitView(t, "a:x/1=a1", 5*time.Second)
	if took > time.Second {
		t.Errorf("closed member's keys vanished after %v, want at once (revoked), not at TTL", took)
	}

	dump, rev2 := dumpAll(t, a)
	if rev2 != rev || a.Revision() != rev || !slices.Equal(dump, []string{"data=1"}) {
		t.Errorf("after announcing: revision %d (Revision() %d), data %q; want %d and [data=1]", rev2, a.Revision(), dump, rev)
	}
	select {
	case ev := <-events:
		t.Errorf("announcing produced an Event: %+v", ev)
	case <-time.After(200 * time.Millisecond):
	}
	if err := a.Announce(ctx, "", nil); !errors.Is(err, store.ErrEmptyKey) {
		t.Errorf("Announce of the empty key: %v, want ErrEmptyKey", err)
	}
}

// TestPresenceOptions refuses a member ID with "/" and a sub-second TTL.
func TestPresenceOptions(t *testing.T) {
	for _, opts := range []etcdstore.Options{
		{Endpoints: []string{"http://127.0.0.1:1"}, Member: "a/b"},
		{Endpoints: []string{"http://127.0.0.1:1"}, PresenceTTL: 500 * time.Millisecond},
	} {
		if _, err := etcdstore.Open(context.Background(), opts); err == nil || errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Open(%+v): %v, want the option refused", opts, err)
		}
	}
}

// TestPresenceExpires: a member whose process dies without revoking (its
// connection closed under it) drops out when its lease expires, not before.
func TestPresenceExpires(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	a := openOn(t, []string{m.ClientURL}, etcdstore.Options{Prefix: prefix, Member: "a"})
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{m.ClientURL}, Logger: zap.NewNop(), DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const ttl = 2 * time.Second
	dead := openOn(t, nil, etcdstore.Options{Prefix: prefix, Member: "dead", Client: cli, PresenceTTL: ttl})
	o := observe(t, a, "")
	announce(t, dead, "k", "v")
	announce(t, a, "k", "v")
	o.waitView(t, "a:k=v dead:k=v", 5*time.Second)

	cli.Close() // the process is gone: no revoke, no keepalive
	start := time.Now()
	time.Sleep(ttl / 2)
	if got := o.text(); got != "a:k=v dead:k=v" {
		t.Fatalf("dead member gone before its TTL: %q", got)
	}
	o.waitView(t, "a:k=v", 3*ttl)
	t.Logf("dead member dropped out %v after its connection closed (TTL %v)", time.Since(start).Round(10*time.Millisecond), ttl)
}

// TestPresenceReannounce: a member cut off from the cluster (its only etcd
// member paused) for longer than the TTL drops out of the others' view, and
// comes back with all its keys, under a new lease, once it reconnects.
func TestPresenceReannounce(t *testing.T) {
	ms := etcdtest.StartCluster(t, 3, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	const ttl = time.Second
	a := openOn(t, []string{ms[0].ClientURL, ms[1].ClientURL}, etcdstore.Options{Prefix: prefix, Member: "a", PresenceTTL: ttl})
	b := openOn(t, []string{ms[2].ClientURL}, etcdstore.Options{Prefix: prefix, Member: "b", PresenceTTL: ttl, RequestTimeout: 500 * time.Millisecond})
	o := observe(t, a, "")
	announce(t, b, "k1", "1", "k2", "2")
	announce(t, a, "k", "a")
	o.waitView(t, "a:k=a b:k1=1 b:k2=2", 5*time.Second)

	ms[2].Pause()
	took := o.waitView(t, "a:k=a", 10*time.Second)
	t.Logf("cut-off member dropped out after %v (TTL %v)", took.Round(10*time.Millisecond), ttl)
	// While cut off, b withdraws one key and changes another: both must
	// hold once it is back.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = b.Withdraw(ctx, "k2")
	_ = b.Announce(ctx, "k1", []byte("1'"))
	ms[2].Resume()
	took = o.waitView(t, "a:k=a b:k1=1'", 15*time.Second)
	t.Logf("re-announced %v after the member resumed", took.Round(10*time.Millisecond))
}

// TestObserveEndsWithStore: Observe returns store.ErrClosed when the Store
// closes, and Announce after Close is refused.
func TestObserveEndsWithStore(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	s := openOn(t, []string{m.ClientURL}, etcdstore.Options{})
	done := make(chan error, 1)
	go func() { done <- s.Observe(context.Background(), "", func([]store.Announcement) {}) }()
	announce(t, s, "k", "v")
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("Observe after Close: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Observe still running 5 s after Close")
	}
	if err := s.Announce(context.Background(), "k", nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Announce after Close: %v, want ErrClosed", err)
	}
}

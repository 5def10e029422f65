package controlplane

import (
	"strings"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

func etcdSpec(endpoints []string, prefix string) storespec.Spec {
	return storespec.Spec{Etcd: &storespec.Etcd{Endpoints: endpoints, Prefix: prefix}}
}

// TestAcquireShares: directives naming the same store share one plane; another
// prefix (or other settings) is another plane; the last release closes it.
func TestAcquireShares(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	engine := hc.New(hc.Options{})
	a, err := Acquire(etcdSpec([]string{m.ClientURL}, "/a/"), engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Acquire(etcdSpec([]string{m.ClientURL}, "/a/"), engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Acquire(etcdSpec([]string{m.ClientURL}, "/c/"), engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a == c {
		t.Errorf("same spec shared: %v, other prefix shared: %v", a == b, a == c)
	}
	if a.Key != "etcd:"+m.ClientURL+"/a/" {
		t.Errorf("Key %q", a.Key)
	}
	if Open() != 2 {
		t.Errorf("%d planes open, want 2", Open())
	}
	a.Release()
	b.Release()
	c.Release()
	if Open() != 0 {
		t.Errorf("%d planes open after the last release", Open())
	}
}

// TestAcquireUnreachable: etcd that does not answer fails the start with an error
// naming the endpoints and pointing at the snapshot setting.
func TestAcquireUnreachable(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	m.Kill()
	start := time.Now()
	_, err := Acquire(etcdSpec([]string{m.ClientURL}, "/a/"), hc.New(hc.Options{}), t.Logf)
	if err == nil {
		t.Fatal("Acquire succeeded with etcd down")
	}
	for _, want := range []string{m.ClientURL, "prefix /a/", "snapshot FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if took := time.Since(start); took > 2*connectTimeout {
		t.Errorf("failing took %v", took)
	}
	if Open() != 0 {
		t.Errorf("%d planes open after a failed Acquire", Open())
	}
}

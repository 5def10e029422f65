package controlplane

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// staleMetric reads coredns_store_stale_seconds{store=key} from the default registry.
func staleMetric(t *testing.T, key string) (float64, bool) {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "coredns_store_stale_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == key {
				return m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

// TestStale: a replica whose etcd stops answering (SIGSTOP) keeps serving its data
// and counts how long it has been stale; once etcd answers again it is 0 again.
func TestStale(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	p, err := Acquire(etcdSpec([]string{m.ClientURL}, "/stale/"), hc.New(hc.Options{}), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	z := createZone(t, p.Store)
	putWWW(t, p.Store, z, "192.0.2.1")
	waitServed(t, p.Replica, "192.0.2.1")
	if v, ok := staleMetric(t, p.Key); !ok || v != 0 {
		t.Fatalf("in touch: stale metric %v (exported %v), want 0", v, ok)
	}

	m.Pause()
	paused := time.Now()
	wait := func(what string, cond func() bool) time.Duration {
		t.Helper()
		for !cond() {
			if time.Since(paused) > 15*time.Second {
				m.Resume()
				t.Fatalf("%s: not after 15 s (stale %v)", what, p.Stale())
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(paused)
	}
	took := wait("stale", func() bool { return p.Stale() > 0 })
	t.Logf("stale %v after etcd paused (first value %v)", took, p.Stale())
	// The last answer came up to one probe interval before the pause.
	if took < staleAfter-probeInterval {
		t.Errorf("stale after %v, before %v of silence", took, staleAfter)
	}
	time.Sleep(time.Second)
	if v, _ := staleMetric(t, p.Key); v < (staleAfter+time.Second).Seconds()-0.5 {
		t.Errorf("stale metric %v s %v after the pause", v, time.Since(paused))
	}
	if served(p.Replica) != "192.0.2.1" {
		t.Errorf("stale replica serves %q, want its last data", served(p.Replica))
	}

	m.Resume()
	paused = time.Now()
	took = wait("in touch again", func() bool { return p.Stale() == 0 })
	t.Logf("in touch %v after etcd resumed", took)
	putWWW(t, p.Store, z, "192.0.2.2")
	waitServed(t, p.Replica, "192.0.2.2")
}

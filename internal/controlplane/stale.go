package controlplane

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/coredns/coredns/plugin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/coretraffic/coretraffic/store"
	"github.com/coretraffic/coretraffic/store/snapshot"
)

// probeInterval is how often a replica of a shared store checks that it is in touch
// with the store: one linearizable read of the store's revision (etcd: a range of
// two keys, answered by the leader through a quorum), which a member cut off from
// the quorum, a paused member or a broken connection all fail within the interval.
const probeInterval = time.Second

// staleAfter is how long since the last answered probe before the replica counts
// as stale: two probes missed, so a slow answer is not staleness.
const staleAfter = 2 * probeInterval

// contact is when the plane last heard from its store.
type contact struct {
	last atomic.Int64 // unix nanoseconds
}

func (c *contact) heard(t time.Time) { c.last.Store(t.UnixNano()) }

// stale is how long since the store last answered, 0 while in touch.
func (c *contact) stale(now time.Time) time.Duration {
	d := now.Sub(time.Unix(0, c.last.Load()))
	if d <= staleAfter {
		return 0
	}
	return d
}

// probe reads the store's revision every probeInterval, noting each answer, until
// ctx ends. A Fallback not connected yet has not heard from the store: its time is
// the snapshot's.
func probe(ctx context.Context, st store.Store, c *contact) {
	t := time.NewTicker(probeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if fb, ok := st.(*snapshot.Fallback); ok && fb.Store() == nil {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, probeInterval)
		_, err := st.View(pctx, func(store.Reader) error { return nil })
		cancel()
		if err == nil {
			c.heard(time.Now())
		}
	}
}

// Stale is how long since this replica last heard from its store, 0 while in touch
// (an embedded store is always in touch).
func (p *Plane) Stale() time.Duration { return p.contact.stale(time.Now()) }

// staleCollector exports every open plane's Stale as coredns_store_stale_seconds,
// computed when scraped.
type staleCollector struct{ desc *prometheus.Desc }

var staleDesc = prometheus.NewDesc(prometheus.BuildFQName(plugin.Namespace, "store", "stale_seconds"),
	"How long since this server last heard from its store (etcd), by store: 0 while in touch. "+
		"A stale server keeps answering DNS from its last data.", []string{"store"}, nil)

func (s staleCollector) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

func (s staleCollector) Collect(ch chan<- prometheus.Metric) {
	byKey := map[string]time.Duration{} // planes of one store with other settings: the stalest
	live.Range(func(k, _ any) bool {
		p := k.(*Plane)
		byKey[p.Key] = max(byKey[p.Key], p.Stale())
		return true
	})
	for key, d := range byKey {
		ch <- prometheus.MustNewConstMetric(s.desc, prometheus.GaugeValue, d.Seconds(), key)
	}
}

func init() { prometheus.DefaultRegisterer.MustRegister(staleCollector{staleDesc}) }

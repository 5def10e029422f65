package replicas

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// chaos kills and restarts etcd members and replicas at random for d: one
// member down for 2–6 s, two down (no quorum) for 3–6 s, or one replica
// SIGKILLed and restarted 1–4 s later, every 2–5 s; during a quorum loss a
// replica is sometimes killed too and restarts from its snapshot. up holds
// whether each replica is meant to run. It returns what it did, timed.
func chaos(t *testing.T, rs *e2e.Replicas, rnd *rand.Rand, d time.Duration, up *sync.Map) []string {
	start := time.Now()
	var events []string
	note := func(format string, args ...any) {
		events = append(events, fmt.Sprintf("%6.1fs ", time.Since(start).Seconds())+fmt.Sprintf(format, args...))
	}
	pause := func(lo, hi int) { time.Sleep(time.Duration(lo*1000+rnd.IntN((hi-lo)*1000)) * time.Millisecond) }
	killReplica := func() *e2e.Replica {
		r := rs.Nodes[rnd.IntN(len(rs.Nodes))]
		up.Store(r, false)
		r.Kill()
		return r
	}
	// A restarted replica takes queries as soon as it answers DNS, not only once
	// /ready says 200: it listens only after its data has loaded, so a client
	// that reaches it early gets its answers, not SERVFAIL.
	startReplica := func(r *e2e.Replica) {
		t0 := time.Now()
		r.Start()
		dnsAfter := time.Since(t0)
		up.Store(r, true)
		for time.Since(t0) < 20*time.Second {
			if st, _ := r.ReadyStatus(); st == 200 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		st, _ := r.ReadyStatus()
		note("replica %s restarted (answering DNS after %v, /ready %d after %v)", r.Name, dnsAfter.Round(time.Millisecond), st, time.Since(t0).Round(time.Millisecond))
	}
	for time.Since(start) < d {
		pause(2, 5)
		switch a := rnd.IntN(10); {
		case a < 4:
			m := rs.Etcd[rnd.IntN(3)]
			m.Kill()
			note("etcd %s killed", m.Name)
			pause(2, 6)
			m.Restart()
			note("etcd %s back", m.Name)
		case a < 6:
			i := rnd.IntN(3)
			m1, m2 := rs.Etcd[i], rs.Etcd[(i+1)%3]
			m1.Kill()
			m2.Kill()
			note("etcd %s and %s killed: no quorum", m1.Name, m2.Name)
			var r *e2e.Replica
			if rnd.IntN(2) == 0 {
				pause(1, 2)
				r = killReplica()
				note("replica %s killed during the quorum loss", r.Name)
				pause(1, 2)
				startReplica(r) // from its snapshot: etcd has no quorum
			}
			pause(3, 6)
			m1.Restart()
			m2.Restart()
			note("etcd %s and %s back", m1.Name, m2.Name)
		default:
			r := killReplica()
			note("replica %s killed", r.Name)
			pause(1, 4)
			startReplica(r)
		}
	}
	return events
}

// divergence measures, for acknowledged batches sampled while the soak runs,
// the window from the API's 200 until every running replica answers the new
// record set: the time during which replicas gave different answers.
type divergence struct {
	windows []time.Duration
	aborted int // windows still open when the soak ended
}

func (v *divergence) watch(rs *e2e.Replicas, l *ledger, alive func(*e2e.Replica) bool, stop <-chan struct{}) {
	measured := -1
	for {
		select {
		case <-stop:
			return
		default:
		}
		k, acked := -1, time.Time{}
		l.mu.Lock()
		for b, at := range l.acked {
			if b > measured && b > k {
				k, acked = b, at
			}
		}
		l.mu.Unlock()
		if k < 0 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		measured = k
		if !v.until(rs, k, acked, alive, stop) {
			v.aborted++
			return
		}
	}
}

// until polls every running replica until all answer batch k, and records the
// window; false when stop came first.
func (v *divergence) until(rs *e2e.Replicas, k int, acked time.Time, alive func(*e2e.Replica) bool, stop <-chan struct{}) bool {
	q := e2e.Question{Name: batchName(k, 0), Type: dns.TypeA}
	for {
		all := true
		for _, r := range rs.Nodes {
			if !alive(r) {
				continue
			}
			m, err := r.Ask(q, "udp")
			var a *dns.A
			if err == nil && len(m.Answer) == 1 {
				a, _ = m.Answer[0].(*dns.A)
			}
			if a == nil || a.A.String() != batchValue(k) {
				all = false
				break
			}
		}
		if all {
			v.windows = append(v.windows, time.Since(acked))
			return true
		}
		select {
		case <-stop:
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (v *divergence) print() {
	over := 0
	for _, w := range v.windows {
		if w > time.Second {
			over++
		}
	}
	fmt.Printf("divergence windows (acknowledged batch → answered by every running replica), %d sampled: p50 %.1f ms, p99 %.1f ms, max %.1f ms; %d over 1 s; %d still open at the end\n",
		len(v.windows), ms(percentile(v.windows, 50)), ms(percentile(v.windows, 99)), ms(percentile(v.windows, 100)), over, v.aborted)
}

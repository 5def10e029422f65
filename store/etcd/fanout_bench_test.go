package etcdstore_test

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// BenchmarkWatchFanout measures what one change costs when many replicas
// watch it: a 3-member cluster, N watching Stores (one client connection each,
// spread over the members as PoPs would be), one writer. Per change it reports
// the delay until every watcher has the Event (the slowest, and the median
// watcher's), the CPU the three etcd processes spent, and the CPU the watching
// clients spent (this process, minus the writer's share measured at N=0).
//
//	go test ./store/etcd -run '^$' -bench WatchFanout -benchtime 200x
func BenchmarkWatchFanout(b *testing.B) {
	ms := etcdtest.StartCluster(b, 3, etcdtest.Config{})
	for _, n := range []int{1, 10, 100, 300} {
		b.Run(fmt.Sprintf("watchers=%d", n), func(b *testing.B) {
			prefix := fmt.Sprintf("/bench/fanout/%d/", n)
			open := func(endpoint string) *etcdstore.Store {
				s, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{endpoint}, Prefix: prefix})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				return s
			}
			w := open(ms[0].ClientURL)
			got := make(chan watched, n*4)
			for i := range n {
				s := open(ms[i%len(ms)].ClientURL)
				ch, err := s.Watch(b.Context(), w.Revision())
				if err != nil {
					b.Fatal(err)
				}
				go func() {
					for ev := range ch {
						got <- watched{ev.Revision, time.Now()}
					}
				}()
			}
			etcd0, self0 := clusterCPU(b, ms), processCPU()
			var slowest, median []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				rev, err := w.Update(context.Background(), func(tx store.Tx) error {
					return tx.Put(fmt.Sprintf("rrset/%d", i%1000), []byte("a change of one record set"))
				})
				if err != nil {
					b.Fatal(err)
				}
				delays := make([]time.Duration, 0, n)
				for len(delays) < n {
					select {
					case g := <-got:
						if g.rev == rev {
							delays = append(delays, g.at.Sub(start))
						}
					case <-time.After(10 * time.Second):
						b.Fatalf("revision %d reached %d of %d watchers in 10 s", rev, len(delays), n)
					}
				}
				slices.Sort(delays)
				slowest = append(slowest, delays[len(delays)-1])
				median = append(median, delays[len(delays)/2])
			}
			b.StopTimer()
			changes := float64(b.N)
			b.ReportMetric(ms1(clusterCPU(b, ms)-etcd0)/changes, "etcd-cpu-ms/change")
			b.ReportMetric(ms1(processCPU()-self0)/changes, "client-cpu-ms/change")
			b.ReportMetric(ms1(pct(median, 50)), "median-watcher-p50-ms")
			b.ReportMetric(ms1(pct(slowest, 50)), "all-watchers-p50-ms")
			b.ReportMetric(ms1(pct(slowest, 99)), "all-watchers-p99-ms")
		})
	}
}

type watched struct {
	rev int64
	at  time.Time
}

func clusterCPU(b *testing.B, ms []*etcdtest.Member) time.Duration {
	var sum time.Duration
	for _, m := range ms {
		d, err := m.CPU()
		if err != nil {
			b.Fatal(err)
		}
		sum += d
	}
	return sum
}

// processCPU is this process's user + system time: the writer and every
// watching client.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms1(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

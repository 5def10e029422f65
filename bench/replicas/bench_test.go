package replicas

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// results of one benchmark run, written as JSON beside the printed summary.
type results struct {
	Sets            int     `json:"record_sets"`
	LoadSeconds     float64 `json:"api_load_seconds"`
	LoadInsync      float64 `json:"load_insync_on_all_seconds"`
	Upserts         int     `json:"upserts"`
	APIp50ms        float64 `json:"api_200_p50_ms"`
	APIp99ms        float64 `json:"api_200_p99_ms"`
	Allp50ms        float64 `json:"ack_to_all_answer_p50_ms"`
	Allp99ms        float64 `json:"ack_to_all_answer_p99_ms"`
	Allmaxms        float64 `json:"ack_to_all_answer_max_ms"`
	Insyncp50ms     float64 `json:"ack_to_insync_p50_ms"`
	Insyncp99ms     float64 `json:"ack_to_insync_p99_ms"`
	Insyncmaxms     float64 `json:"ack_to_insync_max_ms"`
	BatchesPerSec   float64 `json:"sustained_batches_per_second"`
	DrainSeconds    float64 `json:"sustained_last_insync_after_seconds"`
	AllBatchesPerS  float64 `json:"sustained_batches_per_second_three_apis"`
	AllDrainSeconds float64 `json:"sustained_three_apis_last_insync_after_seconds"`
	QueriesSent     int64   `json:"queries_sent"`
	QueriesFailed   int64   `json:"queries_failed"`
}

func env(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// TestBenchReplicas is `make bench-replicas`: 3 replicas, a zone of SETS record
// sets loaded through the API, query load on all three; UPSERTs through one API
// timed from its 200 to the new value answered by every replica and to INSYNC;
// then back-to-back batches through one API and through all three.
func TestBenchReplicas(t *testing.T) {
	if os.Getenv("BENCH_REPLICAS") == "" {
		t.Skip("the multi-replica benchmark runs with BENCH_REPLICAS=1 (make bench-replicas)")
	}
	ctx := context.Background()
	r := results{Sets: env("SETS", 10000), Upserts: env("UPSERTS", 300)}
	sustain := time.Duration(env("SUSTAIN_SECONDS", 10)) * time.Second
	workers := env("WORKERS", 4)
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{Retry: true})
	api := rs.Nodes[0]

	start := time.Now()
	zoneID, last, err := loadZone(ctx, api.Client, r.Sets)
	if err != nil {
		t.Fatalf("loading %d record sets: %v\n%s", r.Sets, err, rs.Outputs())
	}
	r.LoadSeconds = time.Since(start).Seconds()
	took, err := rs.WaitInsync(ctx, last, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r.LoadInsync = took.Seconds()
	fmt.Printf("loaded %d record sets through %s's API in %.1f s; INSYNC on all three %.2f s later\n", r.Sets, api.Name, r.LoadSeconds, r.LoadInsync)

	load := startLoad(rs.Nodes, r.Sets, env("QPS", 300), func(*e2e.Replica) bool { return true })
	apiTimes, all, insync, err := visibility(ctx, rs, zoneID, r.Sets, r.Upserts)
	if err != nil {
		load.stop()
		t.Fatal(err)
	}
	r.APIp50ms, r.APIp99ms = ms(percentile(apiTimes, 50)), ms(percentile(apiTimes, 99))
	r.Allp50ms, r.Allp99ms, r.Allmaxms = ms(percentile(all, 50)), ms(percentile(all, 99)), ms(percentile(all, 100))
	r.Insyncp50ms, r.Insyncp99ms, r.Insyncmaxms = ms(percentile(insync, 50)), ms(percentile(insync, 99)), ms(percentile(insync, 100))
	fmt.Printf("UPSERT ×%d through %s: API 200 after p50 %.1f ms p99 %.1f ms\n", r.Upserts, api.Name, r.APIp50ms, r.APIp99ms)
	fmt.Printf("UPSERT ×%d through %s: API 200 → new value answered by all three: p50 %.1f ms p99 %.1f ms max %.1f ms; → GetChange INSYNC: p50 %.1f ms p99 %.1f ms max %.1f ms\n",
		r.Upserts, api.Name, r.Allp50ms, r.Allp99ms, r.Allmaxms, r.Insyncp50ms, r.Insyncp99ms, r.Insyncmaxms)

	n, d, drain, err := sustained(ctx, rs, rs.Nodes[:1], zoneID, r.Sets, workers, sustain)
	if err != nil {
		t.Fatal(err)
	}
	r.BatchesPerSec, r.DrainSeconds = float64(n)/d.Seconds(), drain.Seconds()
	fmt.Printf("sustained through %s (%d clients, %v): %d batches = %.0f/s; the last INSYNC on all %.2f s later\n", api.Name, workers, sustain, n, r.BatchesPerSec, r.DrainSeconds)
	n, d, drain, err = sustained(ctx, rs, rs.Nodes, zoneID, r.Sets, workers, sustain)
	if err != nil {
		t.Fatal(err)
	}
	r.AllBatchesPerS, r.AllDrainSeconds = float64(n)/d.Seconds(), drain.Seconds()
	fmt.Printf("sustained through all three APIs (%d clients each, %v): %d batches = %.0f/s; the last INSYNC on all %.2f s later\n", workers, sustain, n, r.AllBatchesPerS, r.AllDrainSeconds)
	load.stop()
	r.QueriesSent, r.QueriesFailed = load.sent.Load(), load.failed.Load()
	fmt.Printf("queries to the three replicas during the changes: %d sent, %d failed\n", r.QueriesSent, r.QueriesFailed)
	if r.QueriesFailed > 0 {
		t.Errorf("%d queries failed", r.QueriesFailed)
	}
	writeJSON(t, "replicas", r)
}

// visibility times count UPSERTs through the first replica's API: from its 200
// to the new value answered by every replica (each polled every 0.5 ms), and to
// GetChange INSYNC on that API (polled every 2 ms).
func visibility(ctx context.Context, rs *e2e.Replicas, zoneID string, n, count int) (api, all, insync []time.Duration, err error) {
	conns := make([]*dns.Conn, len(rs.Nodes))
	for i, r := range rs.Nodes {
		c, err := net.Dial("udp", r.DNS)
		if err != nil {
			return nil, nil, nil, err
		}
		defer c.Close()
		conns[i] = &dns.Conn{Conn: c}
	}
	for k := range count {
		i, gen := 1+k*7919%(n-1), 1000+k
		sent := time.Now()
		id, err := send(ctx, rs.Nodes[0].Client, zoneID, []types.Change{upsertChange(i, gen)})
		if err != nil {
			return nil, nil, nil, err
		}
		acked := time.Now()
		api = append(api, acked.Sub(sent))
		want := value(i, gen)
		var wg sync.WaitGroup
		var latest atomic.Int64
		var failed atomic.Pointer[error]
		for _, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if got, _ := askA(c, recordName(i)); got == want {
						break
					}
					if time.Since(acked) > 30*time.Second {
						err := fmt.Errorf("%s: %s not answered 30 s after the API's 200", recordName(i), want)
						failed.Store(&err)
						return
					}
					time.Sleep(500 * time.Microsecond)
				}
				d := int64(time.Since(acked))
				for old := latest.Load(); d > old && !latest.CompareAndSwap(old, d); old = latest.Load() {
				}
			}()
		}
		var insyncAfter time.Duration
		for {
			st, err := rs.Nodes[0].ChangeStatus(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			if st == types.ChangeStatusInsync {
				insyncAfter = time.Since(acked)
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		wg.Wait()
		if e := failed.Load(); e != nil {
			return nil, nil, nil, *e
		}
		all, insync = append(all, time.Duration(latest.Load())), append(insync, insyncAfter)
	}
	return api, all, insync, nil
}

// sustained sends one-change UPSERT batches from workers clients per API of
// apis for d, and returns how many were acknowledged, the time taken, and how
// long after that the last one was INSYNC on every replica.
func sustained(ctx context.Context, rs *e2e.Replicas, apis []*e2e.Replica, zoneID string, n, workers int, d time.Duration) (int64, time.Duration, time.Duration, error) {
	var acked atomic.Int64
	var mu sync.Mutex
	var firstErr error
	lastIDs := map[*e2e.Replica]string{}
	var wg sync.WaitGroup
	start := time.Now()
	for ai, api := range apis {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; time.Since(start) < d; k++ {
					i := 1 + ((ai*workers+w)*100003+k*7919)%(n-1)
					id, err := send(ctx, api.Client, zoneID, []types.Change{upsertChange(i, 5000+k)})
					mu.Lock()
					if err != nil {
						firstErr = err
						mu.Unlock()
						return
					}
					lastIDs[api] = id
					mu.Unlock()
					acked.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	took := time.Since(start)
	if firstErr != nil {
		return 0, 0, 0, firstErr
	}
	for _, id := range lastIDs {
		if _, err := rs.WaitInsync(ctx, id, 2*time.Minute); err != nil {
			return 0, 0, 0, err
		}
	}
	return acked.Load(), took, time.Since(start) - took, nil
}

// writeJSON writes v to bench/out/<name>-<time>.json.
func writeJSON(t *testing.T, name string, v any) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "bench", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+"-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	b, _ := json.MarshalIndent(v, "", "  ")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Println("results:", out)
}

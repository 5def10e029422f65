// Command api is the Route 53 API benchmark (bench/api/README.md): a zone of N record
// sets loaded through the API into a real coredns, then
//
//   - visibility: one-record-set UPSERTs under steady query load, time from the API's
//     200 to the first DNS answer with the new value (p50, p99; goal p99 ≤ 100 ms);
//   - sustained changes: one-change batches back to back, acknowledged per second;
//   - failed queries during all of it (must be 0);
//   - queries per server CPU-second for the zone loaded through the API against the
//     same zone loaded from a YAML data file, in interleaved dnsperf rounds (goal:
//     within 5 %).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

type results struct {
	Sets             int       `json:"record_sets"`
	LoadSeconds      float64   `json:"api_load_seconds"`
	Upserts          int       `json:"upserts"`
	APIp50ms         float64   `json:"api_200_p50_ms"`
	APIp99ms         float64   `json:"api_200_p99_ms"`
	Seenp50ms        float64   `json:"visible_after_200_p50_ms"`
	Seenp99ms        float64   `json:"visible_after_200_p99_ms"`
	Seenmaxms        float64   `json:"visible_after_200_max_ms"`
	BatchesPerSec    float64   `json:"sustained_batches_per_second"`
	DrainSeconds     float64   `json:"sustained_last_insync_after_seconds"`
	ServedPerSec     float64   `json:"sustained_served_batches_per_second"`
	QueriesSent      int64     `json:"queries_sent_during_changes"`
	QueriesFailed    int64     `json:"queries_failed_during_changes"`
	APIPerCPU        []float64 `json:"api_zone_queries_per_cpu_second"`
	YAMLPerCPU       []float64 `json:"yaml_zone_queries_per_cpu_second"`
	RatioAPIOverYAML float64   `json:"ratio_api_over_yaml"`
}

func main() {
	bin := flag.String("bin", "./coredns", "the coredns binary")
	n := flag.Int("sets", 100000, "record sets in the zone")
	upserts := flag.Int("upserts", 300, "UPSERTs timed for visibility")
	sustain := flag.Duration("sustain", 10*time.Second, "how long to send back-to-back batches")
	workers := flag.Int("workers", 4, "concurrent API clients for the sustained part")
	qps := flag.Int("qps", 2000, "background query rate during the changes")
	rounds := flag.Int("rounds", 3, "interleaved dnsperf rounds (API zone, YAML zone)")
	seconds := flag.Int("seconds", 5, "seconds per dnsperf run")
	serverCPU := flag.Int("server-cpu", 0, "CPU the servers are pinned to (-1: none)")
	clientCPU := flag.Int("client-cpu", 1, "CPU dnsperf and the clients are pinned to (-1: none)")
	out := flag.String("out", "", "results JSON (default: bench/out/api-<time>.json)")
	flag.Parse()
	if err := run(*bin, *n, *upserts, *sustain, *workers, *qps, *rounds, *seconds, *serverCPU, *clientCPU, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench/api:", err)
		os.Exit(1)
	}
}

func run(bin string, n, upserts int, sustain time.Duration, workers, qps, rounds, seconds, serverCPU, clientCPU int, out string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-api-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte(fmt.Sprintf("[bench]\naws_access_key_id = %s\naws_secret_access_key = %s\n", accessKey, secretKey)), 0o600); err != nil {
		return err
	}
	dnsA, errA := freePort()
	apiPort, errB := freePort()
	dnsY, errC := freePort()
	if err := firstErr(errA, errB, errC); err != nil {
		return err
	}
	store := filepath.Join(dir, "store.db")
	apiConf := fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    route53api 127.0.0.1:%d {\n        store %s\n        credentials %s\n        rate 1000000\n    }\n    policy {\n        store %s\n    }\n}\n",
		dnsA, apiPort, store, creds, store)
	sa, err := startServer("api", bin, dir, apiConf, fmt.Sprintf("127.0.0.1:%d", dnsA), serverCPU)
	if err != nil {
		return err
	}
	defer sa.stop()
	c := newClient(fmt.Sprintf("http://127.0.0.1:%d", apiPort))
	r := results{Sets: n, Upserts: upserts}

	zoneID, took, err := loadZone(ctx, c, n)
	if err != nil {
		return fmt.Errorf("loading %d record sets through the API: %w\n%s", n, err, sa.out.String())
	}
	r.LoadSeconds = took.Seconds()
	fmt.Printf("loaded %d record sets through the API in %.1f s\n", n, r.LoadSeconds)

	load, err := startLoad(sa.dns, n, qps, 8)
	if err != nil {
		return err
	}
	api, seen, err := visibility(ctx, c, zoneID, sa.dns, n, upserts)
	if err != nil {
		load.stop()
		return err
	}
	r.APIp50ms, r.APIp99ms = ms(percentile(api, 50)), ms(percentile(api, 99))
	r.Seenp50ms, r.Seenp99ms, r.Seenmaxms = ms(percentile(seen, 50)), ms(percentile(seen, 99)), ms(percentile(seen, 100))
	fmt.Printf("UPSERT ×%d: API 200 p50 %.1f ms p99 %.1f ms; answered after the 200: p50 %.1f ms p99 %.1f ms max %.1f ms\n",
		upserts, r.APIp50ms, r.APIp99ms, r.Seenp50ms, r.Seenp99ms, r.Seenmaxms)
	acked, d, drain, err := sustained(ctx, c, zoneID, n, workers, sustain)
	load.stop()
	if err != nil {
		return err
	}
	r.BatchesPerSec = float64(acked) / d.Seconds()
	r.DrainSeconds, r.ServedPerSec = drain.Seconds(), float64(acked)/(d+drain).Seconds()
	r.QueriesSent, r.QueriesFailed = load.sent.Load(), load.failed.Load()
	fmt.Printf("sustained: %d batches acknowledged in %.1f s = %.0f batches/s (%d workers); the last INSYNC %.2f s later: %.0f batches/s served\n",
		acked, d.Seconds(), r.BatchesPerSec, workers, r.DrainSeconds, r.ServedPerSec)
	fmt.Printf("queries during the changes: %d sent, %d failed\n", r.QueriesSent, r.QueriesFailed)

	// The same zone from YAML, side by side: the API zone now holds later generations
	// of some values, which costs nothing per query.
	yaml := filepath.Join(dir, "zone.yaml")
	queries := filepath.Join(dir, "queries.txt")
	if err := firstErr(writeYAML(yaml, n), writeQueries(queries, n)); err != nil {
		return err
	}
	yamlConf := fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    policy {\n        data %s\n    }\n}\n", dnsY, yaml)
	sy, err := startServer("yaml", bin, dir, yamlConf, fmt.Sprintf("127.0.0.1:%d", dnsY), serverCPU)
	if err != nil {
		return err
	}
	defer sy.stop()
	if err := waitAnswer(sy.dns, recordName(n-1)); err != nil {
		return err
	}
	var sumA, sumY float64
	for round := range rounds {
		a, err := perCPU(sa, queries, seconds, clientCPU)
		if err != nil {
			return err
		}
		y, err := perCPU(sy, queries, seconds, clientCPU)
		if err != nil {
			return err
		}
		r.APIPerCPU, r.YAMLPerCPU = append(r.APIPerCPU, a), append(r.YAMLPerCPU, y)
		sumA, sumY = sumA+a, sumY+y
		fmt.Printf("round %d: API zone %.0f q/CPU-s, YAML zone %.0f q/CPU-s (%.3f×)\n", round+1, a, y, a/y)
	}
	r.RatioAPIOverYAML = sumA / sumY
	fmt.Printf("queries per server CPU-second, API zone / YAML zone: %.3f× over %d rounds\n", r.RatioAPIOverYAML, rounds)

	if out == "" {
		if err := os.MkdirAll(filepath.Join(repoRoot(), "bench", "out"), 0o755); err != nil {
			return err
		}
		out = filepath.Join(repoRoot(), "bench", "out", "api-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println("results:", out)
	return os.WriteFile(out, b, 0o644)
}

func waitAnswer(addr, name string) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if err := tryAnswer(addr, name); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

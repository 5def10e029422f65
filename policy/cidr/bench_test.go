package cidr

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/coretraffic/coretraffic/internal/cpuclock"
)

// Benchmarks over the BGP-like mix (see mix) at 1k, 100k and 1M blocks:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./policy/cidr
//
// The machines are shared: besides wall-clock ns/op, the lookups report
// cpu-ns/op, the CPU time of the benchmark's own (locked) thread, and Build and
// Parse report cpu-ms/op, the CPU time of the whole process (GC included).
//
// Lookup/hit queries full addresses inside random blocks (clients in announced
// space), Lookup/ecs the same as ECS /24 (IPv4) and /56 (IPv6) prefixes,
// Lookup/short as ECS /20 and /40, shorter than most blocks of the mix (the rare
// path: binary search and a walk up the parents), Lookup/random uniformly random
// IPv4 addresses. Naive is the baseline: one hash
// map per prefix length, probed from the query's length down.

var sizes = []int{1000, 100_000, 1_000_000}

var (
	mixMu    sync.Mutex
	mixCache = map[int][]entry{}
)

func cachedMix(n int) []entry {
	mixMu.Lock()
	defer mixMu.Unlock()
	if es, ok := mixCache[n]; ok {
		return es
	}
	es := mix(n, uint64(n))
	mixCache[n] = es
	return es
}

func queries(b *testing.B, es []entry) map[string][]query {
	b.Helper()
	qs := map[string][]query{
		"hit":   inside(es, 1<<16, 0, 0, 1),
		"ecs":   inside(es, 1<<16, 24, 56, 2),
		"short": inside(es, 1<<16, 20, 40, 3),
	}
	rnd := make([]query, 1<<16)
	for i := range rnd {
		rnd[i] = query{addr4(uint32(i) * 2654435761), 32}
	}
	qs["random"] = rnd
	return qs
}

func BenchmarkLookup(b *testing.B) {
	for _, n := range sizes {
		es := cachedMix(n)
		c, err := build(es)
		if err != nil {
			b.Fatal(err)
		}
		qs := queries(b, es)
		for _, kind := range []string{"hit", "ecs", "short", "random"} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				q, i, hits := qs[kind], 0, 0
				b.ReportAllocs()
				defer cpuclock.Thread(b)()
				for b.Loop() {
					x := &q[i&(len(q)-1)]
					if _, _, ok := c.Lookup(x.addr, x.bits); ok {
						hits++
					}
					i++
				}
				b.ReportMetric(float64(hits)/float64(i), "hit/op")
			})
		}
	}
}

func BenchmarkNaive(b *testing.B) {
	for _, n := range sizes {
		es := cachedMix(n)
		nv := newNaive(es)
		qs := queries(b, es)
		for _, kind := range []string{"hit", "ecs", "short", "random"} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				q, i := qs[kind], 0
				b.ReportAllocs()
				defer cpuclock.Thread(b)()
				for b.Loop() {
					x := &q[i&(len(q)-1)]
					nv.lookup(x.addr, x.bits)
					i++
				}
			})
		}
	}
}

// BenchmarkBuild adds and builds a whole collection; heap-MB is the live heap the
// built collection holds.
func BenchmarkBuild(b *testing.B) {
	for _, n := range sizes {
		es := cachedMix(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			stop := cpuclock.Process(b)
			for b.Loop() {
				if _, err := build(es); err != nil {
					b.Fatal(err)
				}
			}
			stop()
			b.ReportMetric(float64(heapOf(func() any { c, _ := build(es); return c }))/(1<<20), "heap-MB")
		})
	}
}

// BenchmarkParse parses the separate-file form: one "CIDR LOCATION" line a block.
func BenchmarkParse(b *testing.B) {
	for _, n := range sizes {
		path := writeMix(b, cachedMix(n))
		st, _ := os.Stat(path)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.Size())
			defer cpuclock.Process(b)()
			for b.Loop() {
				if _, err := ParseFile(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func writeMix(tb testing.TB, es []entry) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "mix.cidr")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "# the BGP-like benchmark mix")
	for _, e := range es {
		fmt.Fprintf(w, "%s %s\n", e.p, e.loc)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

// heapOf is the live heap that what make returns keeps, after a GC.
func heapOf(make func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := make()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

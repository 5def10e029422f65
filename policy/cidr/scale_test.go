//go:build scale

package cidr

import (
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestScale1M builds and parses a million-block BGP-like collection, reports wall
// time, CPU time and the heap, and checks lookups against the naive baseline:
//
//	go test -tags scale -run Scale -v ./policy/cidr
//
// CPU time is printed beside wall time because the machines are shared: on a
// loaded machine the wall time is the CPU time times the queue.
func TestScale1M(t *testing.T) {
	const n = 1_000_000
	es := mix(n, n)
	path := writeMix(t, es)
	st, _ := os.Stat(path)

	var c *Collection
	wall, cpu := measure(func() {
		var err error
		if c, err = build(es); err != nil {
			t.Fatal(err)
		}
	})
	heap := heapOf(func() any { c, _ := build(es); return c })
	t.Logf("build %d blocks (Add+Build): wall %v, cpu %v, collection heap %.1f MB", n, wall, cpu, float64(heap)/(1<<20))

	wall, cpu = measure(func() {
		var err error
		if c, err = ParseFile(path); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("parse %d lines (%.1f MB): wall %v, cpu %v", n, float64(st.Size())/(1<<20), wall, cpu)
	if c.Len() != n {
		t.Fatalf("parsed %d blocks, want %d", c.Len(), n)
	}

	nv := newNaive(es)
	rng := rand.New(rand.NewPCG(5, 6))
	qs := append(inside(es, 200_000, 0, 0, 1), inside(es, 200_000, 24, 56, 2)...)
	for range 200_000 {
		qs = append(qs, query{addr4(rng.Uint32()), 8 + rng.IntN(25)})
	}
	for _, q := range qs {
		loc, m, ok := c.Lookup(q.addr, q.bits)
		nloc, nm, nok := nv.lookup(q.addr, q.bits)
		if ok != nok || ok && (m != nm || loc != nloc) {
			t.Fatalf("Lookup(%s, %d) = %d /%d %v, naive %d /%d %v", q.addr, q.bits, loc, m, ok, nloc, nm, nok)
		}
	}
	wall, cpu = measure(func() {
		for _, q := range qs {
			c.Lookup(q.addr, q.bits)
		}
	})
	t.Logf("lookup: %d queries, wall %v/op, cpu %v/op", len(qs), wall/time.Duration(len(qs)), cpu/time.Duration(len(qs)))
}

// measure returns the wall and CPU (user+system, whole process) time of f.
func measure(f func()) (wall, cpu time.Duration) {
	runtime.GC()
	c0, t0 := cpuTime(), time.Now()
	f()
	return time.Since(t0), cpuTime() - c0
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

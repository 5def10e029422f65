// Package cpuclock reports CPU time per benchmark op beside ns/op: on a shared
// machine wall time counts the wait for a CPU, CPU time counts the work.
package cpuclock

import (
	"runtime"
	"testing"
)

// Thread locks the benchmark to its thread and returns the function that reports
// the thread's CPU time per op as cpu-ns/op; call it after the loop.
func Thread(b *testing.B) func() {
	runtime.LockOSThread()
	c0 := threadCPU()
	return func() {
		if d := threadCPU() - c0; d > 0 && b.N > 0 {
			b.ReportMetric(float64(d)/float64(b.N), "cpu-ns/op")
		}
		runtime.UnlockOSThread()
	}
}

// Process returns the function that reports the process's CPU time per op as
// cpu-ms/op, for ops that use more than one thread (a build, a load).
func Process(b *testing.B) func() {
	c0 := processCPU()
	return func() {
		if d := processCPU() - c0; d > 0 && b.N > 0 {
			b.ReportMetric(float64(d)/float64(b.N)/1e6, "cpu-ms/op")
		}
	}
}

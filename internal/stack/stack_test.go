package stack

import (
	"testing"
	"unsafe"
)

// chain stands in for the plugins after dnsserver: n frames of about 512 bytes.
//
//go:noinline
func chain(n int) byte {
	var frame [512]byte
	frame[n&511] = byte(n)
	if n == 0 {
		return frame[0]
	}
	return chain(n-1) + frame[(n*7)&511]
}

// moves runs f on a new goroutine, as miekg/dns runs a UDP query, and reports how
// often the goroutine's stack was copied (grown) during f: a local's address
// changes when the runtime moves the stack.
func moves(f func()) int {
	out := make(chan int)
	go func() {
		var marker byte
		before := uintptr(unsafe.Pointer(&marker))
		n := 0
		f()
		if uintptr(unsafe.Pointer(&marker)) != before {
			n++
		}
		out <- n
	}()
	return <-out
}

// The runtime behaviour Grow relies on: a new goroutine's stack is smaller than a
// deep chain needs (so the chain grows it, copying frames), and one large frame near
// the top grows it in one step to a size the chain then fits in. If a Go release
// starts goroutines with larger stacks, or grows them differently, this fails, and
// Grow (with geo's and policy's use of it) should be measured again or removed
// (`bench/dns/run.sh --icount`).
func TestGrowRuntimeBehaviour(t *testing.T) {
	const depth = 10 // about 5 KiB: more than a goroutine starts with, less than Grow leaves
	if n := moves(func() { chain(depth) }); n == 0 {
		t.Error("a 5 KiB chain did not grow a new goroutine's stack: goroutines start large enough, Grow is useless")
	}
	var grownByGrow, grownByChain int
	for range 20 {
		grownByGrow += moves(func() { Grow(1) })
		moves(func() { // counts Grow's move; the chain's is counted inside
			Grow(1)
			var marker byte
			before := uintptr(unsafe.Pointer(&marker))
			chain(depth)
			if uintptr(unsafe.Pointer(&marker)) != before {
				grownByChain++
			}
		})
	}
	if grownByGrow == 0 {
		t.Error("Grow did not grow a new goroutine's stack")
	}
	if grownByChain != 0 {
		t.Errorf("the chain grew the stack again after Grow in %d of 20 goroutines: Grow's frame is too small", grownByChain)
	}
}

// A handler list with a Grower needs no Grow; one without does.
func TestNeeded(t *testing.T) {
	type plain struct{}
	for _, tc := range []struct {
		handlers []any
		want     bool
	}{
		{nil, true},
		{[]any{plain{}}, true},
		{[]any{plain{}, growerStub{}}, false},
	} {
		if got := Needed(tc.handlers); got != tc.want {
			t.Errorf("Needed(%v) = %v, want %v", tc.handlers, got, tc.want)
		}
	}
}

type growerStub struct{}

func (growerStub) GrowsStack() {}

package freeport

import (
	"fmt"
	"net"
	"testing"
)

// TestDistinctAndBindable: ports are never handed out twice, lie below the
// ephemeral range, and can be bound for what was asked.
func TestDistinctAndBindable(t *testing.T) {
	seen := map[int]bool{}
	for i := range 200 {
		p := TCP(t)
		if i%2 == 0 {
			p = Both(t)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if p < lo || p >= hi {
			t.Fatalf("port %d outside %d–%d", p, lo, hi-1)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d: %v", p, err)
		}
		l.Close()
	}
}

// TestSkipsTaken: a port bound by someone else is not handed out.
func TestSkipsTaken(t *testing.T) {
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	taken := map[int]bool{}
	for p := lo; p < lo+2000; p++ {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			held = append(held, l)
			taken[p] = true
		}
	}
	for range 300 {
		if p := TCP(t); taken[p] {
			t.Fatalf("handed out %d, which is bound", p)
		}
	}
}

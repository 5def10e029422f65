// Package freeport hands tests loopback ports for the servers they start.
//
// Ports come at random from below the kernel's ephemeral range (32768–60999 on
// Linux), where "listen on :0" and outgoing connections take theirs: a port picked
// by binding :0 and closing can be handed out again to the next caller in this
// process, or taken by another process's connection, before the server that was
// meant to have it binds it (an etcd cluster got one peer URL twice that way). A
// process never hands out one port twice.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
)

// The range ports are picked from: registered ports below the ephemeral range.
const (
	lo = 20000
	hi = 32768
)

var given = struct {
	sync.Mutex
	m map[int]bool
}{m: map[int]bool{}}

// TCP returns a port on 127.0.0.1 free for TCP now and never handed out before by
// this process.
func TCP(t testing.TB) int {
	t.Helper()
	return pick(t, false)
}

// Both returns a port on 127.0.0.1 free for TCP and UDP now (a DNS server's), never
// handed out before by this process.
func Both(t testing.TB) int {
	t.Helper()
	return pick(t, true)
}

// Addr is TCP's port as "127.0.0.1:port".
func Addr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", TCP(t))
}

func pick(t testing.TB, udp bool) int {
	t.Helper()
	given.Lock()
	defer given.Unlock()
	for range 1000 {
		p := lo + rand.IntN(hi-lo)
		if given.m[p] || !free(p, udp) {
			continue
		}
		given.m[p] = true
		return p
	}
	t.Fatalf("freeport: no free port in %d–%d after 1000 tries", lo, hi-1)
	return 0
}

func free(port int, udp bool) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer l.Close()
	if udp {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		pc.Close()
	}
	return true
}

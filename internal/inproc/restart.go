// Package inproc helps tests that run CoreDNS in-process through caddy.
package inproc

import (
	"net"
	"time"

	"github.com/coredns/caddy"
)

// Restart is inst.Restart with a trickle of UDP packets and TCP connections to the
// instance's listeners until it returns.
//
// Caddy hands the old listeners to the new instance through File(), and os.File.Fd
// clears O_NONBLOCK on the socket both descriptors share until net.FileListener sets
// it again. A server goroutine of the old instance that enters recvmsg or accept in
// that window blocks in the kernel, and the old server's Stop then waits in close()
// for it: until the next packet or connection arrives. A server in service always
// gets one; a test server must be given one, or the test hangs (seen in CI under
// -race, where the window is wider).
func Restart(inst *caddy.Instance, in caddy.Input) (*caddy.Instance, error) {
	defer trickle(inst)()
	return inst.Restart(in)
}

// Stop shuts inst down as caddy does on exit, with the same trickle as Restart: a
// failed Restart opens the same window on the instance that keeps running.
func Stop(inst *caddy.Instance) error {
	defer trickle(inst)()
	inst.ShutdownCallbacks()
	return inst.Stop()
}

// trickle sends a packet and opens a connection to each listener of inst every 20ms
// until the returned function is called.
func trickle(inst *caddy.Instance) (stop func()) {
	var udp, tcp []string
	for _, s := range inst.Servers() {
		if a := s.LocalAddr(); a != nil {
			udp = append(udp, a.String())
		}
		if a := s.Addr(); a != nil {
			tcp = append(tcp, a.String())
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		// A header-only DNS query: the server answers FORMERR or drops it; either
		// way its reader returns from recvmsg.
		packet := []byte{0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, a := range udp {
				if c, err := net.Dial("udp", a); err == nil {
					c.Write(packet)
					c.Close()
				}
			}
			for _, a := range tcp {
				if c, err := net.DialTimeout("tcp", a, 200*time.Millisecond); err == nil {
					c.Close()
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

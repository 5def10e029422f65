package inproc

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/freeport"
)

// Corefile is a Corefile's text as caddy's input, for caddy.Start and Restart.
type Corefile string

func (c Corefile) Body() []byte       { return []byte(c) }
func (c Corefile) Path() string       { return "Corefile" }
func (c Corefile) ServerType() string { return "dns" }

// FreePort returns a port free for both TCP and UDP on 127.0.0.1.
func FreePort(t testing.TB) int {
	t.Helper()
	return freeport.Both(t)
}

// Goroutines lists the goroutines that are not the DNS servers' own: caddy starts
// those (startServers) and stops them, and a restart can leave an old server's accept
// waiting (the window Restart describes), which is caddy's, not a plugin's.
func Goroutines() []string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by github.com/coredns/caddy.startServers") || strings.Contains(g, "[running]") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// Settle waits up to 10 s until at most want Goroutines are left (want < 0: until
// their number holds still) and returns them.
func Settle(want int) []string {
	deadline := time.Now().Add(10 * time.Second)
	prev := -1
	for {
		runtime.GC()
		g := Goroutines()
		if (want >= 0 && len(g) <= want) || (want < 0 && len(g) == prev) || time.Now().After(deadline) {
			return g
		}
		prev = len(g)
		time.Sleep(100 * time.Millisecond)
	}
}

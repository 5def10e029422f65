package healthcheck

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer counts the connections its clients open.
func countingServer(t *testing.T, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func newTestRunner(t *testing.T, args ...string) *runner {
	t.Helper()
	s := inline(t, args...)
	p, err := newProber(&s, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	return &runner{spec: &s, prober: p}
}

func TestKeepAlive(t *testing.T) {
	long := "status: OK " + strings.Repeat("x", 10000)  // chunked by the Go server
	huge := "status: OK " + strings.Repeat("x", 100000) // more than drainLimit
	tests := []struct {
		name      string
		body      string
		fields    []string
		wantConns int32
	}{
		{"fresh connections by default", "OK", nil, 5},
		{"keepalive", "OK", []string{"keepalive=true"}, 1},
		{"keepalive, chunked body", long, []string{"keepalive=true"}, 1},
		{"keepalive with match", long, []string{"keepalive=true", "match=OK"}, 1},
		{"keepalive with match, body not found", long, []string{"keepalive=true", "match=nope"}, 1},
		{"keepalive, body too long to drain", huge, []string{"keepalive=true", "match=OK"}, 5},
		{"keepalive, HEAD", long, []string{"keepalive=true", "method=HEAD"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, conns := countingServer(t, tc.body)
			r := newTestRunner(t, append([]string{"web", "http", srv.URL + "/"}, tc.fields...)...)
			wantOK := !strings.Contains(tc.name, "not found")
			for i := range 5 {
				if res := r.safeProbe(context.Background()); res.OK != wantOK {
					t.Fatalf("probe %d: %+v", i, res)
				}
			}
			if got := conns.Load(); got != tc.wantConns {
				t.Errorf("%d connections, want %d", got, tc.wantConns)
			}
		})
	}
}

func TestKeepAliveStaleAndDead(t *testing.T) {
	srv, conns := countingServer(t, "OK")
	r := newTestRunner(t, "web", "http", srv.URL+"/", "keepalive=true")
	if res := r.safeProbe(context.Background()); !res.OK {
		t.Fatal(res)
	}
	srv.CloseClientConnections() // the server drops the idle connection
	if res := r.safeProbe(context.Background()); !res.OK {
		t.Errorf("after the server closed the idle connection: %+v", res)
	}
	if got := conns.Load(); got != 2 {
		t.Errorf("%d connections, want 2", got)
	}
	srv.Close()
	if res := r.safeProbe(context.Background()); res.OK || res.Kind != KindRefused {
		t.Errorf("dead server: %+v", res)
	}
}

func TestKeepAliveClosedOnStop(t *testing.T) {
	srv, _ := countingServer(t, "OK")
	e := New(Options{Clock: newFakeClock()})
	set, err := e.Apply("t", []Spec{inline(t, "web", "http", srv.URL+"/", "keepalive=true")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ready", set.Ready)
	h, _ := set.Handle("web")
	p := h.r.prober.(*httpProber)
	waitFor(t, "idle connection", func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.idle != nil })
	set.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.idle != nil {
		t.Error("idle connection kept after the check stopped")
	}
}

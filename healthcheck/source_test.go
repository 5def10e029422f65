package healthcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
)

// TestSource: every probed type dials from Options.Source, the vantage point's
// address (127.0.0.2 here; Linux routes all of 127/8 to loopback), so a
// multi-homed checker really checks through the interface it reports.
func TestSource(t *testing.T) {
	src := netip.MustParseAddr("127.0.0.2")
	from := make(chan string, 100)
	host := func(a string) string { h, _, _ := net.SplitHostPort(a); return h }

	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { from <- host(r.RemoteAddr) }))
	defer web.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			from <- host(c.RemoteAddr().String())
			c.Close()
		}
	}()

	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		from <- host(w.RemoteAddr().String())
		m := new(dns.Msg)
		m.SetReply(r)
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	udp, tcp := &dns.Server{PacketConn: pc, Handler: h}, &dns.Server{Listener: dl, Handler: h}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	defer udp.Shutdown()
	defer tcp.Shutdown()

	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		if p, ok := peer.FromContext(ctx); ok {
			from <- host(p.Addr.String())
		}
		return next(ctx, req)
	}))
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go gs.Serve(gl)
	defer gs.Stop()

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"http", []string{"web", "http", web.URL}},
		{"tcp", []string{"port", "tcp", ln.Addr().String()}},
		{"dns udp", []string{"ns", "dns", pc.LocalAddr().String(), "name=example.org"}},
		{"dns tcp", []string{"ns", "dns", pc.LocalAddr().String(), "name=example.org", "proto=tcp"}},
		{"grpc", []string{"api", "grpc", gl.Addr().String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for len(from) > 0 {
				<-from
			}
			e := New(Options{Clock: newFakeClock(), Source: src})
			set, err := e.Apply("test", []Spec{inline(t, tc.args...)})
			if err != nil {
				t.Fatal(err)
			}
			defer set.Close()
			if got := <-from; got != src.String() {
				t.Errorf("probe came from %s, want %s", got, src)
			}
		})
	}
}

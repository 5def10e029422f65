package healthcheck

import (
	"net"
	"testing"

	"github.com/miekg/dns"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// dnsServer answers example.org. A 192.0.2.1 and NXDOMAIN for everything else, on
// UDP and TCP at the same port.
func dnsServer(t *testing.T) string {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Name == "example.org." {
			rr, _ := dns.NewRR("example.org. 60 IN A 192.0.2.1")
			m.Answer = append(m.Answer, rr)
		} else {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: ln, Handler: h}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return pc.LocalAddr().String()
}

func TestDNSProbe(t *testing.T) {
	addr := dnsServer(t)
	silent, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer silent.Close()
	tests := []struct {
		name   string
		target string
		fields []string
		want   Kind
	}{
		{"noerror", addr, []string{"name=example.org"}, KindOK},
		{"answer", addr, []string{"name=example.org", "answer=192.0.2.1"}, KindOK},
		{"tcp", addr, []string{"name=example.org", "proto=tcp", "answer=192.0.2.1"}, KindOK},
		{"wrong answer", addr, []string{"name=example.org", "answer=192.0.2.2"}, KindAnswer},
		{"wrong type", addr, []string{"name=example.org", "qtype=AAAA", "answer=192.0.2.1"}, KindAnswer},
		{"nxdomain", addr, []string{"name=nope.example.org"}, KindRcode},
		{"nxdomain expected", addr, []string{"name=nope.example.org", "rcode=NXDOMAIN"}, KindOK},
		{"no answer", silent.LocalAddr().String(), []string{"name=example.org", "timeout=300ms", "interval=1s"}, KindTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := probe(t, TypeDNS, tc.target, tc.fields...); r.Kind != tc.want {
				t.Errorf("got %+v, want %s", r, tc.want)
			}
		})
	}
}

func TestGRPCProbe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	hs.SetServingStatus("api", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("down", healthpb.HealthCheckResponse_NOT_SERVING)
	go srv.Serve(ln)
	addr := ln.Addr().String()
	tests := []struct {
		name   string
		fields []string
		want   Kind
	}{
		{"server", nil, KindOK},
		{"service serving", []string{"service=api"}, KindOK},
		{"service not serving", []string{"service=down"}, KindNotServe},
		{"unknown service", []string{"service=nope"}, KindNotServe},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := probe(t, TypeGRPC, addr, tc.fields...); r.Kind != tc.want {
				t.Errorf("got %+v, want %s", r, tc.want)
			}
		})
	}
	srv.Stop()
	if r := probe(t, TypeGRPC, addr, "timeout=500ms", "interval=1s"); r.OK || (r.Kind != KindRefused && r.Kind != KindTimeout) {
		t.Errorf("stopped server: %+v", r)
	}
}

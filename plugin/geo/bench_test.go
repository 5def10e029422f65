package geo

import (
	"context"
	"net"
	"testing"

	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"

	"github.com/miekg/dns"
)

// nopWriter discards the response and, like the server's UDP writer, returns
// a remote address it already has, so only the plugin's own work is measured.
type nopWriter struct {
	test.ResponseWriter
	remote net.Addr
}

func newNopWriter(ip string) *nopWriter {
	return &nopWriter{remote: &net.UDPAddr{IP: net.ParseIP(ip), Port: 53000}}
}

func (w *nopWriter) RemoteAddr() net.Addr  { return w.remote }
func (*nopWriter) WriteMsg(*dns.Msg) error { return nil }

var nextNop = plugin.HandlerFunc(func(context.Context, dns.ResponseWriter, *dns.Msg) (int, error) {
	return dns.RcodeSuccess, nil
})

// BenchmarkServeDNS is the plugin's overhead per query: client address, ECS
// check, lookup in City+ASN, Client in the context.
func BenchmarkServeDNS(b *testing.B) {
	g := newGeo(b, "geo "+cityDB+" "+asnDB)
	g.Next = nextNop
	for _, tc := range []struct {
		name string
		r    *dns.Msg
	}{
		{"source", query()},
		{"ecs", query(subnet(1, "203.0.113.0", 24, 0))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := newNopWriter("192.0.2.1")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = g.ServeDNS(ctx, w, tc.r)
			}
		})
	}
}

// BenchmarkMetadata is the path with the metadata plugin: locate once in
// Metadata, publish the (lazy) labels, reuse the Client in ServeDNS; with all
// twelve labels, nine (the default and one more: the metadata map grows), the
// eight of the default, two, and none.
func BenchmarkMetadata(b *testing.B) {
	for _, tc := range []struct{ name, block string }{
		{"all", " {\n labels all\n}"},
		{"nine", " {\n labels geo/continent/code geo/country/code geo/country/is_in_european_union geo/subdivisions/code" +
			" geo/city/name geo/latitude geo/longitude geo/asn/number geo/asn/org\n}"},
		{"default", ""},
		{"two", " {\n labels geo/continent/code geo/country/code\n}"},
		{"none", " {\n labels none\n}"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			g := newGeo(b, "geo "+cityDB+" "+asnDB+tc.block)
			g.Next = nextNop
			w := newNopWriter("192.0.2.1")
			r := query(subnet(1, "203.0.113.0", 24, 0))
			b.ReportAllocs()
			for b.Loop() {
				ctx := metadata.ContextWithMetadata(context.Background())
				ctx = g.Metadata(ctx, request.Request{W: w, Req: r})
				_, _ = g.ServeDNS(ctx, w, r)
			}
		})
	}
}

func BenchmarkServeDNSParallel(b *testing.B) {
	g := newGeo(b, "geo "+cityDB+" "+asnDB)
	g.Next = nextNop
	r := query(subnet(1, "203.0.113.0", 24, 0))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := newNopWriter("192.0.2.1")
		for pb.Next() {
			_, _ = g.ServeDNS(context.Background(), w, r)
		}
	})
}

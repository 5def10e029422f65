package geo

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin/test"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

// TestLookupCounters checks that the cached counters are the lookups_total
// series of the query's server and result.
func TestLookupCounters(t *testing.T) {
	g := newGeo(t, "geo "+cityDB)
	servers := []string{"dns://:1053", "dns://:2053", ""}
	type want struct{ found, notFound float64 }
	before := map[string]want{}
	for _, s := range servers {
		before[s] = want{value(lookups.WithLabelValues(s, "found")), value(lookups.WithLabelValues(s, "notfound"))}
	}
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			if s != "" {
				ctx = context.WithValue(ctx, dnsserver.Key{}, &dnsserver.Server{Addr: s})
			}
			for range i + 1 {
				if _, err := g.locate(ctx, &test.ResponseWriter{RemoteIP: "192.0.2.1"}, query()); err != nil {
					t.Error(err)
				}
				if _, err := g.locate(ctx, &test.ResponseWriter{RemoteIP: "10.0.0.1"}, query()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for i, s := range servers {
		f := value(lookups.WithLabelValues(s, "found")) - before[s].found
		n := value(lookups.WithLabelValues(s, "notfound")) - before[s].notFound
		if f != float64(i+1) || n != float64(i+1) {
			t.Errorf("server %q: found %v notfound %v, want %d each", s, f, n, i+1)
		}
	}
	if p := g.counters.list.Load(); p == nil || len(*p) != len(servers) {
		t.Errorf("cached servers %v, want %d", p, len(servers))
	}
}

// TestLookupErrorAnswers: a lookup that fails (here: a transport whose remote
// address is not an IP address, so there is nothing to look up) still passes the
// query on, with an empty location, and counts as result="error".
func TestLookupErrorAnswers(t *testing.T) {
	g := newGeo(t, "geo "+cityDB)
	next := &capture{}
	g.Next = next.handler()
	errors := lookups.WithLabelValues("", "error")
	before := value(errors)
	rcode, err := g.ServeDNS(context.Background(), &oddWriter{}, query())
	if rcode != dns.RcodeSuccess || err != nil {
		t.Errorf("rcode %d, %v; want the query passed on", rcode, err)
	}
	if next.client == nil || next.client.Found || next.client.Location != (geo.Location{}) {
		t.Errorf("client %+v, want an empty location", next.client)
	}
	if d := value(errors) - before; d != 1 {
		t.Errorf("error lookups counted %v, want 1", d)
	}
}

// oddWriter is a transport with a remote address that is no IP address.
type oddWriter struct{ test.ResponseWriter }

func (*oddWriter) RemoteAddr() net.Addr { return oddAddr{} }

type oddAddr struct{}

func (oddAddr) Network() string { return "pipe" }
func (oddAddr) String() string  { return "pipe:client" }

package geo

import (
	"context"
	"net"
	"testing"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/plugin"
	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/plugin/pkg/dnstest"
	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

func newGeo(t testing.TB, config string) *Geo {
	t.Helper()
	g, err := parse(caddy.NewTestController("dns", config))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// capture is the next plugin: it records the Client it was given.
type capture struct {
	client *geo.Client
	calls  int
}

func (c *capture) handler() plugin.Handler {
	return plugin.HandlerFunc(func(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
		c.calls++
		c.client, _ = geo.FromContext(ctx)
		return dns.RcodeSuccess, nil
	})
}

func query(ecs ...*dns.EDNS0_SUBNET) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion("www.example.org.", dns.TypeA)
	if len(ecs) > 0 {
		m.SetEdns0(1232, false)
		opt := m.IsEdns0()
		for _, e := range ecs {
			if e != nil {
				opt.Option = append(opt.Option, e)
			}
		}
	}
	return m
}

func subnet(family uint16, addr string, source, scope uint8) *dns.EDNS0_SUBNET {
	return &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: family, SourceNetmask: source, SourceScope: scope, Address: net.ParseIP(addr)}
}

func TestServeDNS(t *testing.T) {
	all := "geo " + cityDB + " " + asnDB
	tests := []struct {
		name    string
		config  string
		remote  string
		ecs     []*dns.EDNS0_SUBNET
		rcode   int
		country string
		city    string
		addr    string
		source  int
		scope   int
		hasECS  bool
		fromECS bool
		found   bool
	}{
		{"source v4", all, "192.0.2.10", nil, 0, "DE", "Frankfurt am Main", "192.0.2.10", 32, 24, false, false, true},
		{"source v6", all, "2001:db8:2::53", nil, 0, "US", "Ashburn", "2001:db8:2::53", 128, 48, false, false, true},
		{"source loopback", all, "127.0.0.1", nil, 0, "US", "", "127.0.0.1", 32, 8, false, false, true},
		{"edns without ecs", all, "203.0.113.1", []*dns.EDNS0_SUBNET{nil}, 0, "JP", "Tokyo", "203.0.113.1", 32, 24, false, false, true},
		{"ecs v4", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "203.0.113.0", 24, 0)}, 0, "JP", "Tokyo", "203.0.113.0", 24, 24, true, true, true},
		{"ecs wider than network", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "100.64.0.0", 12, 0)}, 0, "US", "San Jose", "100.64.0.0", 12, 12, true, true, true},
		{"ecs narrower than network", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "192.0.2.16", 28, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.16", 28, 24, true, true, true},
		{"ecs v4 /20 in a /16", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "100.68.16.0", 20, 0)}, 0, "GB", "London", "100.68.16.0", 20, 16, true, true, true},
		{"ecs v6", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(2, "2001:db8:1::", 56, 0)}, 0, "DE", "Frankfurt am Main", "2001:db8:1::", 56, 48, true, true, true},
		{"ecs v4-mapped in family 2", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(2, "::ffff:198.51.100.0", 120, 0)}, 0, "US", "Ashburn", "198.51.100.0", 120, 120, true, true, true},
		{"ecs source 0", all, "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(1, "0.0.0.0", 0, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.1", 0, 0, true, false, true},
		{"ecs family 0", all, "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(0, "0.0.0.0", 0, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.1", 0, 0, true, false, true},
		{"not in database", all, "10.1.2.3", nil, 0, "", "", "10.1.2.3", 32, 5, false, false, false},
		{"ecs not in database", all, "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(1, "10.9.0.0", 16, 0)}, 0, "", "", "10.9.0.0", 16, 5, true, true, false},
		{"ecs off", all + " {\n ecs off\n}", "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(1, "203.0.113.0", 24, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.1", 32, 24, false, false, true},
		{"ecs untrusted", all + " {\n trust 198.51.100.0/24\n}", "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(1, "203.0.113.0", 24, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.1", 32, 24, false, false, true},
		{"ecs trusted", all + " {\n trust 198.51.100.0/24\n}", "198.51.100.9", []*dns.EDNS0_SUBNET{subnet(1, "203.0.113.0", 24, 0)}, 0, "JP", "Tokyo", "203.0.113.0", 24, 24, true, true, true},
		{"malformed untrusted is ignored", all + " {\n trust 198.51.100.0/24\n}", "192.0.2.1", []*dns.EDNS0_SUBNET{subnet(1, "203.0.113.1", 24, 0)}, 0, "DE", "Frankfurt am Main", "192.0.2.1", 32, 24, false, false, true},

		{"ecs bits beyond prefix", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "198.51.100.1", 20, 0)}, dns.RcodeFormatError, "", "", "", 0, 0, false, false, false},
		{"ecs stray bits in last byte", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "100.68.0.1", 24, 0)}, dns.RcodeFormatError, "", "", "", 0, 0, false, false, false},
		{"ecs scope in query", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "198.51.100.0", 24, 24)}, dns.RcodeFormatError, "", "", "", 0, 0, false, false, false},
		{"ecs family 1 with v6 address", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "2001:db8::", 24, 0)}, dns.RcodeFormatError, "", "", "", 0, 0, false, false, false},
		{"two ecs options", all, "10.0.0.1", []*dns.EDNS0_SUBNET{subnet(1, "198.51.100.0", 24, 0), subnet(1, "192.0.2.0", 24, 0)}, dns.RcodeFormatError, "", "", "", 0, 0, false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGeo(t, tc.config)
			next := &capture{}
			g.Next = next.handler()
			w := dnstest.NewRecorder(&test.ResponseWriter{RemoteIP: tc.remote})
			rcode, err := g.ServeDNS(context.Background(), w, query(tc.ecs...))
			if err != nil || rcode != tc.rcode {
				t.Fatalf("rcode %d err %v, want %d", rcode, err, tc.rcode)
			}
			if tc.rcode != dns.RcodeSuccess {
				if next.calls != 0 {
					t.Error("next plugin called for a malformed query")
				}
				return
			}
			c := next.client
			if c == nil {
				t.Fatal("no client in context")
			}
			l := c.Location
			if l.Country != tc.country || l.City != tc.city || c.Addr.String() != tc.addr || c.SourcePrefix != tc.source ||
				c.Scope != tc.scope || c.ECS != tc.hasECS || c.FromECS != tc.fromECS || c.Found != tc.found {
				t.Errorf("client %+v", *c)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	g := newGeo(t, "geo "+cityDB+" "+asnDB+" {\n labels all\n}")
	next := &capture{}
	g.Next = next.handler()
	w := &test.ResponseWriter{RemoteIP: "10.0.0.1"}
	r := query(subnet(1, "100.68.0.0", 24, 0))
	ctx := metadata.ContextWithMetadata(context.Background())
	ctx = g.Metadata(ctx, request.Request{W: w, Req: r})
	want := map[string]string{
		"geo/continent/code":               "EU",
		"geo/country/code":                 "GB",
		"geo/country/is_in_european_union": "false",
		"geo/subdivisions/code":            "GB-ENG,GB-LND",
		"geo/city/name":                    "London",
		"geo/latitude":                     "51.5074",
		"geo/longitude":                    "-0.1278",
		"geo/asn/number":                   "64503",
		"geo/asn/org":                      "EXAMPLE-LHR",
		"geo/client/subnet":                "100.68.0.0/24",
		"geo/client/scope":                 "16",
		"geo/client/ecs":                   "true",
	}
	for label, v := range want {
		f := metadata.ValueFunc(ctx, label)
		if f == nil {
			t.Errorf("label %s not set", label)
			continue
		}
		if got := f(); got != v {
			t.Errorf("%s = %q, want %q", label, got, v)
		}
	}
	fromMeta, _ := geo.FromContext(ctx)
	if _, err := g.ServeDNS(ctx, dnstest.NewRecorder(w), r); err != nil {
		t.Fatal(err)
	}
	if next.client != fromMeta {
		t.Error("ServeDNS located the client again instead of using Metadata's")
	}

	// Another instance (another server block, e.g. a view) must not reuse it.
	other := newGeo(t, "geo "+cityDB)
	other.Next = next.handler()
	if _, err := other.ServeDNS(ctx, dnstest.NewRecorder(w), r); err != nil {
		t.Fatal(err)
	}
	if next.client == fromMeta {
		t.Error("another geo instance reused this instance's client")
	}

	// No coordinates: latitude and longitude are empty, not "0".
	ctx = metadata.ContextWithMetadata(context.Background())
	ctx = g.Metadata(ctx, request.Request{W: &test.ResponseWriter{RemoteIP: "127.0.0.1"}, Req: query()})
	if lat := metadata.ValueFunc(ctx, "geo/latitude")(); lat != "" {
		t.Errorf("latitude %q for a location without coordinates", lat)
	}
	// Null Island has real coordinates 0,0.
	ctx = metadata.ContextWithMetadata(context.Background())
	ctx = g.Metadata(ctx, request.Request{W: &test.ResponseWriter{RemoteIP: "100.72.1.1"}, Req: query()})
	if lat := metadata.ValueFunc(ctx, "geo/latitude")(); lat != "0" {
		t.Errorf("latitude %q at Null Island, want 0", lat)
	}
	// Malformed ECS: no labels, and ServeDNS answers FORMERR.
	ctx = metadata.ContextWithMetadata(context.Background())
	bad := query(subnet(1, "100.68.0.1", 24, 0))
	ctx = g.Metadata(ctx, request.Request{W: w, Req: bad})
	if metadata.ValueFunc(ctx, "geo/country/code") != nil {
		t.Error("labels set for a malformed query")
	}
	if rcode, _ := g.ServeDNS(ctx, dnstest.NewRecorder(w), bad); rcode != dns.RcodeFormatError {
		t.Errorf("rcode %d, want FORMERR", rcode)
	}
}

func TestRemoteAddrTCPAndZone(t *testing.T) {
	for _, tc := range []struct {
		w    dns.ResponseWriter
		want string
	}{
		{&test.ResponseWriter{TCP: true, RemoteIP: "198.51.100.1"}, "198.51.100.1"},
		{&test.ResponseWriter{RemoteIP: "fe80::1", Zone: "eth0"}, "fe80::1"},
		{&test.ResponseWriter{RemoteIP: "::ffff:192.0.2.1"}, "192.0.2.1"},
	} {
		if got := remoteAddr(tc.w).String(); got != tc.want {
			t.Errorf("remoteAddr = %s, want %s", got, tc.want)
		}
	}
}

package geo

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

type otherKey struct{}

func TestLocatedContext(t *testing.T) {
	if clientKey == nil {
		t.Fatal("clientKey not learned from geo.FromContext")
	}
	g := newGeo(t, "geo "+cityDB)
	parent := context.WithValue(context.Background(), otherKey{}, "parent")
	l, err := g.locate(parent, &test.ResponseWriter{RemoteIP: "192.0.2.1"}, query())
	if err != nil {
		t.Fatal(err)
	}
	// Later plugins may wrap the context further.
	ctx := context.WithValue(l, otherKey{}, "child")
	if c, ok := geo.FromContext(ctx); !ok || c != &l.c || c.Location.Country != "DE" {
		t.Errorf("geo.FromContext = %v, %v; want the located Client", c, ok)
	}
	if g.located(ctx) != l {
		t.Error("instance does not find its own located client")
	}
	if newGeo(t, "geo "+cityDB).located(ctx) != nil {
		t.Error("another instance trusts this instance's located client")
	}
	if v := l.Value(otherKey{}); v != "parent" {
		t.Errorf("Value of another key = %v, want the parent's", v)
	}
	if _, ok := geo.FromContext(parent); ok {
		t.Error("Client found in the parent context")
	}
}

// labelClients are clients with and without each field a label shows.
var labelClients = []struct {
	remote string
	ecs    *dns.EDNS0_SUBNET
}{
	{"192.0.2.1", nil},
	{"10.0.0.1", nil},
	{"127.0.0.1", nil},
	{"100.72.1.1", nil},
	{"2001:db8:6::1", nil},
	{"10.0.0.1", subnet(1, "100.68.0.0", 24, 0)},
	{"10.0.0.1", subnet(2, "2001:db8:3::", 56, 0)},
	{"10.0.0.1", subnet(1, "0.0.0.0", 0, 0)},
	{"10.0.0.1", subnet(1, "8.8.8.0", 24, 0)},
	{"10.0.0.1", subnet(2, "::ffff:198.51.100.0", 120, 0)},
	{"10.0.0.1", subnet(1, "198.51.100.0", 24, 0)},
	{"10.0.0.1", subnet(1, "203.0.113.0", 24, 0)},
}

// TestLabelsMatchClient checks every label against the Client it describes,
// for clients with and without each field. Each client asks three times in a
// row, so that its labels come once built for the query, once from a new
// location cache entry and once from the cached one. (Locations sharing a
// slot: labelcache_test.go.)
func TestLabelsMatchClient(t *testing.T) {
	g := newGeo(t, "geo "+cityDB+" "+asnDB+" {\n labels all\n}")
	for _, tc := range labelClients {
		for range 3 {
			checkLabels(t, g, tc.remote, tc.ecs)
		}
	}
}

// TestLabelsConcurrent has queries from every client run at once, for the
// race detector and for the location cache's slots changing hands.
func TestLabelsConcurrent(t *testing.T) {
	g := newGeo(t, "geo "+cityDB+" "+asnDB+" {\n labels all\n}")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				tc := labelClients[(i+j)%len(labelClients)]
				checkLabels(t, g, tc.remote, tc.ecs)
			}
		})
	}
	wg.Wait()
}

// checkLabels locates one query through Metadata and compares every label
// with the Client in the context.
func checkLabels(t *testing.T, g *Geo, remote string, ecs *dns.EDNS0_SUBNET) {
	t.Helper()
	ctx := metadata.ContextWithMetadata(context.Background())
	ctx = g.Metadata(ctx, request.Request{W: &test.ResponseWriter{RemoteIP: remote}, Req: query(ecs)})
	c, ok := geo.FromContext(ctx)
	if !ok {
		t.Errorf("%s %v: no client", remote, ecs)
		return
	}
	l := &c.Location
	coord := func(v float64) string {
		if !l.HasCoords {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	asn := ""
	if l.ASN != 0 {
		asn = strconv.FormatUint(uint64(l.ASN), 10)
	}
	want := map[string]string{
		"geo/continent/code":               l.Continent,
		"geo/country/code":                 l.Country,
		"geo/country/is_in_european_union": strconv.FormatBool(l.InEU),
		"geo/subdivisions/code":            strings.Join(l.SubdivisionList(), ","),
		"geo/city/name":                    l.City,
		"geo/latitude":                     coord(l.Lat),
		"geo/longitude":                    coord(l.Lon),
		"geo/asn/number":                   asn,
		"geo/asn/org":                      l.ASOrg,
		"geo/client/subnet":                c.Subnet().String(),
		"geo/client/scope":                 strconv.Itoa(c.Scope),
		"geo/client/ecs":                   strconv.FormatBool(c.FromECS),
	}
	if n := len(metadata.Labels(ctx)); n != len(want) {
		t.Errorf("%s %v: %d labels, want %d", remote, ecs, n, len(want))
	}
	for label, v := range want {
		f := metadata.ValueFunc(ctx, label)
		if f == nil {
			t.Errorf("%s %v: %s not set", remote, ecs, label)
		} else if got := f(); got != v {
			t.Errorf("%s %v: %s = %q, want %q", remote, ecs, label, got, v)
		}
	}
}

// TestLabelsSelected checks the labels property: only the listed labels are
// set, and with none the Client still reaches ServeDNS through the context.
func TestLabelsSelected(t *testing.T) {
	w := &test.ResponseWriter{RemoteIP: "10.0.0.1"}
	r := query(subnet(1, "100.68.0.0", 24, 0))
	for _, tc := range []struct {
		config string
		want   map[string]string
	}{
		{"geo " + cityDB, map[string]string{ // the default eight
			"geo/continent/code": "EU", "geo/country/code": "GB", "geo/country/is_in_european_union": "false",
			"geo/subdivisions/code": "GB-ENG,GB-LND", "geo/city/name": "London",
			"geo/latitude": "51.5074", "geo/longitude": "-0.1278", "geo/asn/number": ""}},
		{"geo " + cityDB + " {\n labels geo/client/scope geo/country/code\n}",
			map[string]string{"geo/country/code": "GB", "geo/client/scope": "16"}},
		{"geo " + cityDB + " {\n labels none\n}", map[string]string{}},
	} {
		g := newGeo(t, tc.config)
		next := &capture{}
		g.Next = next.handler()
		ctx := metadata.ContextWithMetadata(context.Background())
		ctx = g.Metadata(ctx, request.Request{W: w, Req: r})
		got := map[string]string{}
		for label, f := range metadata.ValueFuncs(ctx) {
			got[label] = f()
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: labels %v, want %v", tc.config, got, tc.want)
		}
		for label, v := range tc.want {
			if got[label] != v {
				t.Errorf("%q: %s = %q, want %q", tc.config, label, got[label], v)
			}
		}
		fromMeta, _ := geo.FromContext(ctx)
		if _, err := g.ServeDNS(ctx, w, r); err != nil {
			t.Fatal(err)
		}
		if next.client == nil || next.client != fromMeta || next.client.Location.Country != "GB" {
			t.Errorf("%q: ServeDNS did not pass on Metadata's client", tc.config)
		}
	}
}

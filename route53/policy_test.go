package route53

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"

	"github.com/miekg/dns"
)

// everyRouting is a zone with a record set of every routing policy.
func everyRouting(t testing.TB) (*Zone, []ResourceRecordSet) {
	z, cur := newTestZone(t)
	set := func(name, id string, f func(*ResourceRecordSet), values ...string) Change {
		rs := rec(name+".example.com.", "A", 60, values...)
		rs.SetIdentifier = id
		if f != nil {
			f(&rs)
		}
		return change(ActionCreate, rs)
	}
	hc := func(id string) func(*ResourceRecordSet) { return func(rs *ResourceRecordSet) { rs.HealthCheckId = id } }
	w := func(n int64, check string) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) { rs.Weight, rs.HealthCheckId = i64(n), check }
	}
	fo := func(f, check string) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) { rs.Failover, rs.HealthCheckId = f, check }
	}
	gl := func(g GeoLocation) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) { rs.GeoLocation = &g }
	}
	gp := func(g GeoProximityLocation) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) { rs.GeoProximityLocation = &g }
	}
	lat := func(r string) func(*ResourceRecordSet) { return func(rs *ResourceRecordSet) { rs.Region = r } }
	mv := func(check string) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) { rs.MultiValueAnswer, rs.HealthCheckId = ptr(true), check }
	}
	ip := func(loc string) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) {
			rs.CidrRoutingConfig = &CidrRoutingConfig{CollectionId: testColl.ID, LocationName: loc}
		}
	}
	alias := func(target string, eth bool) func(*ResourceRecordSet) {
		return func(rs *ResourceRecordSet) {
			rs.TTL, rs.ResourceRecords = nil, nil
			rs.AliasTarget = &AliasTarget{HostedZoneId: z.ID, DNSName: target, EvaluateTargetHealth: eth}
		}
	}
	cur = mustApply(t, z, cur,
		set("www", "", nil, "192.0.2.1"),
		set("multi", "", hc("hc-3"), "192.0.2.2", "192.0.2.3"),
		set("w", "one", w(3, "hc-1"), "192.0.2.10"),
		set("w", "two", w(1, "hc-2"), "192.0.2.11"),
		set("w", "zero", w(0, ""), "192.0.2.12"),
		set("f", "primary", fo("PRIMARY", "hc-1"), "192.0.2.20"),
		set("f", "secondary", fo("SECONDARY", ""), "192.0.2.21", "192.0.2.22"),
		set("g", "de", func(rs *ResourceRecordSet) { gl(GeoLocation{CountryCode: "DE"})(rs); rs.HealthCheckId = "hc-3" }, "192.0.2.30"),
		set("g", "eu", gl(GeoLocation{ContinentCode: "EU"}), "192.0.2.31"),
		set("g", "va", gl(GeoLocation{CountryCode: "US", SubdivisionCode: "VA"}), "192.0.2.32"),
		set("g", "default", gl(GeoLocation{CountryCode: "*"}), "192.0.2.33"),
		set("gp", "fra", gp(GeoProximityLocation{AWSRegion: "eu-central-1"}), "192.0.2.40"),
		set("gp", "iad", gp(GeoProximityLocation{Coordinates: &Coordinates{Latitude: "38.95", Longitude: "-77.45"}, Bias: i64(20)}), "192.0.2.41"),
		set("gp", "lax", gp(GeoProximityLocation{LocalZoneGroup: "us-west-2-lax-1", Bias: i64(-10)}), "192.0.2.42"),
		set("l", "fra", lat("eu-central-1"), "192.0.2.50"),
		set("l", "iad", lat("us-east-1"), "192.0.2.51"),
		set("l", "syd", lat("ap-southeast-2"), "192.0.2.52"),
		set("m", "a", mv("hc-1"), "192.0.2.60"),
		set("m", "b", mv("hc-2"), "192.0.2.61"),
		set("m", "c", mv(""), "192.0.2.62"),
		set("i", "eu", ip("eu-office"), "192.0.2.70"),
		set("i", "us", ip("us-office"), "192.0.2.71"),
		set("i", "rest", ip("*"), "192.0.2.72"),
		set("a", "", alias("www.example.com.", true)),
		set("fa", "primary", func(rs *ResourceRecordSet) { alias("w.example.com.", true)(rs); rs.Failover = "PRIMARY" }),
		set("fa", "secondary", fo("SECONDARY", ""), "192.0.2.80"),
	)
	return z, cur
}

type fakeCheck struct{ down atomic.Bool }

func (f *fakeCheck) Up() bool { return !f.down.Load() }

type testChecks map[string]*fakeCheck

func (c testChecks) resolve(name string) (policy.HealthSource, bool) {
	f, ok := c[name]
	return f, ok
}

func (c testChecks) down(names ...string) {
	for n, f := range c {
		f.down.Store(slices.Contains(names, n))
	}
}

// compiled translates and compiles the zone.
func compiled(t testing.TB, z *Zone, cur []ResourceRecordSet) (*policy.CompiledZone, testChecks) {
	t.Helper()
	pz, colls, err := ToPolicy(z, cur, []*CidrCollection{testColl})
	if err != nil {
		t.Fatal(err)
	}
	checks := testChecks{"hc-1": {}, "hc-2": {}, "hc-3": {}}
	snap, err := policy.Compile(&policy.Data{Zones: []*policy.Zone{pz}, CIDRCollections: colls}, checks.resolve, time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	return snap.Zone("example.com."), checks
}

type client struct {
	loc  *geo.Location
	addr string
}

// answers evaluates name A n times and counts the values answered.
func answers(t testing.TB, cz *policy.CompiledZone, name string, c client, n int) map[string]int {
	t.Helper()
	m := cz.Lookup(name, dns.TypeA)
	if m.Kind != policy.Found {
		t.Fatalf("%s: lookup kind %d", name, m.Kind)
	}
	tree := m.Set.Tree
	in := &policy.Input{Loc: c.loc, Rand: rand.New(rand.NewPCG(1, 2))}
	if c.addr != "" {
		a := netip.MustParseAddr(c.addr)
		in.Client = netip.PrefixFrom(a, a.BitLen())
	}
	out := make([]int32, tree.MaxAnswers())
	counts := map[string]int{}
	for range n {
		r := tree.Evaluate(in, out)
		if r.Outcome != policy.Answer {
			counts["outcome"]++
			continue
		}
		var vals []string
		for _, i := range out[:r.N] {
			vals = append(vals, tree.Endpoints[i].Value)
		}
		sort.Strings(vals)
		counts[strings.Join(vals, ",")]++
	}
	return counts
}

var (
	frankfurt = &geo.Location{Continent: "EU", Country: "DE", Subdivisions: [geo.MaxSubdivisions]string{"DE-HE"}, Lat: 50.11, Lon: 8.68, HasCoords: true}
	paris     = &geo.Location{Continent: "EU", Country: "FR", Lat: 48.86, Lon: 2.35, HasCoords: true}
	ashburn   = &geo.Location{Continent: "NA", Country: "US", Subdivisions: [geo.MaxSubdivisions]string{"US-VA"}, Lat: 39.04, Lon: -77.49, HasCoords: true}
	boston    = &geo.Location{Continent: "NA", Country: "US", Subdivisions: [geo.MaxSubdivisions]string{"US-MA"}, Lat: 42.36, Lon: -71.06, HasCoords: true}
	losAngel  = &geo.Location{Continent: "NA", Country: "US", Subdivisions: [geo.MaxSubdivisions]string{"US-CA"}, Lat: 34.05, Lon: -118.24, HasCoords: true}
	sydney    = &geo.Location{Continent: "OC", Country: "AU", Lat: -33.87, Lon: 151.21, HasCoords: true}
	tokyo     = &geo.Location{Continent: "AS", Country: "JP", Lat: 35.68, Lon: 139.69, HasCoords: true}
)

// TestToPolicyAnswers compiles every routing policy and checks that the answers are
// Route 53's.
func TestToPolicyAnswers(t *testing.T) {
	z, cur := everyRouting(t)
	cz, checks := compiled(t, z, cur)
	tests := []struct {
		name string
		c    client
		down []string
		want map[string]int // value → count of 1000; -1: any count above 0
	}{
		{"www.example.com.", client{}, nil, map[string]int{"192.0.2.1": 1000}},
		{"multi.example.com.", client{}, nil, map[string]int{"192.0.2.2,192.0.2.3": 1000}},
		// Weighted 3:1, weight 0 only when every other record is down.
		{"w.example.com.", client{}, nil, map[string]int{"192.0.2.10": -1, "192.0.2.11": -1}},
		{"w.example.com.", client{}, []string{"hc-1"}, map[string]int{"192.0.2.11": 1000}},
		{"w.example.com.", client{}, []string{"hc-1", "hc-2"}, map[string]int{"192.0.2.12": 1000}},
		{"f.example.com.", client{}, nil, map[string]int{"192.0.2.20": 1000}},
		{"f.example.com.", client{}, []string{"hc-1"}, map[string]int{"192.0.2.21,192.0.2.22": 1000}},
		// Geolocation: the most specific match; no match gets the default.
		{"g.example.com.", client{loc: frankfurt}, nil, map[string]int{"192.0.2.30": 1000}},
		{"g.example.com.", client{loc: frankfurt}, []string{"hc-3"}, map[string]int{"192.0.2.31": 1000}},
		{"g.example.com.", client{loc: paris}, nil, map[string]int{"192.0.2.31": 1000}},
		{"g.example.com.", client{loc: ashburn}, nil, map[string]int{"192.0.2.32": 1000}},
		{"g.example.com.", client{loc: boston}, nil, map[string]int{"192.0.2.33": 1000}},
		{"g.example.com.", client{loc: tokyo}, nil, map[string]int{"192.0.2.33": 1000}},
		// Geoproximity: nearest by biased distance.
		{"gp.example.com.", client{loc: paris}, nil, map[string]int{"192.0.2.40": 1000}},
		{"gp.example.com.", client{loc: boston}, nil, map[string]int{"192.0.2.41": 1000}},
		{"gp.example.com.", client{loc: losAngel}, nil, map[string]int{"192.0.2.42": 1000}},
		// Latency: the Region nearest to the client's Region.
		{"l.example.com.", client{loc: paris}, nil, map[string]int{"192.0.2.50": 1000}},
		{"l.example.com.", client{loc: boston}, nil, map[string]int{"192.0.2.51": 1000}},
		{"l.example.com.", client{loc: tokyo}, nil, map[string]int{"192.0.2.52": 1000}},
		{"l.example.com.", client{loc: sydney}, nil, map[string]int{"192.0.2.52": 1000}},
		// Multivalue: every healthy record (up to 8).
		{"m.example.com.", client{}, nil, map[string]int{"192.0.2.60,192.0.2.61,192.0.2.62": 1000}},
		{"m.example.com.", client{}, []string{"hc-2"}, map[string]int{"192.0.2.60,192.0.2.62": 1000}},
		{"m.example.com.", client{}, []string{"hc-1", "hc-2"}, map[string]int{"192.0.2.62": 1000}},
		// A multi-value simple record set with its health check down fails open.
		{"multi.example.com.", client{}, []string{"hc-3"}, map[string]int{"192.0.2.2,192.0.2.3": 1000}},
		// IP-based: the client's CIDR location, else the "*" record.
		{"i.example.com.", client{addr: "192.0.2.55"}, nil, map[string]int{"192.0.2.70": 1000}},
		{"i.example.com.", client{addr: "2001:db8:1::9"}, nil, map[string]int{"192.0.2.70": 1000}},
		{"i.example.com.", client{addr: "198.51.100.7"}, nil, map[string]int{"192.0.2.71": 1000}},
		{"i.example.com.", client{addr: "203.0.113.1"}, nil, map[string]int{"192.0.2.72": 1000}},
		// Alias: the target's answer; with evaluate-target-health a failover moves on
		// when nothing in the target is healthy.
		{"a.example.com.", client{}, nil, map[string]int{"192.0.2.1": 1000}},
		{"fa.example.com.", client{}, []string{"hc-1"}, map[string]int{"192.0.2.11": 1000}},
		{"fa.example.com.", client{}, []string{"hc-1", "hc-2"}, map[string]int{"192.0.2.12": 1000}},
	}
	for _, tc := range tests {
		checks.down(tc.down...)
		got := answers(t, cz, tc.name, tc.c, 1000)
		ok := len(got) == len(tc.want)
		for v, n := range tc.want {
			if n == -1 && got[v] == 0 || n != -1 && got[v] != n {
				ok = false
			}
		}
		if !ok {
			t.Errorf("%s from %+v, down %v: got %v, want %v", tc.name, tc.c.loc, tc.down, got, tc.want)
		}
	}
	checks.down()
	w := answers(t, cz, "w.example.com.", client{}, 4000)
	if r := float64(w["192.0.2.10"]) / float64(w["192.0.2.11"]); r < 2.6 || r > 3.4 {
		t.Errorf("weights 3:1 answered %v (ratio %.2f)", w, r)
	}
}

// TestPolicyRoundTrip translates every routing policy to a policy zone and back.
func TestPolicyRoundTrip(t *testing.T) {
	z, cur := everyRouting(t)
	pz, _, err := ToPolicy(z, cur, []*CidrCollection{testColl})
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromPolicy(z, pz, []*CidrCollection{testColl})
	if err != nil {
		t.Fatal(err)
	}
	// The apex NS, SOA and alias-only TTLs come back as they were; values come
	// back as the policy holds them (miekg/dns presentation form, here unchanged).
	want := make([]ResourceRecordSet, len(cur))
	for i := range cur {
		want[i] = *cloneRecordSet(&cur[i])
	}
	if len(back) != len(want) {
		t.Fatalf("%d record sets back, want %d", len(back), len(want))
	}
	for i := range want {
		if !equalRecordSets(&back[i], &want[i]) {
			t.Errorf("record set %d:\n got %s\nwant %s", i, show(&back[i]), show(&want[i]))
		}
	}
}

package trafficflow

import (
	"math/rand/v2"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// fakeCheck is a health check the test flips.
type fakeCheck struct{ down atomic.Bool }

func (f *fakeCheck) Up() bool { return !f.down.Load() }

// checks are fake health checks by ID, created on first use.
type checks map[string]*fakeCheck

func (c checks) resolve(name string) (policy.HealthSource, bool) {
	if c[name] == nil {
		c[name] = &fakeCheck{}
	}
	return c[name], true
}

// set marks exactly the named checks down.
func (c checks) set(down ...string) {
	for _, f := range c {
		f.down.Store(false)
	}
	for _, n := range down {
		c.resolve(n)
		c[n].down.Store(true)
	}
}

// compileDoc parses src, translates it, compiles it as www.example.org. in zone
// example.org. with policy.Compile, and returns the record set's tree.
func compileDoc(t testing.TB, src string, c checks, opt Options) *policy.Tree {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RecordSet(d, "www.example.org.", 60, opt)
	if err != nil {
		t.Fatal(err)
	}
	data := &policy.Data{Zones: []*policy.Zone{{Origin: "example.org.", TTL: 60, Records: []*policy.RecordSet{rs}}}}
	snap, err := policy.Compile(data, Resolver(c.resolve), time.Unix(1_700_000_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	set := snap.Zone("www.example.org.").Set("www.example.org.", d.RRType)
	if set == nil {
		t.Fatal("no record set")
	}
	return set.Tree
}

// answer evaluates tree once for a client at loc (nil: unknown) and returns the
// values, sorted, joined by " "; "NODATA" for no data.
func answer(tree *policy.Tree, loc *geo.Location, seed uint64) string {
	out := make([]int32, tree.MaxAnswers())
	r := tree.Evaluate(&policy.Input{Loc: loc, Rand: rand.New(rand.NewPCG(seed, 7))}, out)
	if r.Outcome == policy.NoData {
		return "NODATA"
	}
	var vals []string
	for _, i := range out[:r.N] {
		vals = append(vals, tree.Endpoints[i].Value)
	}
	sort.Strings(vals)
	return strings.Join(vals, " ")
}

// Clients of the tests.
func client(continent, country, sub string, lat, lon float64) *geo.Location {
	l := &geo.Location{Continent: continent, Country: country, Lat: lat, Lon: lon, HasCoords: true}
	if sub != "" {
		l.Subdivisions[0] = sub
	}
	return l
}

var (
	ashburn   = client("NA", "US", "US-VA", 39.04, -77.49)
	sanJose   = client("NA", "US", "US-CA", 37.34, -121.89)
	boston    = client("NA", "US", "US-MA", 42.36, -71.06)
	paris     = client("EU", "FR", "FR-IDF", 48.86, 2.35)
	brussels  = client("EU", "BE", "", 50.85, 4.35)
	frankfurt = client("EU", "DE", "DE-HE", 50.11, 8.68)
	tokyo     = client("AS", "JP", "", 35.68, 139.69)
	sydney    = client("OC", "AU", "", -33.87, 151.21)
)

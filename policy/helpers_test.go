package policy

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo"

	"github.com/miekg/dns"
)

// fakeCheck is a health check the test flips, with a measured latency it sets.
type fakeCheck struct {
	down atomic.Bool
	rtt  atomic.Int64 // time.Duration; 0: not measured
}

func (f *fakeCheck) Up() bool { return !f.down.Load() }

func (f *fakeCheck) Latency() time.Duration { return time.Duration(f.rtt.Load()) }

// rtt sets the measured latencies of checks in milliseconds; 0 is "not measured".
func (c checks) rtt(ms map[string]float64) {
	for _, f := range c {
		f.rtt.Store(0)
	}
	for n, v := range ms {
		c[n].rtt.Store(int64(v * float64(time.Millisecond)))
	}
}

// checks is a set of fake checks by name, created on first use.
type checks map[string]*fakeCheck

func (c checks) resolve(name string) (HealthSource, bool) {
	f, ok := c[name]
	return f, ok
}

func (c checks) down(names ...string) {
	for _, f := range c {
		f.down.Store(false)
	}
	for _, n := range names {
		c[n].down.Store(true)
	}
}

func newChecks(names ...string) checks {
	c := checks{}
	for _, n := range names {
		c[n] = &fakeCheck{}
	}
	return c
}

// Node builders, so tests read like the data format.
func leaf(value, check string) *Node { return &Node{Rule: RuleLeaf, Value: value, Check: check} }

func rule(r Rule, kids ...*Node) *Node { return &Node{Rule: r, Children: kids} }

func weight(w int, n *Node) *Node { n.Weight = w; return n }

func at(m GeoMatch, n *Node) *Node { n.Geo = m; return n }

func allDown(a AllDown, fallback string, n *Node) *Node {
	n.AllDown, n.Fallback = a, fallback
	return n
}

// compileA compiles root as the A record set of www.example.org.
func compileA(t testing.TB, root *Node, c checks) *Tree {
	t.Helper()
	rs := &RecordSet{Name: "www.example.org.", Type: dns.TypeA, TTL: 30, Root: root}
	tree, err := compileTree(rs, 30, c.resolve)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// answer evaluates once and returns the values chosen, or "NODATA"/"rcode N".
func answer(t *Tree, in *Input) ([]string, Result) {
	out := make([]int32, t.MaxAnswers())
	r := t.Evaluate(in, out)
	var vals []string
	switch r.Outcome {
	case NoData:
		vals = []string{"NODATA"}
	case Rcode:
		vals = []string{"rcode " + dns.RcodeToString[r.Rcode]}
	default:
		for _, i := range out[:r.N] {
			vals = append(vals, t.Endpoints[i].Value)
		}
	}
	return vals, r
}

func seeded() *Input { return &Input{Rand: rand.New(rand.NewPCG(1, 2))} }

func from(loc geo.Location) *Input {
	in := seeded()
	in.Loc = &loc
	return in
}

var (
	frankfurt = geo.Location{Continent: "EU", Country: "DE", Subdivisions: [geo.MaxSubdivisions]string{"DE-HE"}, City: "Frankfurt am Main"}
	berlin    = geo.Location{Continent: "EU", Country: "DE", Subdivisions: [geo.MaxSubdivisions]string{"DE-BE"}, City: "Berlin"}
	paris     = geo.Location{Continent: "EU", Country: "FR"}
	ashburn   = geo.Location{Continent: "NA", Country: "US", Subdivisions: [geo.MaxSubdivisions]string{"US-VA"}, City: "Ashburn"}
	tokyo     = geo.Location{Continent: "AS", Country: "JP"}
)

var epoch = time.Unix(1_700_000_000, 0)

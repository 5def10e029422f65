package policy

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Regions and the latency table of the latency tests: clients near fra reach
// endpoints in fra in 5 ms, in iad in 90 ms, … (iad has no nrt column).
var (
	fraRegion = &Region{Name: "fra", Lat: 50.11, Lon: 8.68}
	iadRegion = &Region{Name: "iad", Lat: 38.95, Lon: -77.45}
	nrtRegion = &Region{Name: "nrt", Lat: 35.77, Lon: 140.39}
	latTable  = &LatencyTable{Rows: []LatencyRow{
		{From: fraRegion, MS: map[string]float64{"fra": 5, "iad": 90, "nrt": 230}},
		{From: iadRegion, MS: map[string]float64{"fra": 90, "iad": 5}},
		{From: nrtRegion, MS: map[string]float64{"fra": 230, "iad": 160, "nrt": 5}},
	}}
)

func inRegion(region string, n *Node) *Node { n.Place = Place{Region: region}; return n }

// latTree: fra (check a), iad (b), nrt (c) with the table and source.
func latTree(src LatencySource) *Node {
	n := rule(RuleLatency,
		inRegion("fra", leaf("192.0.2.1", "a")),
		inRegion("iad", leaf("192.0.2.2", "b")),
		inRegion("nrt", leaf("192.0.2.3", "c")))
	n.Source, n.Table = src, latTable
	return n
}

func TestEvaluateLatency(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	noRTT := map[string]float64{}
	tests := []struct {
		name string
		root *Node
		down []string
		rtt  map[string]float64
		in   *Input
		want string
		geo  bool // Result.Geo: the client's region was looked up
	}{
		{"table: lowest from the client's region", latTree(SourceTable), nil, noRTT, from(parisClient), "192.0.2.1", true},
		{"table: from Tokyo", latTree(SourceTable), nil, noRTT, from(nrtClient), "192.0.2.3", true},
		{"table: from Ashburn", latTree(SourceTable), nil, noRTT, from(iadClient), "192.0.2.2", true},
		{"table: lowest down, next lowest", latTree(SourceTable), []string{"a"}, noRTT, from(parisClient), "192.0.2.2", true},
		{"table: missing entry ranks last", latTree(SourceTable), []string{"b"}, noRTT, from(iadClient), "192.0.2.1", true},
		{"table: checks' measurements ignored", latTree(SourceTable), nil, map[string]float64{"c": 1}, from(parisClient), "192.0.2.1", true},
		{"table: client without coordinates gets list order", latTree(SourceTable), []string{"a"}, noRTT, from(tokyo), "192.0.2.2", true},
		{"table: unknown client gets the first child", latTree(SourceTable), nil, noRTT, nil, "192.0.2.1", true},
		{"measured: lowest measured", latTree(SourceMeasured), nil, map[string]float64{"a": 50, "b": 10, "c": 30}, from(parisClient), "192.0.2.2", false},
		{"measured: unmeasured ranks last", latTree(SourceMeasured), nil, map[string]float64{"c": 300}, from(parisClient), "192.0.2.3", false},
		{"measured: none measured is list order", latTree(SourceMeasured), []string{"a"}, noRTT, from(parisClient), "192.0.2.2", false},
		{"auto: measured beats the table", latTree(SourceAuto), nil, map[string]float64{"a": 50, "b": 10}, from(parisClient), "192.0.2.2", true},
		{"auto: table where unmeasured", latTree(SourceAuto), nil, map[string]float64{"b": 10}, from(parisClient), "192.0.2.1", true},
		{"auto: neither is list order", latTree(SourceAuto), []string{"a"}, noRTT, from(tokyo), "192.0.2.2", true},
		{"equal latencies: earlier child", latTree(SourceMeasured), nil, map[string]float64{"a": 20, "b": 10, "c": 10}, nil, "192.0.2.2", false},
		{"all down fails open to the lowest", latTree(SourceTable), []string{"a", "b", "c"}, noRTT, from(nrtClient), "192.0.2.3", true},
		{"all_down closes", allDown(AllDownRefused, "", latTree(SourceTable)), []string{"a", "b", "c"}, noRTT, from(nrtClient), "rcode REFUSED", true},
		{"latency under geolocation", rule(RuleGeolocation,
			at(GeoMatch{Continent: "NA"}, leaf("203.0.113.1", "d")),
			at(GeoMatch{Default: true}, latTree(SourceTable))), nil, noRTT, from(parisClient), "192.0.2.1", true},
		{"failover under latency", rule(RuleLatency,
			inRegion("fra", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.11", "d"))),
			inRegion("iad", leaf("192.0.2.2", "b"))), []string{"a"}, noRTT, from(parisClient), "192.0.2.11", false},
		{"weighted under latency, pool down", withTable(rule(RuleLatency,
			inRegion("fra", rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(1, leaf("192.0.2.11", "d")))),
			inRegion("iad", leaf("192.0.2.2", "b")))), []string{"a", "d"}, noRTT, from(parisClient), "192.0.2.2", true},
		{"latency under sticky", sticky(rule(RuleWeighted, weight(1, latTree(SourceAuto)), weight(0, leaf("198.51.100.1", "d")))), []string{"a"}, noRTT, fromSubnet("192.0.2.0/24", from(parisClient)), "192.0.2.2", true},
		{"geoproximity under latency", withTable(rule(RuleLatency,
			inRegion("iad", leaf("192.0.2.2", "b")),
			inRegion("fra", proxTree()))), []string{"b"}, noRTT, from(nrtClient), "192.0.2.3", true},
		{"latency under geoproximity", rule(RuleGeoproximity,
			place(fraPlace, latTree(SourceTable)),
			place(iadPlace, leaf("198.51.100.1", "d"))), []string{"a"}, noRTT, from(parisClient), "192.0.2.2", true},
		{"multivalue under latency", withTable(rule(RuleLatency,
			inRegion("fra", rule(RuleMultivalue, leaf("192.0.2.1", "a"), leaf("192.0.2.11", "d"))),
			inRegion("iad", leaf("192.0.2.2", "b")))), nil, noRTT, from(parisClient), "192.0.2.1,192.0.2.11", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.down(tc.down...)
			c.rtt(tc.rtt)
			tree := compileA(t, tc.root, c)
			got, r := answer(tree, tc.in)
			slices.Sort(got)
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("got %s, want %s", g, tc.want)
			}
			if r.Geo != tc.geo {
				t.Errorf("Geo %v, want %v", r.Geo, tc.geo)
			}
		})
	}
	c.down()
	c.rtt(nil)
}

func withTable(n *Node) *Node { n.Table = latTable; return n }

// TestLatencyHysteresis: the node stays with its current child until another healthy
// one is better by more than max(ms, percent of the current latency); a down current
// child is left at once.
func TestLatencyHysteresis(t *testing.T) {
	c := newChecks("a", "b", "c")
	root := latTree(SourceMeasured)
	root.Hysteresis = Hysteresis{Percent: 20, MS: 10}
	tree := compileA(t, root, c)
	steps := []struct {
		name string
		rtt  map[string]float64
		down []string
		want string
	}{
		{"first answer: the lowest", map[string]float64{"a": 100, "b": 95}, nil, "192.0.2.2"},
		{"better by 15 ms < max(10 ms, 19 ms): stay", map[string]float64{"a": 80, "b": 95}, nil, "192.0.2.2"},
		{"better by 19 ms, not more: stay", map[string]float64{"a": 76, "b": 95}, nil, "192.0.2.2"},
		{"better by 25 ms: switch", map[string]float64{"a": 70, "b": 95}, nil, "192.0.2.1"},
		{"the other gets better by 5 ms: stay", map[string]float64{"a": 70, "b": 65}, nil, "192.0.2.1"},
		{"current down: the next lowest at once", map[string]float64{"a": 70, "b": 65}, []string{"a"}, "192.0.2.2"},
		{"back up, not better by the margin: stay", map[string]float64{"a": 60, "b": 65}, nil, "192.0.2.2"},
		{"percent margin: 20% of 300 ms is 60 ms, better by 50: stay", map[string]float64{"a": 250, "b": 300}, nil, "192.0.2.2"},
		{"measurement lost: a known one wins", map[string]float64{"a": 250}, nil, "192.0.2.1"},
		{"all unmeasured: stay, no list order flapping", map[string]float64{}, nil, "192.0.2.1"},
		{"a third is better by more: switch", map[string]float64{"a": 250, "c": 100}, nil, "192.0.2.3"},
	}
	for _, s := range steps {
		c.down(s.down...)
		c.rtt(s.rtt)
		got, _ := answer(tree, nil)
		if got[0] != s.want {
			t.Fatalf("%s: %s, want %s", s.name, got[0], s.want)
		}
	}
	c.rtt(nil)
}

// TestLatencyHysteresisPerRegion: each client region keeps its own current child.
func TestLatencyHysteresisPerRegion(t *testing.T) {
	c := newChecks("a", "b")
	table := &LatencyTable{Rows: []LatencyRow{
		{From: fraRegion, MS: map[string]float64{"fra": 40, "nrt": 60}},
		{From: iadRegion, MS: map[string]float64{"fra": 40, "nrt": 60}},
		{From: nrtRegion, MS: map[string]float64{"fra": 60, "nrt": 40}},
	}}
	root := rule(RuleLatency, inRegion("fra", leaf("192.0.2.1", "a")), inRegion("nrt", leaf("192.0.2.3", "b")))
	root.Table, root.Source, root.Hysteresis = table, SourceTable, Hysteresis{MS: 50}
	tree := compileA(t, root, c)
	ask := func(who Input, want string) {
		t.Helper()
		if got, _ := answer(tree, &who); got[0] != want {
			t.Fatalf("%v: %s, want %s", who.Loc.City, got[0], want)
		}
	}
	ask(*from(parisClient), "192.0.2.1")
	c.down("a")
	ask(*from(parisClient), "192.0.2.3") // fra down: Paris's region moves to nrt
	c.down()
	ask(*from(parisClient), "192.0.2.3") // 20 ms better is within the 50 ms margin: stays
	ask(*from(iadClient), "192.0.2.1")   // another region: its own state, fra
	ask(*from(nrtClient), "192.0.2.3")
}

// TestLatencyConcurrent evaluates one tree with hysteresis from many goroutines while
// measurements change (run with -race).
func TestLatencyConcurrent(t *testing.T) {
	c := newChecks("a", "b", "c")
	root := latTree(SourceAuto)
	root.Hysteresis = Hysteresis{Percent: 10}
	tree := compileA(t, root, c)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			out := make([]int32, tree.MaxAnswers())
			for i := range 2000 {
				loc := []Input{*from(parisClient), *from(nrtClient), *from(iadClient)}[(g+i)%3]
				if r := tree.Evaluate(&loc, out); r.N != 1 {
					t.Errorf("answer %+v", r)
					return
				}
			}
		})
	}
	for i := range 2000 {
		c["a"].rtt.Store(int64(i%7) * 1e6)
		c["b"].rtt.Store(int64(i%5) * 1e6)
	}
	wg.Wait()
}

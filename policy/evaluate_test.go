package policy

import (
	"slices"
	"strings"
	"testing"
)

// ruleCase is one row of the rule semantics table.
type ruleCase struct {
	name string // the semantic under test
	root *Node
	down []string
	in   *Input
	want string // values joined by ","; order-insensitive for multi-value answers
}

// ruleCases are the semantics of the first policy issue's rules, shared by the
// tests of Evaluate and of explain (which must decide the same).
func ruleCases() []ruleCase {
	return []ruleCase{
		{"leaf without check is always up", leaf("192.0.2.1", ""), nil, nil, "192.0.2.1"},
		{"leaf with check up", leaf("192.0.2.1", "a"), nil, nil, "192.0.2.1"},
		{"single leaf down fails open", leaf("192.0.2.1", "a"), []string{"a"}, nil, "192.0.2.1"},
		{"simple returns every healthy value", rule(RuleSimple, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), nil, nil, "192.0.2.1,192.0.2.2"},
		{"simple drops the down value", rule(RuleSimple, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), []string{"a"}, nil, "192.0.2.2"},
		{"failover answers the primary", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), nil, nil, "192.0.2.1"},
		{"failover moves to the secondary", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), []string{"a"}, nil, "192.0.2.2"},
		{"failover any number of tiers", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b"), leaf("192.0.2.3", "c")), []string{"a", "b"}, nil, "192.0.2.3"},
		{"failover returns the first tier when every tier is down (Route 53)", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), []string{"a", "b"}, nil, "192.0.2.1"},
		{"weighted skips down children", rule(RuleWeighted, weight(50, leaf("192.0.2.1", "a")), weight(50, leaf("192.0.2.2", "b"))), []string{"b"}, seeded(), "192.0.2.1"},
		{"weighted weight 0 only when the others are down (Route 53)", rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(0, leaf("192.0.2.9", "b"))), []string{"a"}, seeded(), "192.0.2.9"},
		{"weighted weight 0 unused while others are up", rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(0, leaf("192.0.2.9", "b"))), nil, seeded(), "192.0.2.1"},
		{"geolocation subdivision beats country", geoTree(), nil, from(frankfurt), "192.0.2.30"},
		{"geolocation country", geoTree(), nil, from(berlin), "192.0.2.20"},
		{"geolocation continent", geoTree(), nil, from(paris), "192.0.2.10"},
		{"geolocation default", geoTree(), nil, from(tokyo), "192.0.2.99"},
		{"geolocation unknown client gets default", geoTree(), nil, nil, "192.0.2.99"},
		{"geolocation city beats subdivision", rule(RuleGeolocation, at(GeoMatch{Subdivision: "DE-HE"}, leaf("192.0.2.1", "")), at(GeoMatch{City: "Frankfurt am Main", Country: "DE"}, leaf("192.0.2.2", ""))), nil, from(frankfurt), "192.0.2.2"},
		{"geolocation down match falls to less specific (Route 53)", geoTree(), []string{"c"}, from(frankfurt), "192.0.2.20"},
		{"geolocation down country falls to continent", geoTree(), []string{"b", "c"}, from(frankfurt), "192.0.2.10"},
		{"geolocation no match no default is NODATA (Route 53)", rule(RuleGeolocation, at(GeoMatch{Country: "DE"}, leaf("192.0.2.1", ""))), nil, from(tokyo), "NODATA"},
		{"multivalue returns healthy values only", rule(RuleMultivalue, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b"), leaf("192.0.2.3", "c")), []string{"b"}, seeded(), "192.0.2.1,192.0.2.3"},
		{"multivalue returns unhealthy values when none is healthy (Route 53)", rule(RuleMultivalue, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), []string{"a", "b"}, seeded(), "192.0.2.1,192.0.2.2"},
		{"all down fails open through the whole tree (Route 53)", geoTree(), []string{"a", "b", "c", "d"}, from(frankfurt), "192.0.2.30"},
		{"nested geolocation failover weighted", nested(), []string{"a", "b"}, from(frankfurt), "198.51.100.1"},
		{"nested: healthy weighted inside the primary", nested(), []string{"a"}, from(frankfurt), "192.0.2.2"},
		{"all_down nodata closes the node", allDown(AllDownNoData, "", rule(RuleFailover, leaf("192.0.2.1", "a"))), []string{"a"}, nil, "NODATA"},
		{"all_down servfail", allDown(AllDownServFail, "", rule(RuleFailover, leaf("192.0.2.1", "a"))), []string{"a"}, nil, "rcode SERVFAIL"},
		{"all_down refused", allDown(AllDownRefused, "", rule(RuleSimple, leaf("192.0.2.1", "a"))), []string{"a"}, nil, "rcode REFUSED"},
		{"all_down nxdomain", allDown(AllDownNXDomain, "", rule(RuleSimple, leaf("192.0.2.1", "a"))), []string{"a"}, nil, "rcode NXDOMAIN"},
		{"all_down fallback value", allDown(AllDownValue, "203.0.113.1", rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")))), []string{"a"}, seeded(), "203.0.113.1"},
		{"all_down closed node is not skipped by its parent", rule(RuleFailover, allDown(AllDownServFail, "", rule(RuleSimple, leaf("192.0.2.1", "a"))), leaf("192.0.2.2", "b")), []string{"a"}, nil, "rcode SERVFAIL"},
		{"all_down open node is skipped by its parent", rule(RuleFailover, rule(RuleSimple, leaf("192.0.2.1", "a")), leaf("192.0.2.2", "b")), []string{"a"}, nil, "192.0.2.2"},
	}
}

func TestEvaluateRules(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			c.down(tc.down...)
			tree := compileA(t, tc.root, c)
			got, _ := answer(tree, tc.in)
			slices.Sort(got)
			want := strings.Split(tc.want, ",")
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	c.down()
}

// geoTree: DE-HE → c, DE → b, EU → a, default → d.
func geoTree() *Node {
	return rule(RuleGeolocation,
		at(GeoMatch{Continent: "EU"}, leaf("192.0.2.10", "a")),
		at(GeoMatch{Country: "DE"}, leaf("192.0.2.20", "b")),
		at(GeoMatch{Subdivision: "DE-HE"}, leaf("192.0.2.30", "c")),
		at(GeoMatch{Default: true}, leaf("192.0.2.99", "d")),
	)
}

// nested: geolocation → failover → weighted, the tree the issue benchmarks.
func nested() *Node {
	return rule(RuleGeolocation,
		at(GeoMatch{Continent: "EU"}, rule(RuleFailover,
			rule(RuleWeighted, weight(70, leaf("192.0.2.1", "a")), weight(30, leaf("192.0.2.2", "b"))),
			leaf("198.51.100.1", "c"),
		)),
		at(GeoMatch{Country: "US"}, rule(RuleFailover, leaf("198.51.100.1", "c"), leaf("192.0.2.1", "a"))),
		at(GeoMatch{Default: true}, leaf("203.0.113.1", "d")),
	)
}

func TestEvaluateResultFlags(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	tree := compileA(t, nested(), c)
	if _, r := answer(tree, from(frankfurt)); !r.Geo || r.FailOpen {
		t.Errorf("healthy geolocation answer: %+v, want Geo and not FailOpen", r)
	}
	c.down("a", "b", "c", "d")
	if _, r := answer(tree, from(frankfurt)); !r.FailOpen {
		t.Errorf("everything down: %+v, want FailOpen", r)
	}
	plain := compileA(t, rule(RuleWeighted, weight(1, leaf("192.0.2.1", "")), weight(1, leaf("192.0.2.2", ""))), c)
	if _, r := answer(plain, seeded()); r.Geo {
		t.Errorf("weighted answer claims to depend on the client: %+v", r)
	}
	if plain.UsesGeo() || !tree.UsesGeo() {
		t.Errorf("UsesGeo: weighted %v, geolocation %v", plain.UsesGeo(), tree.UsesGeo())
	}
}

// TestWeightedDistribution checks the shares statistically with a fixed seed: 70/20/10
// over 100,000 picks, each within 1 percentage point.
func TestWeightedDistribution(t *testing.T) {
	c := newChecks("a", "b", "c")
	tree := compileA(t, rule(RuleWeighted,
		weight(70, leaf("192.0.2.1", "a")), weight(20, leaf("192.0.2.2", "b")), weight(10, leaf("192.0.2.3", "c"))), c)
	for _, tc := range []struct {
		down []string
		want map[string]float64
	}{
		{nil, map[string]float64{"192.0.2.1": 0.70, "192.0.2.2": 0.20, "192.0.2.3": 0.10}},
		{[]string{"a"}, map[string]float64{"192.0.2.2": 2.0 / 3, "192.0.2.3": 1.0 / 3}},
	} {
		c.down(tc.down...)
		in := seeded()
		counts := map[string]int{}
		const n = 100_000
		for range n {
			got, _ := answer(tree, in)
			counts[got[0]]++
		}
		for v, share := range tc.want {
			if got := float64(counts[v]) / n; got < share-0.01 || got > share+0.01 {
				t.Errorf("down %v: %s share %.3f, want %.3f±0.01", tc.down, v, got, share)
			}
		}
		if len(counts) != len(tc.want) {
			t.Errorf("down %v: answered %v", tc.down, counts)
		}
	}
}

func TestMultivalueMax(t *testing.T) {
	var kids []*Node
	for _, v := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"} {
		kids = append(kids, leaf(v, ""))
	}
	root := rule(RuleMultivalue, kids...)
	root.Max = 3
	tree := compileA(t, root, checks{})
	in := seeded()
	seen := map[string]bool{}
	for range 200 {
		got, _ := answer(tree, in)
		if len(got) != 3 {
			t.Fatalf("got %d values, want 3", len(got))
		}
		for _, v := range got {
			seen[v] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("shuffle never chose some values: %v", seen)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		root *Node
		want string
	}{
		{"dangling check", leaf("192.0.2.1", "nosuch"), `data.yaml:7: records.www.example.org.A.check: no health check named "nosuch"`},
		{"bad value", leaf("not-an-ip", ""), `data.yaml:7: records.www.example.org.A.value: "not-an-ip" is not A data`},
		{"bad value in values", rule(RuleSimple, &Node{Rule: RuleLeaf, Value: "192.0.2.1", Listed: true}, &Node{Pos: Pos{File: "data.yaml", Line: 7}, Rule: RuleLeaf, Value: "nope", Listed: true}), `data.yaml:7: records.www.example.org.A.values[1]: "nope" is not A data`},
		{"bad value under weighted", rule(RuleWeighted, leaf("192.0.2.1", ""), rule(RuleFailover, &Node{Pos: Pos{File: "data.yaml", Line: 9}, Rule: RuleLeaf, Value: "nope"})), `data.yaml:9: records.www.example.org.A.weighted[1].failover[0].value: "nope" is not A data`},
		{"bad fallback", allDown(AllDownValue, "nope", rule(RuleSimple, leaf("192.0.2.1", ""))), `data.yaml:7: records.www.example.org.A.all_down.value: "nope" is not A data`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.root.Pos = Pos{File: "data.yaml", Line: 7}
			rs := &RecordSet{Name: "www.example.org.", Type: 1, Root: tc.root}
			_, err := compileTree(rs, 30, checks{}.resolve)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

package policy

import (
	"testing"
)

// TestTreeView: every node in depth-first order with its parent, what it is to its
// parent by the parent's rule, and whether it can answer now.
func TestTreeView(t *testing.T) {
	c := newChecks("fra", "nrt")
	named := func(name string, n *Node) *Node { n.Name = name; return n }
	placed := func(p Place, n *Node) *Node { n.Place = p; return n }
	root := rule(RuleGeolocation,
		at(GeoMatch{Country: "DE"}, named("de", rule(RuleFailover, named("fra", leaf("192.0.2.1", "fra")), leaf("192.0.2.2", "")))),
		at(GeoMatch{Default: true}, allDown(AllDownValue, "192.0.2.9", rule(RuleWeighted, weight(3, leaf("192.0.2.3", "nrt")), weight(1, leaf("192.0.2.4", ""))))),
		at(GeoMatch{Subdivision: "US-VA"}, rule(RuleGeoproximity,
			placed(Place{Region: "r1", Lat: 50.1, Lon: 8.7, Bias: -20}, leaf("192.0.2.5", "")),
			placed(Place{Lat: 39, Lon: -77.5}, leaf("192.0.2.6", "")))),
	)
	tree := compileA(t, root, c)
	c.down("fra")
	v := tree.View()
	if len(v) != 10 {
		t.Fatalf("%d nodes: %+v", len(v), v)
	}
	tests := []struct {
		i       int
		label   string
		parent  int
		rule    Rule
		up      bool
		check   func(NodeView) bool
		explain string
	}{
		{0, "www.example.org./A", -1, RuleGeolocation, true, nil, ""},
		{1, "de", 0, RuleFailover, true, func(n NodeView) bool { return n.Geo != nil && n.Geo.Country == "DE" }, "geo DE"},
		{2, "fra", 1, RuleLeaf, false, func(n NodeView) bool { return n.Check == "fra" && n.Value == "192.0.2.1" && n.Index == 0 }, "fra down"},
		{3, "www.example.org./A/0/1", 1, RuleLeaf, true, func(n NodeView) bool { return n.Index == 1 }, "secondary"},
		{4, "www.example.org./A/1", 0, RuleWeighted, true, func(n NodeView) bool {
			return n.Geo != nil && n.Geo.Default && n.AllDown == AllDownValue && n.Fallback == "192.0.2.9"
		}, "default with all_down value"},
		{5, "www.example.org./A/1/0", 4, RuleLeaf, true, func(n NodeView) bool { return n.Weight == 3 && n.Check == "nrt" }, "weight 3"},
		{6, "www.example.org./A/1/1", 4, RuleLeaf, true, func(n NodeView) bool { return n.Weight == 1 }, "weight 1"},
		{7, "www.example.org./A/2", 0, RuleGeoproximity, true, func(n NodeView) bool { return n.Geo.Subdivision == "US-VA" }, "US-VA"},
		{8, "www.example.org./A/2/0", 7, RuleLeaf, true, func(n NodeView) bool {
			return n.Place != nil && *n.Place == Place{Region: "r1", Lat: 50.1, Lon: 8.7, Bias: -20}
		}, "place with bias"},
		{9, "www.example.org./A/2/1", 7, RuleLeaf, true, func(n NodeView) bool { return n.Place != nil && n.Place.Lat == 39 }, "coordinates"},
	}
	for _, tc := range tests {
		n := v[tc.i]
		if n.Label != tc.label || n.Parent != tc.parent || n.Rule != tc.rule || n.Up != tc.up || (tc.check != nil && !tc.check(n)) {
			t.Errorf("node %d (%s): %+v", tc.i, tc.explain, n)
		}
	}
	// With both of Germany's endpoints down the failover node is down too.
	tree2 := compileA(t, rule(RuleFailover, leaf("192.0.2.1", "fra"), leaf("192.0.2.2", "nrt")), c)
	c.down("fra", "nrt")
	if v := tree2.View(); v[0].Up || v[1].Up || v[2].Up {
		t.Fatalf("all down: %+v", v)
	}
}

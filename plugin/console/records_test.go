package console

import (
	"testing"

	"github.com/coretraffic/coretraffic/policy"
)

// nodeRecords on the shapes route53.GroupToPolicy builds: a single record set of
// several values (simple root, leaves inherit it), and a routing root whose alias
// child inlines a target group.
func TestNodeRecords(t *testing.T) {
	simple := []policy.NodeView{
		{Label: "s.example.net./A", Parent: -1, Rule: policy.RuleSimple},
		{Label: "s.example.net./A/0", Parent: 0, Rule: policy.RuleLeaf},
		{Label: "s.example.net./A/1", Parent: 0, Rule: policy.RuleLeaf},
	}
	for i, r := range nodeRecords(simple, "s.example.net.", "A") {
		if r == nil || *r != (recordRef{Name: "s.example.net.", Type: "A"}) {
			t.Errorf("simple node %d: %+v", i, r)
		}
	}
	nested := []policy.NodeView{
		{Label: "n.example.net./A", Parent: -1, Rule: policy.RuleWeighted},
		{Label: "x", Parent: 0, Rule: policy.RuleAlias, Alias: "t.example.net."},
		{Label: "t.example.net./A", Parent: 1, Rule: policy.RuleSimple}, // a target of one record set
		{Label: "t.example.net./A/0", Parent: 2, Rule: policy.RuleLeaf},
		{Label: "y", Parent: 0, Rule: policy.RuleSimple},
		{Label: "n.example.net./A/1/0", Parent: 4, Rule: policy.RuleLeaf},
	}
	want := []*recordRef{nil, {"n.example.net.", "A", "x"}, {"t.example.net.", "A", ""}, {"t.example.net.", "A", ""},
		{"n.example.net.", "A", "y"}, {"n.example.net.", "A", "y"}}
	for i, r := range nodeRecords(nested, "n.example.net.", "A") {
		if (r == nil) != (want[i] == nil) || r != nil && *r != *want[i] {
			t.Errorf("nested node %d (%s): %+v, want %+v", i, nested[i].Label, r, want[i])
		}
	}
}

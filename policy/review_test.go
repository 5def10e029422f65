package policy

import (
	"slices"
	"testing"
)

// FORMAT.md: "A node with an all_down other than open never counts as down: when none
// of its children is healthy it answers NODATA, its rcode or its fallback value, and
// its parent takes that as the answer." Under multivalue the closed child's NODATA or
// rcode is dropped: multivalue reports itself down because nothing was emitted
// (evaluate_rules.go, `return e.n > start`), the tree fails open and the value the
// operator closed off is served after all.
func TestReviewMultivalueClosedChild(t *testing.T) {
	c := newChecks("a", "b")
	tests := []struct {
		name string
		root *Node
		want string
	}{
		{"servfail child", rule(RuleMultivalue, allDown(AllDownServFail, "", rule(RuleSimple, leaf("192.0.2.1", "a")))), "rcode SERVFAIL"},
		{"nodata child", rule(RuleMultivalue, allDown(AllDownNoData, "", rule(RuleSimple, leaf("192.0.2.1", "a")))), "NODATA"},
		{"under failover", rule(RuleFailover,
			rule(RuleMultivalue, allDown(AllDownServFail, "", rule(RuleSimple, leaf("192.0.2.1", "a")))),
			leaf("192.0.2.2", "b")), "rcode SERVFAIL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.down("a")
			got, r := answer(compileA(t, tc.root, c), seeded())
			if !slices.Equal(got, []string{tc.want}) {
				t.Errorf("got %v (%+v), want %s", got, r, tc.want)
			}
		})
	}
}

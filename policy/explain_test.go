package policy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Explain must decide what the query path decides: for every rule case, the traced
// evaluation gives the same values as the untraced one with the same random source,
// and forcing checks down through Input.Down gives what those checks really being
// down gives.
func TestExplainDecidesTheSame(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			input := func() *Input {
				in := &Input{}
				if tc.in != nil {
					*in = *tc.in
				}
				in.Rand = rand.New(rand.NewPCG(7, 8))
				return in
			}
			c.down(tc.down...)
			tree := compileA(t, tc.root, c)
			plain, plainRes := answer(tree, input())

			traced := input()
			traced.Trace = &Trace{}
			got, res := answer(tree, traced)
			if !slices.Equal(got, plain) || res != plainRes {
				t.Errorf("traced %v %+v, untraced %v %+v", got, res, plain, plainRes)
			}
			if len(traced.Trace.Steps) == 0 || traced.Trace.Steps[0].Depth != 0 {
				t.Fatalf("trace does not start at the root: %+v", traced.Trace.Steps)
			}
			if res.FailOpen != traced.Trace.FailOpen {
				t.Errorf("result fail-open %v, trace says %v", res.FailOpen, traced.Trace.FailOpen)
			}

			c.down()
			forced := input()
			forced.Down = func(check string) bool { return slices.Contains(tc.down, check) }
			forced.Trace = &Trace{}
			got, res = answer(tree, forced)
			if !slices.Equal(got, plain) || res != plainRes {
				t.Errorf("forced down %v %+v, really down %v %+v", got, res, plain, plainRes)
			}
			for _, d := range tc.down {
				if text := forced.Trace.String(); strings.Contains(text, "check "+d+": ") && !forced.Trace.FailOpen {
					t.Errorf("trace shows the live state of %s, which was forced down:\n%s", d, text)
				}
			}
		})
	}
	c.down()
}

// The trace of the nested tree with the Frankfurt pool half down reads as the path
// taken: which geolocation child matched, which check was down, where the weighted
// rule went, and the value.
func TestExplainTrace(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	c.down("a")
	tree := compileA(t, nested(), c)
	in := from(frankfurt)
	in.Trace = &Trace{}
	got, _ := answer(tree, in)
	if !slices.Equal(got, []string{"192.0.2.2"}) {
		t.Fatalf("answer %v", got)
	}
	text := in.Trace.String()
	for _, want := range []string{
		"[geolocation] → answer   (client EU DE DE-HE Frankfurt am Main; ",
		"(continent EU) matches",
		"(country US) no match",
		"[failover] → answer",
		"[weighted] → answer   (weights ",
		"[leaf] → answer 192.0.2.2   (check b: up)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "/0/0/0 [leaf]") && !strings.Contains(text, "/0/0/0 [leaf] → down   (check a: down)") {
		t.Errorf("the weighted rule tried a, which is down, and the trace does not say so:\n%s", text)
	}
	if strings.Contains(text, "198.51.100.1") {
		t.Errorf("trace enters the secondary tier although the primary answered:\n%s", text)
	}

	// Everything down: the trace says so and shows the second walk.
	c.down("a", "b", "c", "d")
	in = from(frankfurt)
	in.Trace = &Trace{}
	answer(tree, in)
	if !in.Trace.FailOpen || !strings.Contains(in.Trace.String(), "fail-open") ||
		!strings.Contains(in.Trace.String(), "health ignored (fail-open)") {
		t.Errorf("fail-open not in the trace:\n%s", in.Trace)
	}
}

// Explaining must leave no state behind: a latency rule's hysteresis keeps the
// choice the query path made.
func TestExplainLeavesNoState(t *testing.T) {
	e := evaluation{trace: &Trace{}}
	if !e.hypothetical() {
		t.Error("a traced evaluation is not hypothetical")
	}
	e = evaluation{down: func(string) bool { return true }}
	if !e.hypothetical() {
		t.Error("an evaluation with forced-down checks is not hypothetical")
	}
	e = evaluation{}
	if e.hypothetical() {
		t.Error("a query-path evaluation is hypothetical")
	}
}

// Down takes node names and endpoint values too: a whole region, or one endpoint
// without a health check.
func TestExplainDownByNameAndValue(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	root := nested()
	root.Children[0].Name = "eu-pool"
	tree := compileA(t, root, c)
	tests := []struct {
		down []string
		want string
	}{
		{nil, "192.0.2.1|192.0.2.2"},
		{[]string{"eu-pool"}, "203.0.113.1"},                 // the region: geolocation falls to default
		{[]string{"192.0.2.1", "192.0.2.2"}, "198.51.100.1"}, // both weighted endpoints, by value
	}
	for _, tc := range tests {
		in := from(frankfurt)
		in.Down = func(k string) bool { return slices.Contains(tc.down, k) }
		got, _ := answer(tree, in)
		if len(got) != 1 || !slices.Contains(strings.Split(tc.want, "|"), got[0]) {
			t.Errorf("down %v: got %v, want one of %s", tc.down, got, tc.want)
		}
	}
}

package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const aliasData = `zones:
  example.net:
    ttl: 30
    records:
      "@":
        A: {alias: lb}                       # at the apex, where a CNAME may not be
        AAAA: {alias: lb}
      lb:
        A:
          failover:
            - {value: 192.0.2.1, check: a}
            - {value: 192.0.2.2, check: b}
        AAAA: {value: "2001:db8::1", check: a}
      checked:
        A:
          failover:
            - {alias: lb, evaluate_target_health: true}
            - {value: 198.51.100.1, check: c}
      unchecked:
        A:
          failover:
            - {alias: lb.example.net.}
            - {value: 198.51.100.1, check: c}
      chain:
        A: {alias: checked}
`

// compileData parses and compiles a data file against c's checks.
func compileData(t *testing.T, data string, c checks) (*Snapshot, error) {
	t.Helper()
	d, _, err := Parse("data.yaml", strings.NewReader(data))
	if err != nil {
		return nil, err
	}
	return Compile(d, c.resolve, time.Unix(1_700_000_000, 0))
}

// ask evaluates the record set (name, qtype) of snap.
func ask(t *testing.T, snap *Snapshot, name string, qtype uint16) []string {
	t.Helper()
	z := snap.Zone(name)
	m := z.Lookup(name, qtype)
	if m.Kind != Found {
		t.Fatalf("%s: lookup kind %d", name, m.Kind)
	}
	out := make([]int32, m.Set.Tree.MaxAnswers())
	r := m.Set.Tree.Evaluate(&Input{}, out)
	var got []string
	for _, i := range out[:r.N] {
		rr := m.Set.Tree.Endpoints[i].RR
		if rr.Header().Name != name || rr.Header().Ttl != m.Set.TTL {
			t.Errorf("%s answers with owner %s TTL %d, want its own owner and TTL %d", name, rr.Header().Name, rr.Header().Ttl, m.Set.TTL)
		}
		got = append(got, m.Set.Tree.Endpoints[i].Value)
	}
	return got
}

func TestAlias(t *testing.T) {
	c := newChecks("a", "b", "c")
	snap, err := compileData(t, aliasData, c)
	if err != nil {
		t.Fatal(err)
	}
	const A, AAAA = 1, 28
	tests := []struct {
		name  string
		qtype uint16
		down  []string
		want  string
	}{
		{"example.net.", A, nil, "192.0.2.1"},
		{"example.net.", A, []string{"a"}, "192.0.2.2"}, // the target's own failover
		{"example.net.", AAAA, nil, "2001:db8::1"},
		{"example.net.", A, []string{"a", "b"}, "192.0.2.1"},            // without ETH: the target's fail-open
		{"checked.example.net.", A, nil, "192.0.2.1"},                   // primary: the alias
		{"checked.example.net.", A, []string{"a", "b"}, "198.51.100.1"}, // ETH: the alias is down, failover moves on
		{"unchecked.example.net.", A, []string{"a", "b"}, "192.0.2.1"},  // no ETH: the alias answers anyway
		{"chain.example.net.", A, []string{"a", "b"}, "198.51.100.1"},   // alias of an alias
		{"chain.example.net.", A, []string{"a", "b", "c"}, "192.0.2.1"}, // everything down: fail-open of the whole tree
	}
	for _, tc := range tests {
		c.down(tc.down...)
		if got := ask(t, snap, tc.name, tc.qtype); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s %d with %v down: got %v, want %s", tc.name, tc.qtype, tc.down, got, tc.want)
		}
	}
	c.down()
}

func TestAliasErrors(t *testing.T) {
	c := newChecks("a")
	zone := func(records string) string { return "zones:\n  example.net:\n    records:\n" + records }
	for _, tc := range []struct{ name, data, want string }{
		{"target missing", zone("      www:\n        A: {alias: nowhere}\n"),
			"data.yaml:5: zones.example.net.records.www.A.alias: no A record set at nowhere.example.net. in this zone"},
		{"target of another type only", zone("      www:\n        A: {alias: v6}\n      v6:\n        AAAA: {value: \"2001:db8::1\"}\n"),
			"alias: no A record set at v6.example.net."},
		// Line and path of one node, the one whose alias closes the cycle (issue 15).
		{"cycle", zone("      a:\n        A: {alias: b}\n      b:\n        A: {alias: c}\n      c:\n        A: {alias: a}\n"),
			"data.yaml:9: zones.example.net.records.c.A.alias: cycle a.example.net. → b.example.net. → c.example.net. → a.example.net."},
		{"two-cycle", zone("      a:\n        A: {alias: b}\n      b:\n        A: {alias: a}\n"),
			"data.yaml:7: zones.example.net.records.b.A.alias: cycle a.example.net. → b.example.net. → a.example.net."},
		{"self", zone("      a:\n        A: {alias: a}\n"), "data.yaml:5: zones.example.net.records.a.A.alias: cycle a.example.net. → a.example.net."},
		{"missing check behind an alias", zone("      a:\n        A: {alias: b}\n      b:\n        A:\n          failover:\n            - {value: 192.0.2.1, check: nosuch}\n"),
			"data.yaml:9: zones.example.net.records.b.A.failover[0].check: no health check named \"nosuch\""},
		{"missing check in values-free simple", zone("      www:\n        A:\n          simple:\n            - {value: 192.0.2.1}\n            - {value: 192.0.2.2, check: nosuch}\n"),
			"data.yaml:8: zones.example.net.records.www.A.simple[1].check: no health check named \"nosuch\""},
		{"apex owner", zone("      \"@\":\n        A: {value: 192.0.2.1, check: nosuch}\n"),
			"data.yaml:5: zones.example.net.records.@.A.check: no health check named \"nosuch\""},
		{"outside the zone", zone("      a:\n        A: {alias: www.example.org.}\n"), "data.yaml:5: zones.example.net.records.a.A.alias: www.example.org. is not inside the zone example.net."},
		{"evaluate_target_health on a value", zone("      a:\n        A: {value: 192.0.2.1, evaluate_target_health: true}\n"), "only allowed on an alias node"},
		{"check on an alias", zone("      a:\n        A: {alias: b, check: a}\n      b:\n        A: {value: 192.0.2.1}\n"), "only allowed on a leaf"},
		{"all_down on an alias", zone("      a:\n        A: {alias: b, all_down: nodata}\n      b:\n        A: {value: 192.0.2.1}\n"), "only allowed on an inner node"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileData(t, tc.data, c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkEvaluateAlias: an apex alias to a failover pair, the primary healthy and
// down. An alias is one more node in the walk.
func BenchmarkEvaluateAlias(b *testing.B) {
	c := newChecks("a", "b", "c")
	d, _, err := Parse("data.yaml", strings.NewReader(aliasData))
	if err != nil {
		b.Fatal(err)
	}
	snap, err := Compile(d, c.resolve, time.Unix(1_700_000_000, 0))
	if err != nil {
		b.Fatal(err)
	}
	tree := snap.Zone("example.net.").Lookup("checked.example.net.", 1).Set.Tree
	out := make([]int32, tree.MaxAnswers())
	in := &Input{}
	for _, tc := range []struct {
		name string
		down []string
	}{{"healthy", nil}, {"target down", []string{"a", "b"}}} {
		b.Run(tc.name, func(b *testing.B) {
			c.down(tc.down...)
			b.ReportAllocs()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
	c.down()
}

// Record sets that alias the next one twice grow as 2^n when inlined: the compiler
// refuses a tree past maxTreeNodes instead of exhausting memory (found by review).
func TestAliasExpansionBounded(t *testing.T) {
	const levels = 18 // 2^18 leaves
	var b strings.Builder
	b.WriteString("zones:\n  example.net:\n    records:\n")
	for i := range levels {
		fmt.Fprintf(&b, "      l%d:\n        A: {simple: [{alias: l%d}, {alias: l%d}]}\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "      l%d:\n        A: {value: 192.0.2.1}\n", levels)
	start := time.Now()
	_, err := compileData(t, b.String(), newChecks())
	if err == nil || !strings.Contains(err.Error(), "grows past") {
		t.Fatalf("error %v, want the tree refused", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
}

// evaluate_target_health holds when the target's root closes (all_down servfail or
// nodata): the alias is down and the failover above it moves on (found by review).
func TestAliasETHTargetAllDown(t *testing.T) {
	for _, ad := range []string{"servfail", "nodata"} {
		data := `zones:
  example.net:
    records:
      lb:
        A:
          failover:
            - {value: 192.0.2.1, check: a}
            - {value: 192.0.2.2, check: b}
          all_down: ` + ad + `
      checked:
        A:
          failover:
            - {alias: lb, evaluate_target_health: true}
            - {value: 198.51.100.1, check: c}
      unchecked:
        A:
          failover:
            - {alias: lb}
            - {value: 198.51.100.1, check: c}
`
		c := newChecks("a", "b", "c")
		snap, err := compileData(t, data, c)
		if err != nil {
			t.Fatal(err)
		}
		c.down("a", "b")
		if got := ask(t, snap, "checked.example.net.", 1); !slices.Equal(got, []string{"198.51.100.1"}) {
			t.Errorf("target all_down %s, its checks down: got %v, want the failover's secondary", ad, got)
		}
		// Without evaluate_target_health the target's own all_down answers.
		z := snap.Zone("unchecked.example.net.")
		set := z.Lookup("unchecked.example.net.", 1).Set
		out := make([]int32, set.Tree.MaxAnswers())
		if r := set.Tree.Evaluate(&Input{}, out); r.N != 0 || r.Outcome == Answer {
			t.Errorf("target all_down %s without evaluate_target_health: %+v, want the target's closed answer", ad, r)
		}
	}
}

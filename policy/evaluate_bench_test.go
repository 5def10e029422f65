package policy

import (
	"net/netip"
	"testing"
)

// BenchmarkEvaluate measures one decision of the geolocation → failover → weighted
// tree (the policy issue's target: ≤ 300 ns, 0 allocs), healthy and with the
// primary's weighted pool down.
//
//	go test -run '^$' -bench BenchmarkEvaluate -benchmem ./policy/
func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range []struct {
		name string
		down []string
	}{
		{"healthy", nil},
		{"primary down", []string{"a", "b"}},
		{"all down", []string{"a", "b", "c", "d"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newChecks("a", "b", "c", "d")
			c.down(bc.down...)
			tree := compileA(b, nested(), c)
			in := &Input{Loc: &frankfurt}
			out := make([]int32, tree.MaxAnswers())
			b.ReportAllocs()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
}

func BenchmarkEvaluateParallel(b *testing.B) {
	c := newChecks("a", "b", "c", "d")
	tree := compileA(b, nested(), c)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		in := &Input{Loc: &frankfurt}
		out := make([]int32, tree.MaxAnswers())
		for pb.Next() {
			tree.Evaluate(in, out)
		}
	})
}

// BenchmarkEvaluateSticky measures one sticky weighted decision over four children
// (target ≤ 300 ns, 0 allocs): all up, and with the client's first choice down.
func BenchmarkEvaluateSticky(b *testing.B) {
	for _, bc := range []struct {
		name string
		down []string
	}{{"healthy", nil}, {"first choice down", []string{"k1", "k2"}}} {
		b.Run(bc.name, func(b *testing.B) {
			c := stickyChecks(4)
			c.down(bc.down...)
			tree := compileA(b, stickyPool(40, 30, 20, 10), c)
			in := &Input{Client: netip.MustParsePrefix("198.51.100.0/24")}
			out := make([]int32, tree.MaxAnswers())
			b.ReportAllocs()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
}

// BenchmarkEvaluateGeoproximity measures one geoproximity decision over five places
// (target ≤ 300 ns, 0 allocs): all up, and with the nearest down.
func BenchmarkEvaluateGeoproximity(b *testing.B) {
	for _, bc := range []struct {
		name string
		down []string
	}{{"healthy", nil}, {"nearest down", []string{"a"}}} {
		b.Run(bc.name, func(b *testing.B) {
			c := newChecks("a", "b", "c", "d")
			c.down(bc.down...)
			root := proxTree()
			root.Children = append(root.Children,
				place(Place{Lat: -33.87, Lon: 151.21, Bias: 20}, leaf("192.0.2.4", "d")),
				place(Place{Lat: -23.55, Lon: -46.63, Bias: -10}, leaf("192.0.2.5", "")))
			tree := compileA(b, root, c)
			in := &Input{Loc: &parisClient}
			out := make([]int32, tree.MaxAnswers())
			b.ReportAllocs()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
}

// BenchmarkEvaluateLatency measures one latency decision over four children with a
// five-region table (target ≤ 300 ns, 0 allocs): from the table, from measurements
// (auto, every child measured), with hysteresis, and with the lowest down.
func BenchmarkEvaluateLatency(b *testing.B) {
	for _, bc := range []struct {
		name string
		src  LatencySource
		hyst Hysteresis
		down []string
	}{
		{"table", SourceTable, Hysteresis{}, nil},
		{"auto measured", SourceAuto, Hysteresis{}, nil},
		{"table hysteresis", SourceTable, Hysteresis{Percent: 10, MS: 5}, nil},
		{"table lowest down", SourceTable, Hysteresis{}, []string{"a"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newChecks("a", "b", "c", "d")
			c.down(bc.down...)
			c.rtt(map[string]float64{"a": 12, "b": 80, "c": 230, "d": 150})
			root := benchLatencyTree()
			root.Source, root.Hysteresis = bc.src, bc.hyst
			tree := compileA(b, root, c)
			in := &Input{Loc: &parisClient}
			out := make([]int32, tree.MaxAnswers())
			b.ReportAllocs()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
}

// benchLatencyTree: four regional endpoints and a table from five client regions.
func benchLatencyTree() *Node {
	syd := &Region{Name: "syd", Lat: -33.87, Lon: 151.21}
	gru := &Region{Name: "gru", Lat: -23.55, Lon: -46.63}
	ms := func(fra, iad, nrt, syd float64) map[string]float64 {
		return map[string]float64{"fra": fra, "iad": iad, "nrt": nrt, "syd": syd}
	}
	n := rule(RuleLatency,
		inRegion("fra", leaf("192.0.2.1", "a")), inRegion("iad", leaf("192.0.2.2", "b")),
		inRegion("nrt", leaf("192.0.2.3", "c")), inRegion("syd", leaf("192.0.2.4", "d")))
	n.Table = &LatencyTable{Rows: []LatencyRow{
		{From: fraRegion, MS: ms(5, 90, 230, 280)}, {From: iadRegion, MS: ms(90, 5, 160, 200)},
		{From: nrtRegion, MS: ms(230, 160, 5, 110)}, {From: syd, MS: ms(280, 200, 110, 5)},
		{From: gru, MS: ms(190, 120, 260, 310)},
	}}
	return n
}

// TestSteeringAllocs: the new rules' decisions allocate nothing.
func TestSteeringAllocs(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	c.rtt(map[string]float64{"a": 12, "b": 80})
	hyst := benchLatencyTree()
	hyst.Hysteresis = Hysteresis{Percent: 10}
	for name, root := range map[string]*Node{"sticky": stickyPool(40, 30, 20, 10), "geoproximity": proxTree(),
		"latency": benchLatencyTree(), "latency hysteresis": hyst,
		"ip": ipNode(corpCollection(t), loc("eu", leaf("192.0.2.1", "a")), loc("*", leaf("192.0.2.9", "b")))} {
		tree := compileA(t, root, stickyChecksAnd(c))
		in := &Input{Loc: &parisClient, Client: netip.MustParsePrefix("198.51.100.0/24")}
		if name == "ip" {
			in.Client = netip.MustParsePrefix("192.0.2.0/24")
		}
		out := make([]int32, tree.MaxAnswers())
		if n := testing.AllocsPerRun(100, func() { tree.Evaluate(in, out) }); n != 0 {
			t.Errorf("%s: %v allocations per decision", name, n)
		}
	}
}

// stickyChecksAnd is c plus the checks of stickyPool.
func stickyChecksAnd(c checks) checks {
	all := stickyChecks(4)
	for k, v := range c {
		all[k] = v
	}
	return all
}

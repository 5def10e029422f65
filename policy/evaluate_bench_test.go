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

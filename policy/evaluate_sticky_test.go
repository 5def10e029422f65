package policy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// sticky makes n a sticky weighted node with the default prefixes.
func sticky(n *Node) *Node {
	n.Sticky, n.StickyBits4, n.StickyBits6 = true, DefaultStickyBits4, DefaultStickyBits6
	return n
}

// fromSubnet is a seeded input for a client subnet, optionally located.
func fromSubnet(subnet string, loc *Input) *Input {
	in := seeded()
	if loc != nil {
		in = loc
	}
	in.Client = netip.MustParsePrefix(subnet)
	return in
}

func TestEvaluateSticky(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	pair := func() *Node {
		return sticky(rule(RuleWeighted, weight(50, leaf("192.0.2.1", "a")), weight(50, leaf("192.0.2.2", "b"))))
	}
	tests := []struct {
		name string
		root *Node
		down []string
		in   *Input
		want string
	}{
		{"sticky skips down children", pair(), []string{"a"}, fromSubnet("198.51.100.0/24", nil), "192.0.2.2"},
		{"sticky skips down children, other side", pair(), []string{"b"}, fromSubnet("198.51.100.0/24", nil), "192.0.2.1"},
		{"sticky weight 0 only when the others are down", sticky(rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(0, leaf("192.0.2.9", "b")))), []string{"a"}, fromSubnet("198.51.100.0/24", nil), "192.0.2.9"},
		{"sticky weight 0 unused while others are up", sticky(rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(0, leaf("192.0.2.9", "b")))), nil, fromSubnet("198.51.100.0/24", nil), "192.0.2.1"},
		{"sticky all down fails open to a child", pair(), []string{"a", "b"}, fromSubnet("2001:db8::/56", nil), "192.0.2.1|192.0.2.2"},
		{"sticky without a client subnet picks at random", pair(), nil, seeded(), "192.0.2.1|192.0.2.2"},
		{"sticky under geolocation", rule(RuleGeolocation,
			at(GeoMatch{Country: "DE"}, pair()),
			at(GeoMatch{Default: true}, leaf("203.0.113.1", "d"))), []string{"b"}, fromSubnet("192.0.2.0/24", from(frankfurt)), "192.0.2.1"},
		{"geolocation default beside sticky", rule(RuleGeolocation,
			at(GeoMatch{Country: "DE"}, pair()),
			at(GeoMatch{Default: true}, leaf("203.0.113.1", "d"))), nil, fromSubnet("192.0.2.0/24", from(tokyo)), "203.0.113.1"},
		{"geolocation under sticky", sticky(rule(RuleWeighted,
			weight(10, rule(RuleGeolocation, at(GeoMatch{Country: "DE"}, leaf("192.0.2.1", "a")), at(GeoMatch{Default: true}, leaf("192.0.2.2", "b")))),
			weight(10, leaf("192.0.2.3", "c")))), []string{"c"}, fromSubnet("192.0.2.0/24", from(frankfurt)), "192.0.2.1"},
		{"failover over sticky, primary pool down", rule(RuleFailover, pair(), leaf("198.51.100.1", "c")), []string{"a", "b"}, fromSubnet("192.0.2.0/24", nil), "198.51.100.1"},
		{"sticky over failover", sticky(rule(RuleWeighted,
			weight(1, rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b"))),
			weight(1, leaf("192.0.2.3", "c")))), []string{"a", "c"}, fromSubnet("192.0.2.0/24", nil), "192.0.2.2"},
		{"sticky over multivalue", sticky(rule(RuleWeighted,
			weight(1, rule(RuleMultivalue, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b"))),
			weight(1, leaf("192.0.2.3", "c")))), []string{"c"}, fromSubnet("192.0.2.0/24", nil), "192.0.2.1,192.0.2.2"},
		{"sticky all_down closes", allDown(AllDownServFail, "", pair()), []string{"a", "b"}, fromSubnet("192.0.2.0/24", nil), "rcode SERVFAIL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.down(tc.down...)
			tree := compileA(t, tc.root, c)
			got, _ := answer(tree, tc.in)
			slices.Sort(got)
			joined := strings.Join(got, ",")
			if !slices.Contains(strings.Split(tc.want, "|"), joined) {
				t.Errorf("got %s, want %s", joined, tc.want)
			}
		})
	}
	c.down()
}

// stickyPool is a sticky weighted node over leaves 10.0.0.1… with the given weights.
func stickyPool(weights ...int) *Node {
	var kids []*Node
	for i, w := range weights {
		kids = append(kids, weight(w, leaf(fmt.Sprintf("10.0.0.%d", i+1), fmt.Sprintf("k%d", i+1))))
	}
	return sticky(rule(RuleWeighted, kids...))
}

// subnets are n (≤ 2^20) distinct client /24s from 11.0.0.0/24 on, in address order.
func subnets(n int) []netip.Prefix {
	ps := make([]netip.Prefix, n)
	for i := range ps {
		ps[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{11 + byte(i>>16), byte(i >> 8), byte(i), 0}), 24)
	}
	return ps
}

// assign evaluates tree for every subnet and returns the value each one gets.
func assign(t *testing.T, tree *Tree, ps []netip.Prefix) []string {
	t.Helper()
	out := make([]string, len(ps))
	in := seeded()
	for i, p := range ps {
		in.Client = p
		got, r := answer(tree, in)
		if len(got) != 1 {
			t.Fatalf("%v: %v", p, got)
		}
		if r.ClientBits != 24 {
			t.Fatalf("%v: ClientBits %d, want 24", p, r.ClientBits)
		}
		out[i] = got[0]
	}
	return out
}

func stickyChecks(n int) checks {
	c := checks{}
	for i := range n {
		c[fmt.Sprintf("k%d", i+1)] = &fakeCheck{}
	}
	return c
}

// TestStickyRemove: removing a child from the data, or its check going down, moves
// exactly the clients that were on it, and nobody else.
func TestStickyRemove(t *testing.T) {
	c := stickyChecks(6)
	ps := subnets(20000)
	before := assign(t, compileA(t, stickyPool(10, 10, 10, 10, 10), c), ps)
	without := stickyPool(10, 10, 10, 10, 10)
	without.Children = slices.Delete(without.Children, 2, 3) // 10.0.0.3
	after := assign(t, compileA(t, without, c), ps)
	c.down("k3")
	down := assign(t, compileA(t, stickyPool(10, 10, 10, 10, 10), c), ps)
	c.down()
	moved := 0
	for i := range ps {
		if before[i] == "10.0.0.3" {
			moved++
			if after[i] == "10.0.0.3" {
				t.Fatalf("%v still on the removed child", ps[i])
			}
		} else if after[i] != before[i] {
			t.Fatalf("%v moved from %s to %s, though its child stayed", ps[i], before[i], after[i])
		}
		if down[i] != after[i] {
			t.Fatalf("%v: %s with the child down, %s with it removed", ps[i], down[i], after[i])
		}
	}
	if moved < len(ps)/5-400 || moved > len(ps)/5+400 {
		t.Errorf("%d of %d clients were on one of five equal children", moved, len(ps))
	}
}

// TestStickyAdd: adding a sixth equal child moves about 1/6 of the clients, all of
// them to the new child.
func TestStickyAdd(t *testing.T) {
	c := stickyChecks(6)
	ps := subnets(30000)
	before := assign(t, compileA(t, stickyPool(10, 10, 10, 10, 10), c), ps)
	after := assign(t, compileA(t, stickyPool(10, 10, 10, 10, 10, 10), c), ps)
	moved := 0
	for i := range ps {
		if after[i] != before[i] {
			moved++
			if after[i] != "10.0.0.6" {
				t.Fatalf("%v moved from %s to %s, not to the new child", ps[i], before[i], after[i])
			}
		}
	}
	// Binomial(30000, 1/6): σ ≈ 65; allow 5σ.
	if want := float64(len(ps)) / 6; float64(moved) < want-325 || float64(moved) > want+325 {
		t.Errorf("%d of %d clients moved, want about %.0f", moved, len(ps), want)
	}
}

// TestStickyWeights: over many client subnets the shares follow the weights.
func TestStickyWeights(t *testing.T) {
	c := stickyChecks(3)
	ps := subnets(100000)
	for _, tc := range []struct {
		down []string
		want map[string]float64
	}{
		{nil, map[string]float64{"10.0.0.1": 0.70, "10.0.0.2": 0.20, "10.0.0.3": 0.10}},
		{[]string{"k1"}, map[string]float64{"10.0.0.2": 2.0 / 3, "10.0.0.3": 1.0 / 3}},
	} {
		c.down(tc.down...)
		counts := map[string]int{}
		for _, v := range assign(t, compileA(t, stickyPool(70, 20, 10), c), ps) {
			counts[v]++
		}
		for v, share := range tc.want {
			if got := float64(counts[v]) / float64(len(ps)); got < share-0.01 || got > share+0.01 {
				t.Errorf("down %v: %s share %.3f, want %.3f±0.01", tc.down, v, got, share)
			}
		}
		if len(counts) != len(tc.want) {
			t.Errorf("down %v: answered %v", tc.down, counts)
		}
	}
}

// TestStickyPrefix: a client keeps its answer however often it asks and whatever the
// random source; addresses sharing the hashed prefix share the answer; the hashed
// bits are the shorter of sticky_prefix and the client's prefix.
func TestStickyPrefix(t *testing.T) {
	tree := compileA(t, stickyPool(1, 1, 1, 1, 1, 1, 1, 1), stickyChecks(8))
	for _, tc := range []struct {
		a, b     string
		same     bool
		bits     int
		sameWhen string
	}{
		{"198.51.100.7/32", "198.51.100.200/32", true, 24, "same /24"},
		{"198.51.100.0/24", "198.51.100.9/32", true, 24, "ECS /24 and an address in it"},
		{"2001:db8:1:2a00::/56", "2001:db8:1:2aff::1/128", true, 56, "same /56"},
		{"198.51.96.0/20", "198.51.97.0/20", true, 20, "ECS /20: only 20 bits known"},
		{"0.0.0.0/0", "0.0.0.0/0", true, 0, "ECS source 0: no bits"},
	} {
		in1 := fromSubnet(tc.a, nil)
		in2 := &Input{Client: netip.MustParsePrefix(tc.b).Masked(), Rand: rand.New(rand.NewPCG(9, 9))}
		g1, r1 := answer(tree, in1)
		g2, _ := answer(tree, in2)
		if (g1[0] == g2[0]) != tc.same || r1.ClientBits != tc.bits {
			t.Errorf("%s: %s → %v (bits %d), %s → %v; want same %v, bits %d", tc.sameWhen, tc.a, g1, r1.ClientBits, tc.b, g2, tc.same, tc.bits)
		}
	}
	// Different /24s spread over the children: eight children, 64 subnets, all used.
	seen := map[string]bool{}
	for _, v := range assign(t, tree, subnets(64)) {
		seen[v] = true
	}
	if len(seen) != 8 {
		t.Errorf("64 subnets used %d of 8 children", len(seen))
	}
	// A named child keeps its clients when a sibling before it is removed: the key
	// is the name, not the position.
	named := func(drop bool) *Node {
		kids := []*Node{weight(1, leaf("10.0.0.1", "")), weight(1, leaf("10.0.0.2", "")), weight(1, rule(RuleFailover, leaf("10.0.0.3", "")))}
		kids[2].Name = "pool"
		if drop {
			kids = kids[1:]
		}
		return sticky(rule(RuleWeighted, kids...))
	}
	ps := subnets(3000)
	before, after := assign(t, compileA(t, named(false), checks{}), ps), assign(t, compileA(t, named(true), checks{}), ps)
	for i := range ps {
		if before[i] != "10.0.0.1" && before[i] != after[i] {
			t.Fatalf("%v moved from %s to %s", ps[i], before[i], after[i])
		}
	}
}

func TestLn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	xs := []float64{0.5 / (1 << 53), 1e-300, 1e-10, 0.25, 0.5, 0.7071, 0.70711, 0.999999, 1 - 1.0/(1<<53), 1, 2, 1e10}
	for range 100000 {
		xs = append(xs, r.Float64())
	}
	for _, x := range xs {
		want, got := math.Log(x), ln(x)
		if got != want && math.Abs(got-want) > 1e-13*math.Abs(want) {
			t.Fatalf("ln(%g) = %.17g, math.Log %.17g", x, got, want)
		}
	}
}

package policy

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/policy/cidr"
)

// newCollection builds collection name from "CIDR LOCATION" lines.
func newCollection(t testing.TB, name string, lines ...string) *CIDRCollection {
	t.Helper()
	b := cidr.NewBuilder(name)
	for i, l := range lines {
		block, loc, _ := strings.Cut(l, " ")
		if err := b.AddString(block, loc, cidr.Pos{File: "test.cidr", Line: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	set, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	c := &CIDRCollection{Name: name, Set: set, locs: map[string]int{}}
	for i, l := range set.Locations() {
		c.locs[l] = i
	}
	return c
}

// corpCollection nests a /16 of us in a /8 of eu; asia has no child in ipTree.
func corpCollection(t testing.TB) *CIDRCollection {
	return newCollection(t, "corp", "10.0.0.0/8 eu", "10.1.0.0/16 us", "192.0.2.0/24 eu",
		"2001:db8:1::/48 eu", "198.51.100.0/24 asia")
}

func ipNode(c *CIDRCollection, kids ...*Node) *Node {
	n := rule(RuleIP, kids...)
	n.Collection = c
	return n
}

func loc(name string, n *Node) *Node { n.Location = name; return n }

func TestEvaluateIP(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	corp := corpCollection(t)
	full := func() *Node { // eu, us and the default
		return ipNode(corp, loc("eu", leaf("192.0.2.1", "a")), loc("us", leaf("192.0.2.2", "b")), loc("*", leaf("192.0.2.9", "d")))
	}
	noDefault := func() *Node {
		return ipNode(corp, loc("eu", leaf("192.0.2.1", "a")), loc("us", leaf("192.0.2.2", "b")))
	}
	tests := []struct {
		name   string
		root   *Node
		down   []string
		client string // "" for none
		want   string
		scope  int // Result.ClientBits
	}{
		{"address in the /8", full(), nil, "10.2.3.4/32", "192.0.2.1", 16},
		{"address in the nested /16", full(), nil, "10.1.2.3/32", "192.0.2.2", 16},
		{"ECS /24 in the /16", full(), nil, "10.1.7.0/24", "192.0.2.2", 16},
		{"ECS /12 shorter than the /16: the /8", full(), nil, "10.0.0.0/12", "192.0.2.1", 12},
		{"ECS /24 in the /8 beside the /16", full(), nil, "10.2.3.0/24", "192.0.2.1", 16},
		{"IPv6 ECS /56 in the /48", full(), nil, "2001:db8:1:100::/56", "192.0.2.1", 48},
		{"IPv6 ECS /32 shorter than the /48: no match", full(), nil, "2001:db8::/32", "192.0.2.9", 32},
		{"IPv4-mapped address", full(), nil, "::ffff:10.1.2.3/128", "192.0.2.2", 112},
		{"no match: the default", full(), nil, "203.0.113.0/24", "192.0.2.9", 8},
		{"location without a child: the default", full(), nil, "198.51.100.7/32", "192.0.2.9", 24},
		{"no client subnet: the default", full(), nil, "", "192.0.2.9", 0},
		{"location down: the default", full(), []string{"a"}, "10.2.3.4/32", "192.0.2.9", 16},
		{"location up, default down: the location", full(), []string{"d"}, "10.1.2.3/32", "192.0.2.2", 16},
		{"no match, no default: NODATA", noDefault(), nil, "203.0.113.0/24", "NODATA", 8},
		{"no client subnet, no default: NODATA", noDefault(), nil, "", "NODATA", 0},
		{"location down, no default: down, fail-open", noDefault(), []string{"a"}, "10.2.3.4/32", "192.0.2.1", 16},
		{"location down, default down: fail-open", full(), []string{"a", "d"}, "10.2.3.4/32", "192.0.2.1", 16},
		{"failover over ip: location down, no default, next tier", rule(RuleFailover, noDefault(), leaf("198.51.100.1", "c")),
			[]string{"b"}, "10.1.0.0/24", "198.51.100.1", 16},
		{"failover over ip: no match is an answer (NODATA)", rule(RuleFailover, noDefault(), leaf("198.51.100.1", "c")),
			nil, "203.0.113.0/24", "NODATA", 8},
		{"ip over failover", ipNode(corp, loc("eu", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.3", "b"))), loc("*", leaf("192.0.2.9", "d"))),
			[]string{"a"}, "192.0.2.77/32", "192.0.2.3", 24},
		{"ip over failover, tier all down: the default", ipNode(corp, loc("eu", rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.3", "b"))), loc("*", leaf("192.0.2.9", "d"))),
			[]string{"a", "b"}, "192.0.2.77/32", "192.0.2.9", 24},
		{"ip over weighted over ip", ipNode(corp, loc("us", rule(RuleWeighted, weight(1, full()))), loc("*", leaf("192.0.2.8", "c"))),
			nil, "10.1.2.3/32", "192.0.2.2", 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.down(tc.down...)
			tree := compileA(t, tc.root, c)
			if !tree.UsesClient() {
				t.Error("a tree with an ip rule does not say it uses the client subnet")
			}
			in := seeded()
			if tc.client != "" {
				in.Client = netip.MustParsePrefix(tc.client)
			}
			got, r := answer(tree, in)
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
			if r.ClientBits != tc.scope {
				t.Errorf("ClientBits %d, want %d", r.ClientBits, tc.scope)
			}
		})
	}
}

// An ip rule under geolocation and one over it: each decides where it stands, and
// the answer depends on both the location (Geo) and the subnet (ClientBits).
func TestEvaluateIPWithGeolocation(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	corp := corpCollection(t)
	geoOverIP := rule(RuleGeolocation,
		at(GeoMatch{Country: "DE"}, ipNode(corp, loc("us", leaf("192.0.2.2", "b")), loc("*", leaf("192.0.2.1", "a")))),
		at(GeoMatch{Default: true}, leaf("203.0.113.1", "d")))
	ipOverGeo := ipNode(corp,
		loc("eu", rule(RuleGeolocation, at(GeoMatch{Country: "DE"}, leaf("192.0.2.1", "a")), at(GeoMatch{Default: true}, leaf("192.0.2.3", "c")))),
		loc("*", leaf("203.0.113.1", "d")))
	tests := []struct {
		name   string
		root   *Node
		where  *Input
		client string
		want   string
		geo    bool
		scope  int
	}{
		{"geolocation → ip: DE client in us", geoOverIP, from(frankfurt), "10.1.0.0/24", "192.0.2.2", true, 16},
		{"geolocation → ip: DE client elsewhere", geoOverIP, from(frankfurt), "203.0.113.0/24", "192.0.2.1", true, 8},
		{"geolocation → ip: not DE, ip never asked", geoOverIP, from(tokyo), "10.1.0.0/24", "203.0.113.1", true, 0},
		{"ip → geolocation: eu block, DE", ipOverGeo, from(frankfurt), "10.2.0.0/24", "192.0.2.1", true, 16},
		{"ip → geolocation: eu block, elsewhere", ipOverGeo, from(tokyo), "10.2.0.0/24", "192.0.2.3", true, 16},
		{"ip → geolocation: no block, geolocation never asked", ipOverGeo, from(frankfurt), "203.0.113.0/24", "203.0.113.1", false, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree := compileA(t, tc.root, c)
			in := tc.where
			in.Client = netip.MustParsePrefix(tc.client)
			got, r := answer(tree, in)
			if !slices.Equal(got, []string{tc.want}) || r.Geo != tc.geo || r.ClientBits != tc.scope {
				t.Errorf("got %v geo %v scope %d, want %s geo %v scope %d", got, r.Geo, r.ClientBits, tc.want, tc.geo, tc.scope)
			}
		})
	}
}

// The explain trace names the block the client matched, its location, the scope
// and which child answers for which location.
func TestExplainIP(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	c.down("b")
	tree := compileA(t, ipNode(corpCollection(t), loc("eu", leaf("192.0.2.1", "a")), loc("us", leaf("192.0.2.2", "b")), loc("*", leaf("192.0.2.9", "d"))), c)
	in := seeded()
	in.Client = netip.MustParsePrefix("10.1.2.0/24")
	in.Trace = &Trace{}
	got, _ := answer(tree, in)
	if !slices.Equal(got, []string{"192.0.2.9"}) {
		t.Fatalf("answer %v", got)
	}
	text := in.Trace.String()
	for _, want := range []string{
		"[ip] → answer   (collection corp: client 10.1.2.0/24 in 10.1.0.0/16 → location us (scope /16); …/0 (eu); …/1 (us); …/2 (*))",
		"…/1 [leaf] → down   (check b: down)",
		"…/2 [leaf] → answer 192.0.2.9",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks %q:\n%s", want, text)
		}
	}
	in = seeded()
	in.Client = netip.MustParsePrefix("203.0.113.0/24")
	in.Trace = &Trace{}
	answer(tree, in)
	if want := "collection corp: client 203.0.113.0/24 in no block (scope /8)"; !strings.Contains(in.Trace.String(), want) {
		t.Errorf("trace lacks %q:\n%s", want, in.Trace)
	}
}

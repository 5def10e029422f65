package policy

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/geo"
)

// Places of the geoproximity tests (WGS 84, rounded).
var (
	fraPlace = Place{Lat: 50.11, Lon: 8.68}
	iadPlace = Place{Lat: 38.95, Lon: -77.45}
	nrtPlace = Place{Lat: 35.77, Lon: 140.39}
)

// located is frankfurt, ashburn, … with coordinates.
func located(loc geo.Location, lat, lon float64) geo.Location {
	loc.Lat, loc.Lon, loc.HasCoords = lat, lon, true
	return loc
}

var (
	fraClient   = located(frankfurt, 50.1109, 8.6821)
	parisClient = located(paris, 48.8566, 2.3522)
	iadClient   = located(ashburn, 39.0438, -77.4874)
	nrtClient   = located(tokyo, 35.6762, 139.6503)
	// Reykjavík: 2 400 km from Frankfurt, 4 500 km from Ashburn.
	kefClient = located(geo.Location{Continent: "EU", Country: "IS"}, 64.1466, -21.9426)
)

func place(p Place, n *Node) *Node { n.Place = p; return n }

func biased(p Place, bias int) Place { p.Bias = bias; return p }

// proxTree: Frankfurt (check a), Ashburn (b), Tokyo (c).
func proxTree() *Node {
	return rule(RuleGeoproximity,
		place(fraPlace, leaf("192.0.2.1", "a")),
		place(iadPlace, leaf("192.0.2.2", "b")),
		place(nrtPlace, leaf("192.0.2.3", "c")))
}

func TestEvaluateGeoproximity(t *testing.T) {
	c := newChecks("a", "b", "c", "d")
	tests := []struct {
		name string
		root *Node
		down []string
		in   *Input
		want string
	}{
		{"nearest child", proxTree(), nil, from(fraClient), "192.0.2.1"},
		{"nearest child from Ashburn", proxTree(), nil, from(iadClient), "192.0.2.2"},
		{"nearest child from Tokyo", proxTree(), nil, from(nrtClient), "192.0.2.3"},
		{"nearest down: next nearest", proxTree(), []string{"a"}, from(parisClient), "192.0.2.2"},
		{"two nearest down", proxTree(), []string{"a", "b"}, from(parisClient), "192.0.2.3"},
		{"all down fails open to the nearest", proxTree(), []string{"a", "b", "c"}, from(nrtClient), "192.0.2.3"},
		{"no coordinates: first child in list order", proxTree(), nil, from(frankfurt), "192.0.2.1"},
		{"no coordinates: first healthy child", proxTree(), []string{"a"}, from(tokyo), "192.0.2.2"},
		{"unknown client: first child", proxTree(), nil, nil, "192.0.2.1"},
		{"bias grows an area", rule(RuleGeoproximity,
			place(fraPlace, leaf("192.0.2.1", "a")),
			place(biased(iadPlace, 60), leaf("192.0.2.2", "b"))), nil, from(kefClient), "192.0.2.2"},
		{"negative bias shrinks an area", rule(RuleGeoproximity,
			place(biased(fraPlace, -50), leaf("192.0.2.1", "a")),
			place(iadPlace, leaf("192.0.2.2", "b"))), nil, from(kefClient), "192.0.2.2"},
		{"same place: list order", rule(RuleGeoproximity,
			place(fraPlace, leaf("192.0.2.1", "a")),
			place(fraPlace, leaf("192.0.2.9", "b"))), nil, from(parisClient), "192.0.2.1"},
		{"geoproximity under geolocation", rule(RuleGeolocation,
			at(GeoMatch{Continent: "EU"}, leaf("203.0.113.1", "d")),
			at(GeoMatch{Default: true}, proxTree())), nil, from(nrtClient), "192.0.2.3"},
		{"geolocation under geoproximity", rule(RuleGeoproximity,
			place(fraPlace, rule(RuleGeolocation, at(GeoMatch{Country: "FR"}, leaf("192.0.2.33", "")), at(GeoMatch{Default: true}, leaf("192.0.2.1", "a")))),
			place(iadPlace, leaf("192.0.2.2", "b"))), nil, from(parisClient), "192.0.2.33"},
		{"failover under geoproximity", rule(RuleGeoproximity,
			place(fraPlace, rule(RuleFailover, leaf("192.0.2.1", "a"), leaf("192.0.2.11", "d"))),
			place(iadPlace, leaf("192.0.2.2", "b"))), []string{"a"}, from(fraClient), "192.0.2.11"},
		{"weighted under geoproximity, pool down", rule(RuleGeoproximity,
			place(fraPlace, rule(RuleWeighted, weight(1, leaf("192.0.2.1", "a")), weight(1, leaf("192.0.2.11", "d")))),
			place(iadPlace, leaf("192.0.2.2", "b"))), []string{"a", "d"}, from(fraClient), "192.0.2.2"},
		{"geoproximity under failover", rule(RuleFailover, allDown(AllDownOpen, "", proxTree()), leaf("198.51.100.1", "d")), []string{"a", "b", "c"}, from(fraClient), "198.51.100.1"},
		{"geoproximity under sticky", sticky(rule(RuleWeighted, weight(1, proxTree()), weight(0, leaf("198.51.100.1", "d")))), []string{"a"}, fromSubnet("192.0.2.0/24", from(fraClient)), "192.0.2.2"},
		{"multivalue under geoproximity", rule(RuleGeoproximity,
			place(fraPlace, rule(RuleMultivalue, leaf("192.0.2.1", "a"), leaf("192.0.2.11", "d"))),
			place(iadPlace, leaf("192.0.2.2", "b"))), nil, from(fraClient), "192.0.2.1,192.0.2.11"},
		{"geoproximity all_down closes", allDown(AllDownNoData, "", proxTree()), []string{"a", "b", "c"}, from(fraClient), "NODATA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.down(tc.down...)
			tree := compileA(t, tc.root, c)
			got, r := answer(tree, tc.in)
			slices.Sort(got)
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("got %s, want %s", g, tc.want)
			}
			if !r.Geo || !tree.UsesGeo() {
				t.Errorf("Geo %v, UsesGeo %v: want both", r.Geo, tree.UsesGeo())
			}
		})
	}
	c.down()
}

// TestGeoproximityBias: a client in Reykjavík goes to Frankfurt until Ashburn's bias
// passes the threshold at which Ashburn's biased distance drops below Frankfurt's,
// 100 × (1 − d(FRA)/d(IAD)), computed here with geo.Distance; and the same threshold
// for a negative bias on Frankfurt, the other way round.
func TestGeoproximityBias(t *testing.T) {
	dFRA := geo.Distance(kefClient.Lat, kefClient.Lon, fraPlace.Lat, fraPlace.Lon)
	dIAD := geo.Distance(kefClient.Lat, kefClient.Lon, iadPlace.Lat, iadPlace.Lon)
	threshold := 100 * (1 - dFRA/dIAD)
	if threshold < 10 || threshold > 90 {
		t.Fatalf("threshold %.2f: pick another client", threshold)
	}
	flipAt := int(math.Floor(threshold)) + 1
	for _, tc := range []struct {
		name         string
		fra, iad     func(b int) int
		lo, hi, step int
	}{
		{"Ashburn's bias grows", func(int) int { return 0 }, func(b int) int { return b }, 0, 99, 1},
		{"Frankfurt's bias shrinks", func(b int) int { return -b }, func(int) int { return 0 }, 0, 99, 1},
	} {
		for b := tc.lo; b <= tc.hi; b += tc.step {
			tree := compileA(t, rule(RuleGeoproximity,
				place(biased(fraPlace, tc.fra(b)), leaf("192.0.2.1", "")),
				place(biased(iadPlace, tc.iad(b)), leaf("192.0.2.2", ""))), checks{})
			got, _ := answer(tree, from(kefClient))
			want := "192.0.2.1"
			if b >= flipAt {
				want = "192.0.2.2"
			}
			if got[0] != want {
				t.Fatalf("%s: bias %d: %s, want %s (threshold %.3f)", tc.name, b, got[0], want, threshold)
			}
		}
	}
}

// TestDistanceKm: the chord form equals geo.Distance.
func TestDistanceKm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		lat1, lon1 := r.Float64()*180-90, r.Float64()*360-180
		lat2, lon2 := r.Float64()*180-90, r.Float64()*360-180
		if r.IntN(10) == 0 { // near points too
			lat2, lon2 = lat1+r.Float64()*1e-3, lon1+r.Float64()*1e-3
		}
		want := geo.Distance(lat1, lon1, lat2, lon2)
		got := distanceKm(unitVec(lat1, lon1), unitVec(lat2, lon2))
		if math.Abs(got-want) > 1e-6+1e-9*want {
			t.Fatalf("(%g,%g)-(%g,%g): %.9f km, geo.Distance %.9f", lat1, lon1, lat2, lon2, got, want)
		}
	}
}

package route53

import (
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/policy"

	"github.com/miekg/dns"
)

func TestFromPolicyRefuses(t *testing.T) {
	z, _ := newTestZone(t)
	leaf := func(v, check string) *policy.Node { return &policy.Node{Rule: policy.RuleLeaf, Value: v, Check: check} }
	node := func(r policy.Rule, kids ...*policy.Node) *policy.Node { return &policy.Node{Rule: r, Children: kids} }
	tests := []struct {
		name string
		root *policy.Node
		want string
	}{
		{"deep", node(policy.RuleGeolocation, &policy.Node{Rule: policy.RuleFailover, Geo: policy.GeoMatch{Default: true},
			Children: []*policy.Node{leaf("192.0.2.1", ""), leaf("192.0.2.2", "")}}), "deeper trees cannot be written"},
		{"sticky", &policy.Node{Rule: policy.RuleWeighted, Sticky: true, Children: []*policy.Node{leaf("192.0.2.1", "")}}, "sticky"},
		{"city", node(policy.RuleGeolocation, &policy.Node{Rule: policy.RuleLeaf, Value: "192.0.2.1", Geo: policy.GeoMatch{Country: "DE", City: "Berlin"}}), "no cities"},
		{"three tiers", node(policy.RuleFailover, leaf("192.0.2.1", ""), leaf("192.0.2.2", ""), leaf("192.0.2.3", "")), "PRIMARY and SECONDARY only"},
		{"checks differ", node(policy.RuleSimple, leaf("192.0.2.1", "a"), leaf("192.0.2.2", "b")), "one HealthCheckId per record set"},
		{"all_down", &policy.Node{Rule: policy.RuleFailover, AllDown: policy.AllDownServFail, Children: []*policy.Node{leaf("192.0.2.1", "")}}, "all_down"},
		{"multivalue max", &policy.Node{Rule: policy.RuleMultivalue, Max: 2, Children: []*policy.Node{leaf("192.0.2.1", "")}}, "up to 8"},
		{"hysteresis", &policy.Node{Rule: policy.RuleLatency, Hysteresis: policy.Hysteresis{Percent: 10}, Children: []*policy.Node{leaf("192.0.2.1", "")}}, "hysteresis"},
		{"latency off the map", node(policy.RuleLatency, &policy.Node{Rule: policy.RuleLeaf, Value: "192.0.2.1", Place: policy.Place{Region: "fra"}}), "not an AWS Region"},
		{"unknown collection", &policy.Node{Rule: policy.RuleIP, Collection: &policy.CIDRCollection{Name: "other"}, Children: []*policy.Node{leaf("192.0.2.1", "")}}, "not a Route 53 collection"},
	}
	for _, tc := range tests {
		pz := &policy.Zone{Origin: "example.com.", Records: []*policy.RecordSet{{Name: "www.example.com.", Type: dns.TypeA, TTL: 60, Root: tc.root}}}
		_, err := FromPolicy(z, pz, []*CidrCollection{testColl})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestLatencyTable(t *testing.T) {
	lt := LatencyTable()
	ms := func(from, to string) float64 {
		for _, r := range lt.Rows {
			if r.From.Name == from {
				return r.MS[to]
			}
		}
		t.Fatalf("no row %s", from)
		return 0
	}
	tests := []struct {
		from, to string
		lo, hi   float64
	}{
		{"eu-central-1", "eu-central-1", 1, 1},
		{"eu-central-1", "eu-west-1", 12, 16},
		{"us-east-1", "eu-central-1", 60, 80},
		{"eu-central-1", "ap-southeast-2", 160, 175},
	}
	for _, tc := range tests {
		if v := ms(tc.from, tc.to); v < tc.lo || v > tc.hi || v != ms(tc.to, tc.from) {
			t.Errorf("%s → %s: %.0f ms, want %.0f..%.0f and symmetric", tc.from, tc.to, v, tc.lo, tc.hi)
		}
	}
	if n := len(latencyRegionNames()); len(lt.Rows) != n || n != 39 {
		t.Errorf("%d rows for %d regions", len(lt.Rows), n)
	}
	local := 0
	for _, r := range Regions() {
		if p, ok := awsPlaceByName(r.Name, true); ok && p.Local {
			local++
		}
	}
	if local == 0 || len(Regions()) != len(awsPlaces) {
		t.Errorf("Regions: %d, %d local", len(Regions()), local)
	}
}

// TestEmptyCollection: record sets may use a collection without blocks; every
// client gets the "*" record set.
func TestEmptyCollection(t *testing.T) {
	z, cur := newTestZone(t)
	empty := &CidrCollection{ID: "e0000000-0000-4000-8000-000000000000", Name: "empty", Version: 1, Locations: map[string][]string{}}
	r := fakeRefs{checks: refs.checks, colls: map[string]*CidrCollection{empty.ID: empty, testColl.ID: testColl}}
	rs := rec("i.example.com.", "A", 60, "192.0.2.1")
	rs.SetIdentifier, rs.CidrRoutingConfig = "rest", &CidrRoutingConfig{CollectionId: empty.ID, LocationName: "*"}
	next, err := ApplyChanges(z, cur, batchOf(change(ActionCreate, rs)), r)
	if err != nil {
		t.Fatal(err)
	}
	pz, colls, perr := ToPolicy(z, next, []*CidrCollection{empty, testColl})
	if perr != nil || len(colls) != 2 {
		t.Fatalf("ToPolicy: %v", perr)
	}
	snap, cerr := policy.Compile(&policy.Data{Zones: []*policy.Zone{pz}, CIDRCollections: colls}, nil, testEpoch)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if got := answers(t, snap.Zone("example.com."), "i.example.com.", client{addr: "192.0.2.9"}, 10); got["192.0.2.1"] != 10 {
		t.Errorf("answers %v", got)
	}
}

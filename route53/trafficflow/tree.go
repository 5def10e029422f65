package trafficflow

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// Options change how ToTree translates.
type Options struct {
	// Latency is the table latency rules take their latencies from: for clients in
	// a row's region, milliseconds to endpoints by AWS region code. nil uses
	// EstimatedLatency(). Either way a latency node uses the table only
	// (policy.SourceTable): Route 53 routes by the client's latency to the region,
	// not by this server's.
	Latency *policy.LatencyTable
}

// ToTree translates a document made by Parse into a policy tree. Rules become
// policy rules (failover, geolocation, latency, geoproximity, weighted, multivalue
// with at most MultivalueMax values), endpoints leaves; a rule referenced from
// several places is copied into each.
//
// Health: a reference's HealthCheck gates everything under it. A leaf's Check is
// the ID of the health check on its own reference, or the IDs of every health
// check on the path to it joined by "&": compile with Resolver(base), which
// reads such a name as "all of these are up". A RuleReference with
// EvaluateTargetHealth false counts as healthy to its rule whenever its own health
// checks are up: it becomes a failover of the rule and a copy of the rule without
// the checks inside it, so that it answers as the rule would with all of them up.
func ToTree(doc *Document, opt Options) (*policy.Node, error) {
	if doc == nil || !doc.parsed {
		return nil, errors.New("trafficflow: ToTree takes a document made by Parse")
	}
	t := &translator{doc: doc, table: opt.Latency, checked: map[string]bool{}}
	if t.table == nil {
		t.table = EstimatedLatency()
	} else if err := t.checkTable(); err != nil {
		return nil, err
	}
	if doc.StartEndpoint != "" {
		return t.endpoint(doc.StartEndpoint, nil), nil
	}
	return t.rule(doc.StartRule, nil, false), nil
}

// RecordSet is the record set a traffic policy instance of doc serves at name
// (a lower-case FQDN) with ttl.
func RecordSet(doc *Document, name string, ttl uint32, opt Options) (*policy.RecordSet, error) {
	root, err := ToTree(doc, opt)
	if err != nil {
		return nil, err
	}
	return &policy.RecordSet{Name: name, Type: doc.RRType, TTL: ttl, Root: root}, nil
}

type translator struct {
	doc     *Document
	table   *policy.LatencyTable
	checked map[string]bool // rule ID → some reference inside it has a health check
}

func (t *translator) endpoint(id string, gates []string) *policy.Node {
	return &policy.Node{Rule: policy.RuleLeaf, Name: id, Value: t.doc.Endpoints[id].Value, Check: strings.Join(gates, "&")}
}

// ruleKinds maps the format's rule types to policy rules.
var ruleKinds = map[string]policy.Rule{
	RuleFailover: policy.RuleFailover, RuleGeo: policy.RuleGeolocation, RuleLatency: policy.RuleLatency,
	RuleGeoproximity: policy.RuleGeoproximity, RuleWeighted: policy.RuleWeighted, RuleMultivalue: policy.RuleMultivalue,
}

// rule translates rule id under the health checks gates. unchecked drops the health
// checks inside the rule (only gates remain): the copy an EvaluateTargetHealth
// false reference falls back to.
func (t *translator) rule(id string, gates []string, unchecked bool) *policy.Node {
	r := t.doc.Rules[id]
	n := &policy.Node{Rule: ruleKinds[r.Type], Name: id}
	if unchecked {
		n.Name = id + "/unchecked"
	}
	switch r.Type {
	case RuleMultivalue:
		n.Max = MultivalueMax
	case RuleLatency:
		n.Source, n.Table = policy.SourceTable, t.table
	}
	for _, nr := range r.refs("") {
		n.Children = append(n.Children, t.child(r.Type, nr.ref, gates, unchecked))
	}
	return n
}

// child translates one reference of a rule of type rt.
func (t *translator) child(rt string, ref *Ref, gates []string, unchecked bool) *policy.Node {
	g := gates
	if !unchecked && ref.HealthCheck != "" && !slices.Contains(gates, ref.HealthCheck) {
		g = append(slices.Clip(gates), ref.HealthCheck)
	}
	var n *policy.Node
	if ref.Endpoint != "" {
		n = t.endpoint(ref.Endpoint, g)
	} else {
		n = t.rule(ref.Rule, g, unchecked)
		if !unchecked && !ref.EvaluateTargetHealth && t.hasChecks(ref.Rule) {
			n = &policy.Node{Rule: policy.RuleFailover, Name: ref.Rule + "/target-health-off",
				Children: []*policy.Node{n, t.rule(ref.Rule, g, true)}}
		}
	}
	switch rt {
	case RuleWeighted:
		n.Weight = ref.Weight
	case RuleGeo:
		n.Geo = policy.GeoMatch{Continent: ref.Continent, Country: ref.Country, Default: ref.IsDefault}
		if ref.Subdivision != "" {
			n.Geo.Subdivision = "US-" + ref.Subdivision
		}
	case RuleLatency:
		r, _ := RegionByCode(ref.Region)
		n.Place = policy.Place{Region: ref.Region, Lat: r.Lat, Lon: r.Lon}
	case RuleGeoproximity:
		n.Place = policy.Place{Region: ref.Region, Lat: ref.Lat, Lon: ref.Lon, Bias: ref.Bias}
	}
	return n
}

// hasChecks reports whether a reference inside rule id (at any depth) has a health
// check; without, the rule cannot be down and needs no unchecked copy.
func (t *translator) hasChecks(id string) bool {
	if v, ok := t.checked[id]; ok {
		return v
	}
	t.checked[id] = false
	for _, nr := range t.doc.Rules[id].refs("") {
		if nr.ref.HealthCheck != "" || nr.ref.Rule != "" && t.hasChecks(nr.ref.Rule) {
			t.checked[id] = true
			break
		}
	}
	return t.checked[id]
}

// checkTable makes sure a given latency table has a column for every region that a
// latency rule routes to.
func (t *translator) checkTable() error {
	cols := map[string]bool{}
	for _, row := range t.table.Rows {
		if row.From == nil {
			return errors.New("trafficflow: a latency table row without a region")
		}
		for c := range row.MS {
			cols[c] = true
		}
	}
	for _, key := range t.doc.Order {
		if id, ok := strings.CutPrefix(key, "Rules."); ok && t.doc.Rules[id].Type == RuleLatency {
			for _, nr := range t.doc.Rules[id].refs(rulePath(id)) {
				if !cols[nr.ref.Region] {
					return fmt.Errorf("%s.Region: the latency table has no column %q", nr.path, nr.ref.Region)
				}
			}
		}
	}
	return nil
}

// EstimatedLatency is the latency table ToTree uses unless given one: a row and a
// column per AWS region of AWSRegions, the milliseconds estimated from great-circle
// distance as a round trip over fibre (about 200 km per ms one way) along a path
// 1.5 times the great circle, plus 2 ms. A client is in the row of its nearest
// region, so a latency rule answers with the child whose region is nearest to that
// region: Route 53's choice wherever latency follows distance. The table is built
// once and shared: do not change it.
func EstimatedLatency() *policy.LatencyTable { return estimatedLatency() }

var estimatedLatency = sync.OnceValue(func() *policy.LatencyTable {
	t := &policy.LatencyTable{}
	for _, from := range AWSRegions {
		row := policy.LatencyRow{From: &policy.Region{Name: from.Code, Lat: from.Lat, Lon: from.Lon},
			MS: make(map[string]float64, len(AWSRegions))}
		for _, to := range AWSRegions {
			row.MS[to.Code] = EstimateMS(geo.Distance(from.Lat, from.Lon, to.Lat, to.Lon))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
})

// EstimateMS is the round trip EstimatedLatency assumes over km of great circle,
// rounded to 0.1 ms.
func EstimateMS(km float64) float64 {
	return math.Round((2+km*1.5*2/200)*10) / 10
}

// Resolver returns a policy.CheckResolver for trees made by ToTree: a name without
// "&" is resolved by base; "a&b&c" is a health source that is up while a, b and c
// all are.
func Resolver(base policy.CheckResolver) policy.CheckResolver {
	return func(name string) (policy.HealthSource, bool) {
		if !strings.Contains(name, "&") {
			return base(name)
		}
		var all allUp
		for _, id := range strings.Split(name, "&") {
			h, ok := base(id)
			if !ok {
				return nil, false
			}
			all = append(all, h)
		}
		return all, true
	}
}

// allUp is up while all of its sources are.
type allUp []policy.HealthSource

func (a allUp) Up() bool {
	for _, h := range a {
		if !h.Up() {
			return false
		}
	}
	return true
}

var _ policy.HealthSource = allUp(nil)

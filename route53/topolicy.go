package route53

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/miekg/dns"
)

// DefaultAliasTTL is the TTL of an alias record set whose target's TTL cannot be
// found (an alias chain that ends in nothing, which ApplyChanges refuses).
const DefaultAliasTTL = 300

// MultivalueMax is how many healthy records a multivalue answer record set answers
// with: Route 53 answers up to eight.
const MultivalueMax = 8

// ToPolicy translates a hosted zone's record sets into a policy zone: record sets
// with one name and type form one policy tree. A simple record set is a leaf (or a
// simple node of leaves for several values, or an alias node); record sets with
// SetIdentifiers are the children of one node of their routing policy, each child
// named by its SetIdentifier (see GroupToPolicy). The apex SOA becomes the zone's
// soa; a HealthCheckId becomes the leaves' check name, the ID itself. Record sets
// of traffic policy instances (TrafficPolicyInstanceId) are left out: their trees
// come from the traffic policy document. colls are the
// CIDR collections the record sets may use; the policy collections are returned
// for the data the zone is compiled with. An error is an *apierr.Error
// (InvalidInput) naming the record set.
func ToPolicy(z *Zone, rrsets []ResourceRecordSet, colls []*CidrCollection) (*policy.Zone, []*policy.CIDRCollection, error) {
	pz, pcolls, err := toPolicy(z, rrsets, colls)
	if err != nil {
		return nil, nil, apierr.InvalidInput("%s", err.Error())
	}
	return pz, pcolls, nil
}

func toPolicy(z *Zone, rrsets []ResourceRecordSet, colls []*CidrCollection) (*policy.Zone, []*policy.CIDRCollection, error) {
	pcolls, err := policyCollections(colls)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]*policy.CIDRCollection, len(colls))
	var out []*policy.CIDRCollection
	for _, c := range colls {
		byID[c.ID] = pcolls[c.Name]
		out = append(out, pcolls[c.Name])
	}
	groups, order := groupRecordSets(rrsets)
	pz := &policy.Zone{Origin: dnsName(z.Name), TTL: policy.DefaultTTL}
	ttls := func(name, typ string) (int64, bool) { return groupTTL(groups, group{name, typ}, 0) }
	for _, g := range order {
		recs := groups[g]
		if instanceGroup(recs) {
			continue
		}
		if g.typ == "SOA" {
			soa, ttl, err := soaOf(recs)
			if err != nil {
				return nil, nil, err
			}
			pz.SOA, pz.TTL = soa, ttl
			continue
		}
		rs, err := groupToPolicy(z, recs, ttls, byID)
		if err != nil {
			return nil, nil, err
		}
		pz.Records = append(pz.Records, rs)
	}
	return pz, out, nil
}

// instanceGroup reports whether a name and type holds a traffic policy instance's
// record set: its tree comes from the traffic policy, not from record sets.
func instanceGroup(recs []*ResourceRecordSet) bool {
	for _, rs := range recs {
		if rs.TrafficPolicyInstanceId != "" {
			return true
		}
	}
	return false
}

// groupRecordSets groups record sets by name and type, in first-seen order.
func groupRecordSets(rrsets []ResourceRecordSet) (map[group][]*ResourceRecordSet, []group) {
	groups := map[group][]*ResourceRecordSet{}
	var order []group
	for i := range rrsets {
		g := group{rrsets[i].Name, rrsets[i].Type}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], &rrsets[i])
	}
	return groups, order
}

// groupTTL is the TTL of a name and type: its value records' TTL, else (aliases
// only) its first alias target's, as Route 53 answers an alias with its target's TTL.
func groupTTL(groups map[group][]*ResourceRecordSet, g group, depth int) (int64, bool) {
	recs := groups[g]
	for _, rs := range recs {
		if rs.TTL != nil {
			return *rs.TTL, true
		}
	}
	if depth > policy.MaxChildren {
		return 0, false
	}
	for _, rs := range recs {
		if rs.AliasTarget != nil {
			return groupTTL(groups, group{rs.AliasTarget.DNSName, rs.Type}, depth+1)
		}
	}
	return 0, false
}

// soaOf reads the apex SOA record set.
func soaOf(recs []*ResourceRecordSet) (*policy.SOA, uint32, error) {
	if len(recs) != 1 || len(recs[0].ResourceRecords) != 1 || recs[0].TTL == nil {
		return nil, 0, fmt.Errorf("%s SOA: want one record set with one value", recs[0].Name)
	}
	rr, err := dns.NewRR(". 0 IN SOA " + recs[0].ResourceRecords[0].Value)
	if err != nil {
		return nil, 0, fmt.Errorf("%s SOA: %v", recs[0].Name, err)
	}
	s := rr.(*dns.SOA)
	return &policy.SOA{MName: s.Ns, RName: s.Mbox, Serial: s.Serial, Refresh: s.Refresh, Retry: s.Retry,
		Expire: s.Expire, Minimum: s.Minttl}, uint32(*recs[0].TTL), nil
}

// GroupToPolicy translates the record sets of one name and type into a policy
// record set, so that a change compiles only what it changed. ttlOf finds the TTL
// of another name and type of the zone (for an alias-only record set, its target's);
// colls finds CIDR collections by ID.
//
// The tree is Route 53's flat form, one level deep: the root is the routing
// policy's node (weighted with Weight, failover PRIMARY then SECONDARY, geolocation
// by continent, country, subdivision or default, geoproximity at coordinates or
// at its AWS Region or Local Zone group with Bias, latency with children placed at
// their Regions and the estimated latency table (see LatencyTable), multivalue up
// to 8, ip by CIDR location), and each record set is a child: a leaf for one value,
// a simple node of leaves for several, an alias node for an AliasTarget. Other
// children are ordered by SetIdentifier.
func GroupToPolicy(z *Zone, recs []*ResourceRecordSet, ttlOf func(name, typ string) (int64, bool), colls map[string]*policy.CIDRCollection) (*policy.RecordSet, error) {
	rs, err := groupToPolicy(z, recs, ttlOf, colls)
	if err != nil {
		return nil, apierr.InvalidInput("%s", err.Error())
	}
	return rs, nil
}

func groupToPolicy(z *Zone, recs []*ResourceRecordSet, ttlOf func(name, typ string) (int64, bool), colls map[string]*policy.CIDRCollection) (*policy.RecordSet, error) {
	if len(recs) == 0 {
		return nil, fmt.Errorf("no record sets")
	}
	first := recs[0]
	where := first.Name + " " + first.Type
	name, err := policy.OwnerName(dnsName(first.Name), dnsName(z.Name))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	typ, ok := dns.StringToType[first.Type]
	if !ok || !servedTypes[first.Type] || first.Type == "SOA" {
		return nil, fmt.Errorf("%s: type %s is not served", where, first.Type)
	}
	out := &policy.RecordSet{Pos: policy.Pos{File: "route53:" + z.ID}, Name: name, Type: typ}
	ttl, ok := int64(0), false
	for _, rs := range recs {
		if rs.TTL != nil {
			ttl, ok = *rs.TTL, true
			break
		}
	}
	if !ok && ttlOf != nil && first.AliasTarget != nil {
		ttl, ok = ttlOf(first.AliasTarget.DNSName, first.Type)
	}
	if !ok {
		ttl = DefaultAliasTTL
	}
	out.TTL = uint32(ttl)
	if len(recs) == 1 && first.SetIdentifier == "" {
		out.Root, err = recordNode(first)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		return out, nil
	}
	out.Root, err = routingNode(recs, colls)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	return out, nil
}

// recordNode is one record set's answer: a leaf, a simple node of leaves, or an alias.
func recordNode(rs *ResourceRecordSet) (*policy.Node, error) {
	if a := rs.AliasTarget; a != nil {
		if rs.HealthCheckId != "" {
			return nil, fmt.Errorf("a HealthCheckId on an alias record set is not supported")
		}
		return &policy.Node{Rule: policy.RuleAlias, Alias: dnsName(a.DNSName), EvaluateTargetHealth: a.EvaluateTargetHealth}, nil
	}
	leaves := make([]*policy.Node, 0, len(rs.ResourceRecords))
	for _, r := range rs.ResourceRecords {
		v, err := rdata(rs.Type, r.Value)
		if err != nil {
			return nil, fmt.Errorf("value %q: %v", r.Value, err)
		}
		leaves = append(leaves, &policy.Node{Rule: policy.RuleLeaf, Value: v, Check: rs.HealthCheckId})
	}
	switch len(leaves) {
	case 0:
		return nil, fmt.Errorf("no values")
	case 1:
		return leaves[0], nil
	}
	return &policy.Node{Rule: policy.RuleSimple, Children: leaves}, nil
}

// routingNode is the node of a routing policy with one child per record set.
func routingNode(recs []*ResourceRecordSet, colls map[string]*policy.CIDRCollection) (*policy.Node, error) {
	recs = slices.Clone(recs)
	kind := routingOf(recs[0])
	slices.SortFunc(recs, func(a, b *ResourceRecordSet) int {
		if kind == routeFailover && a.Failover != b.Failover {
			return strings.Compare(a.Failover, b.Failover) // PRIMARY < SECONDARY
		}
		return strings.Compare(a.SetIdentifier, b.SetIdentifier)
	})
	n := &policy.Node{Rule: ruleOf[kind]}
	switch kind {
	case routeSimple:
		return nil, fmt.Errorf("%d record sets without a routing policy", len(recs))
	case routeMultivalue:
		n.Max = MultivalueMax
	case routeLatency:
		n.Source, n.Table = policy.SourceTable, LatencyTable()
	}
	for _, rs := range recs {
		if routingOf(rs) != kind || rs.SetIdentifier == "" {
			return nil, fmt.Errorf("record set %q is not a %s record set like %q", rs.SetIdentifier, kind, recs[0].SetIdentifier)
		}
		child, err := recordNode(rs)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", rs.SetIdentifier, err)
		}
		child.Name = rs.SetIdentifier
		if err := place(child, rs, n, colls); err != nil {
			return nil, fmt.Errorf("%s: %v", rs.SetIdentifier, err)
		}
		n.Children = append(n.Children, child)
	}
	return n, nil
}

var ruleOf = [...]policy.Rule{
	routeSimple: policy.RuleSimple, routeWeighted: policy.RuleWeighted, routeLatency: policy.RuleLatency,
	routeFailover: policy.RuleFailover, routeGeolocation: policy.RuleGeolocation, routeMultivalue: policy.RuleMultivalue,
	routeGeoproximity: policy.RuleGeoproximity, routeCIDR: policy.RuleIP,
}

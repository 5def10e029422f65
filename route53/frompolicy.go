package route53

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/miekg/dns"
)

// FromPolicy writes a policy zone as Route 53 record sets (for export), the inverse
// of ToPolicy: a tree must be Route 53's flat form — a leaf, a simple node of
// leaves or an alias at the root, or a routing node whose children are each of
// those. A deeper tree, and what Route 53 has no field for (sticky weights, cities,
// hysteresis, all_down other than open, checks that differ among the values of
// one child), cannot be flat and is an error naming the record set. colls gives the
// IDs of the CIDR collections ip nodes name; the zone's SOA becomes the SOA record
// set. The result is in ListResourceRecordSets order; an error is an
// *apierr.Error (InvalidInput).
func FromPolicy(z *Zone, pz *policy.Zone, colls []*CidrCollection) ([]ResourceRecordSet, error) {
	var out []ResourceRecordSet
	if s := pz.SOA; s != nil {
		v := fmt.Sprintf("%s %s %d %d %d %d %d", s.MName, s.RName, s.Serial, s.Refresh, s.Retry, s.Expire, s.Minimum)
		out = append(out, ResourceRecordSet{Name: z.Name, Type: "SOA", TTL: ptr(int64(pz.TTL)), ResourceRecords: []ResourceRecord{{Value: v}}})
	}
	byName := map[string]string{}
	for _, c := range colls {
		byName[c.Name] = c.ID
	}
	for _, prs := range pz.Records {
		rrsets, err := flatten(z, prs, byName)
		if err != nil {
			return nil, apierr.InvalidInput("%s %s: %v", prs.Name, dns.TypeToString[prs.Type], err)
		}
		out = append(out, rrsets...)
	}
	SortRecordSets(out)
	return out, nil
}

// flatten turns one policy record set into Route 53 record sets.
func flatten(z *Zone, prs *policy.RecordSet, collIDs map[string]string) ([]ResourceRecordSet, error) {
	name, ok := fromDNSName(prs.Name)
	if !ok {
		return nil, fmt.Errorf("name %q is not valid", prs.Name)
	}
	base := ResourceRecordSet{Name: name, Type: dns.TypeToString[prs.Type]}
	root := prs.Root
	if root == nil {
		return nil, fmt.Errorf("no tree")
	}
	if err := plainNode(root); err != nil {
		return nil, err
	}
	if isAnswer(root) {
		rs, err := answerOf(z, base, prs.TTL, root)
		if err != nil {
			return nil, err
		}
		return []ResourceRecordSet{rs}, nil
	}
	if root.Rule == policy.RuleWeighted && root.Sticky {
		return nil, fmt.Errorf("sticky weighted has no Route 53 equivalent")
	}
	if root.Rule == policy.RuleMultivalue && root.Max != 0 && root.Max != MultivalueMax {
		return nil, fmt.Errorf("multivalue with max %d: Route 53 answers up to %d", root.Max, MultivalueMax)
	}
	if root.Rule == policy.RuleLatency && (root.Hysteresis != policy.Hysteresis{}) {
		return nil, fmt.Errorf("latency hysteresis has no Route 53 equivalent")
	}
	if root.Rule == policy.RuleFailover && len(root.Children) > 2 {
		return nil, fmt.Errorf("failover with %d tiers: Route 53 has PRIMARY and SECONDARY only", len(root.Children))
	}
	var out []ResourceRecordSet
	for i, ch := range root.Children {
		if !isAnswer(ch) {
			return nil, fmt.Errorf("child %d is a %s node: deeper trees cannot be written as Route 53 record sets (use a traffic policy)", i, ch.Rule)
		}
		if err := plainNode(ch); err != nil {
			return nil, err
		}
		rs, err := answerOf(z, base, prs.TTL, ch)
		if err != nil {
			return nil, fmt.Errorf("child %d: %v", i, err)
		}
		rs.SetIdentifier = ch.Name
		if rs.SetIdentifier == "" {
			rs.SetIdentifier = strconv.Itoa(i + 1)
		}
		if err := routingFields(&rs, root, ch, i, collIDs); err != nil {
			return nil, fmt.Errorf("child %d: %v", i, err)
		}
		out = append(out, rs)
	}
	return out, nil
}

// plainNode refuses what Route 53 cannot express on any node.
func plainNode(n *policy.Node) error {
	if n.AllDown != policy.AllDownOpen {
		return fmt.Errorf("all_down other than open has no Route 53 equivalent")
	}
	return nil
}

// isAnswer reports whether a node is one Route 53 record set's answer: a leaf, an
// alias, or a simple node of leaves without names and all_down.
func isAnswer(n *policy.Node) bool {
	switch n.Rule {
	case policy.RuleLeaf, policy.RuleAlias:
		return true
	case policy.RuleSimple:
		for _, c := range n.Children {
			if c.Rule != policy.RuleLeaf {
				return false
			}
		}
		return len(n.Children) > 0
	}
	return false
}

// answerOf writes an answer node as one record set's values or alias target.
func answerOf(z *Zone, base ResourceRecordSet, ttl uint32, n *policy.Node) (ResourceRecordSet, error) {
	rs := base
	if n.Rule == policy.RuleAlias {
		target, ok := fromDNSName(n.Alias)
		if !ok {
			return rs, fmt.Errorf("alias target %q is not valid", n.Alias)
		}
		rs.AliasTarget = &AliasTarget{HostedZoneId: z.ID, DNSName: target, EvaluateTargetHealth: n.EvaluateTargetHealth}
		return rs, nil
	}
	leaves := []*policy.Node{n}
	if n.Rule == policy.RuleSimple {
		leaves = n.Children
	}
	rs.TTL = ptr(int64(ttl))
	for i, l := range leaves {
		if l.Check != leaves[0].Check {
			return rs, fmt.Errorf("values with different checks (%q, %q): Route 53 has one HealthCheckId per record set", leaves[0].Check, l.Check)
		}
		if i > 0 || n.Rule == policy.RuleSimple {
			if err := plainNode(l); err != nil {
				return rs, err
			}
		}
		rs.ResourceRecords = append(rs.ResourceRecords, ResourceRecord{Value: l.Value})
	}
	rs.HealthCheckId = leaves[0].Check
	return rs, nil
}

// routingFields sets the record set's routing field from its node's rule and place.
func routingFields(rs *ResourceRecordSet, parent, ch *policy.Node, i int, collIDs map[string]string) error {
	switch parent.Rule {
	case policy.RuleWeighted:
		rs.Weight = ptr(int64(ch.Weight))
	case policy.RuleFailover:
		rs.Failover = failovers[i]
	case policy.RuleMultivalue:
		rs.MultiValueAnswer = ptr(true)
	case policy.RuleGeolocation:
		g, err := geoLocation(ch.Geo)
		if err != nil {
			return err
		}
		rs.GeoLocation = g
	case policy.RuleLatency:
		if _, ok := awsPlaceByName(ch.Place.Region, false); !ok {
			return fmt.Errorf("latency region %q is not an AWS Region", ch.Place.Region)
		}
		rs.Region = ch.Place.Region
	case policy.RuleGeoproximity:
		rs.GeoProximityLocation = geoProximityLocation(ch.Place)
	case policy.RuleIP:
		if parent.Collection == nil {
			return fmt.Errorf("ip node without a collection")
		}
		id, ok := collIDs[parent.Collection.Name]
		if !ok {
			return fmt.Errorf("CIDR collection %s is not a Route 53 collection", parent.Collection.Name)
		}
		rs.CidrRoutingConfig = &CidrRoutingConfig{CollectionId: id, LocationName: ch.Location}
	default:
		return fmt.Errorf("rule %s has no Route 53 routing policy", parent.Rule)
	}
	return nil
}

func geoLocation(m policy.GeoMatch) (*GeoLocation, error) {
	switch {
	case m.City != "":
		return nil, fmt.Errorf("city %q: Route 53 geolocation has no cities", m.City)
	case m.Default:
		return &GeoLocation{CountryCode: "*"}, nil
	case m.Subdivision != "":
		country, sub, ok := strings.Cut(m.Subdivision, "-")
		if !ok {
			return nil, fmt.Errorf("subdivision %q is not country-prefixed", m.Subdivision)
		}
		return &GeoLocation{CountryCode: country, SubdivisionCode: sub}, nil
	case m.Country != "":
		return &GeoLocation{CountryCode: m.Country}, nil
	case m.Continent != "":
		return &GeoLocation{ContinentCode: m.Continent}, nil
	}
	return nil, fmt.Errorf("a geolocation child without a match")
}

func geoProximityLocation(p policy.Place) *GeoProximityLocation {
	g := &GeoProximityLocation{}
	if p.Bias != 0 {
		g.Bias = ptr(int64(p.Bias))
	}
	if a, ok := awsPlaceByName(p.Region, false); ok && p.Region != "" {
		g.AWSRegion = a.Name
	} else if a, ok := awsPlaceByName(p.Region, true); ok && p.Region != "" {
		g.LocalZoneGroup = a.Name
	} else {
		g.Coordinates = &Coordinates{Latitude: strconv.FormatFloat(p.Lat, 'f', -1, 64), Longitude: strconv.FormatFloat(p.Lon, 'f', -1, 64)}
	}
	return g
}

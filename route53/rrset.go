package route53

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/miekg/dns"
)

// routing is the routing policy a record set's routing field selects.
type routing uint8

const (
	routeSimple routing = iota
	routeWeighted
	routeLatency
	routeFailover
	routeGeolocation
	routeMultivalue
	routeGeoproximity
	routeCIDR
)

var routingNames = [...]string{"simple", "weighted", "latency", "failover", "geolocation", "multivalue answer", "geoproximity", "IP-based"}

func (r routing) String() string { return routingNames[r] }

// routingFieldNames are the routing fields as Route 53 lists them in messages.
const routingFieldNames = "[Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig]"

// routings returns the routing policies the record set's fields select.
func routings(rs *ResourceRecordSet) []routing {
	var r []routing
	if rs.Weight != nil {
		r = append(r, routeWeighted)
	}
	if rs.Region != "" {
		r = append(r, routeLatency)
	}
	if rs.Failover != "" {
		r = append(r, routeFailover)
	}
	if rs.GeoLocation != nil {
		r = append(r, routeGeolocation)
	}
	if rs.MultiValueAnswer != nil {
		r = append(r, routeMultivalue)
	}
	if rs.GeoProximityLocation != nil {
		r = append(r, routeGeoproximity)
	}
	if rs.CidrRoutingConfig != nil {
		r = append(r, routeCIDR)
	}
	return r
}

// routingOf is the record set's routing policy; the record set is valid.
func routingOf(rs *ResourceRecordSet) routing {
	if r := routings(rs); len(r) > 0 {
		return r[0]
	}
	return routeSimple
}

// describe is how Route 53's InvalidInput messages name a change.
func describe(action string, rs *ResourceRecordSet) string {
	id := "null"
	if rs.SetIdentifier != "" {
		id = rs.SetIdentifier
	}
	return fmt.Sprintf("Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]", action, rs.Name, rs.Type, id)
}

// rrsetRef is how Route 53's InvalidChangeBatch messages name a record set.
func rrsetRef(rs *ResourceRecordSet) string {
	if rs.SetIdentifier != "" {
		return fmt.Sprintf("[name='%s', type='%s', set-identifier='%s']", rs.Name, rs.Type, rs.SetIdentifier)
	}
	return fmt.Sprintf("[name='%s', type='%s']", rs.Name, rs.Type)
}

// checkStructure checks which members a record set of a change has: values or an
// alias, one routing field exactly when it has a SetIdentifier, and well-formed
// routing fields. It answers with InvalidInput, as Route 53 does for these.
func checkStructure(action string, rs *ResourceRecordSet) *apierr.Error {
	values := rs.TTL != nil || len(rs.ResourceRecords) > 0
	switch {
	case rs.TrafficPolicyInstanceId != "" && rs.AliasTarget == nil && !values:
		// A traffic policy instance's record set: its answers come from the policy.
	case rs.AliasTarget != nil && values:
		return apierr.InvalidInput("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in %s", describe(action, rs))
	case rs.AliasTarget == nil && (rs.TTL == nil || len(rs.ResourceRecords) == 0):
		return apierr.InvalidInput("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in %s", describe(action, rs))
	}
	r := routings(rs)
	switch {
	case len(r) > 1:
		return apierr.InvalidInput("Invalid request: Expected exactly one of %s, but found more than one in %s", routingFieldNames, describe(action, rs))
	case len(r) == 1 && rs.SetIdentifier == "":
		return apierr.InvalidInput("Invalid request: Missing field 'SetIdentifier' in %s", describe(action, rs))
	case len(r) == 0 && rs.SetIdentifier != "":
		return apierr.InvalidInput("Invalid request: Expected exactly one of %s, but found none in %s", routingFieldNames, describe(action, rs))
	}
	if rs.MultiValueAnswer != nil && !*rs.MultiValueAnswer {
		return apierr.InvalidInput("Invalid request: MultiValueAnswer must be true when present in %s", describe(action, rs))
	}
	if g := rs.GeoLocation; g != nil {
		if msg := checkGeoLocation(g); msg != "" {
			return apierr.InvalidInput("Invalid request: %s in %s", msg, describe(action, rs))
		}
	}
	if g := rs.GeoProximityLocation; g != nil {
		if msg := checkGeoProximity(g); msg != "" {
			return apierr.InvalidInput("Invalid request: %s in %s", msg, describe(action, rs))
		}
	}
	if c := rs.CidrRoutingConfig; c != nil && c.CollectionId == "" {
		return apierr.InvalidInput("Invalid request: Missing field 'CollectionId' in %s", describe(action, rs))
	}
	return nil
}

func checkGeoLocation(g *GeoLocation) string {
	switch {
	case g.ContinentCode == "" && g.CountryCode == "":
		return "GeoLocation needs a ContinentCode or a CountryCode"
	case g.ContinentCode != "" && (g.CountryCode != "" || g.SubdivisionCode != ""):
		return "GeoLocation has a ContinentCode and a CountryCode or SubdivisionCode"
	case g.SubdivisionCode != "" && (g.CountryCode == "" || g.CountryCode == "*"):
		return "GeoLocation SubdivisionCode needs a CountryCode"
	case g.ContinentCode != "" && !slices.Contains(continents, g.ContinentCode):
		return fmt.Sprintf("GeoLocation ContinentCode %q is not one of %s", g.ContinentCode, strings.Join(continents, ", "))
	case g.CountryCode != "" && g.CountryCode != "*" && !upperAlnum(g.CountryCode, 2, 2, false):
		return fmt.Sprintf("GeoLocation CountryCode %q is not a two-letter ISO 3166 code or \"*\"", g.CountryCode)
	case g.SubdivisionCode != "" && !upperAlnum(g.SubdivisionCode, 1, 3, true):
		return fmt.Sprintf("GeoLocation SubdivisionCode %q is not an ISO 3166-2 subdivision code", g.SubdivisionCode)
	}
	return ""
}

func upperAlnum(s string, lo, hi int, digits bool) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || digits && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func checkGeoProximity(g *GeoProximityLocation) string {
	n := 0
	if g.AWSRegion != "" {
		n++
		if _, ok := awsPlaceByName(g.AWSRegion, false); !ok {
			return fmt.Sprintf("GeoProximityLocation AWSRegion %q is not a known AWS Region", g.AWSRegion)
		}
	}
	if g.LocalZoneGroup != "" {
		n++
		if _, ok := awsPlaceByName(g.LocalZoneGroup, true); !ok {
			return fmt.Sprintf("GeoProximityLocation LocalZoneGroup %q is not a Local Zone group this server knows", g.LocalZoneGroup)
		}
	}
	if g.Coordinates != nil {
		n++
	}
	if n != 1 {
		return "Expected exactly one of [AWSRegion, LocalZoneGroup, or Coordinates] in GeoProximityLocation"
	}
	return ""
}

// checkValues returns InvalidChangeBatch messages for the record set's values:
// RDATA of its type, no duplicates, one value where the type allows one.
func checkValues(rs *ResourceRecordSet) []string {
	var msgs []string
	seen := make(map[string]bool, len(rs.ResourceRecords))
	for _, r := range rs.ResourceRecords {
		if seen[r.Value] {
			msgs = append(msgs, fmt.Sprintf("Duplicate Resource Record: '%s'", r.Value))
			continue
		}
		seen[r.Value] = true
		if _, err := rdata(rs.Type, r.Value); err != nil {
			msgs = append(msgs, fmt.Sprintf("Invalid Resource Record: 'FATAL problem: %s encountered with '%s''", err, r.Value))
		}
	}
	if (rs.Type == "CNAME" || rs.Type == "SOA") && len(rs.ResourceRecords) > 1 {
		msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s has more than one value (%d)", rs.Type, rs.Name, len(rs.ResourceRecords)))
	}
	return msgs
}

// rdata parses a value of type typ and returns it in miekg/dns presentation form.
// Addresses, most values of most zones, take a fast path that gives the same text.
func rdata(typ, value string) (string, error) {
	if typ == "A" || typ == "AAAA" {
		if a, err := netip.ParseAddr(value); err == nil && a.Zone() == "" && (typ == "A" && a.Is4() || typ == "AAAA" && a.Is6() && !a.Is4In6()) {
			return a.String(), nil
		}
	}
	if strings.ContainsAny(value, "\n\r;") {
		return "", fmt.Errorf("InvalidCharacterString (a value is one line without comments)")
	}
	rr, err := dns.NewRR(". 0 IN " + typ + " " + value)
	if err != nil || rr == nil {
		return "", fmt.Errorf("%sRDATAInvalid (Value is not valid %s RDATA)", typ, typ)
	}
	if err := policy.CheckHexRdata(rr); err != nil {
		return "", fmt.Errorf("%sRDATAInvalid (%v)", typ, err)
	}
	s := strings.TrimPrefix(rr.String(), rr.Header().String())
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%sRDATAEmpty (Value is empty)", typ)
	}
	return s, nil
}

// cloneRecordSet copies a record set deeply enough that the copy can be changed.
func cloneRecordSet(rs *ResourceRecordSet) *ResourceRecordSet {
	c := *rs
	c.ResourceRecords = slices.Clone(rs.ResourceRecords)
	if rs.AliasTarget != nil {
		a := *rs.AliasTarget
		c.AliasTarget = &a
	}
	if rs.GeoLocation != nil {
		g := *rs.GeoLocation
		c.GeoLocation = &g
	}
	if rs.GeoProximityLocation != nil {
		g := *rs.GeoProximityLocation
		if g.Coordinates != nil {
			cc := *g.Coordinates
			g.Coordinates = &cc
		}
		c.GeoProximityLocation = &g
	}
	if rs.CidrRoutingConfig != nil {
		cc := *rs.CidrRoutingConfig
		c.CidrRoutingConfig = &cc
	}
	return &c
}

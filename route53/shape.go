package route53

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// violations collects breaches of the API model's constraints (lengths, ranges,
// enums) and words them as Route 53 does: "2 validation errors detected: Value '256'
// at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy
// constraint: Member must have value less than or equal to 255; …" (InvalidInput).
type violations []string

func (v *violations) add(value any, path, constraint string, args ...any) {
	*v = append(*v, fmt.Sprintf("Value '%v' at '%s' failed to satisfy constraint: %s", value, path, fmt.Sprintf(constraint, args...)))
}

func (v *violations) length(s, path string, lo, hi int) {
	switch {
	case len(s) < lo:
		v.add(s, path, "Member must have length greater than or equal to %d", lo)
	case hi > 0 && len(s) > hi:
		v.add(s, path, "Member must have length less than or equal to %d", hi)
	}
}

func (v *violations) rangeOf(n int64, path string, lo, hi int64) {
	switch {
	case n < lo:
		v.add(n, path, "Member must have value greater than or equal to %d", lo)
	case n > hi:
		v.add(n, path, "Member must have value less than or equal to %d", hi)
	}
}

func (v *violations) enum(s, path string, set []string) {
	for _, e := range set {
		if s == e {
			return
		}
	}
	v.add(s, path, "Member must satisfy enum value set: [%s]", strings.Join(set, ", "))
}

func (v violations) err() *apierr.Error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return apierr.InvalidInput("1 validation error detected: %s", v[0])
	}
	return apierr.InvalidInput("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

// Enumerations of the API model.
var (
	rrTypes = []string{"SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"}
	// servedTypes are the types the policy engine answers (SOA and NS at the apex
	// are the zone's own).
	servedTypes = map[string]bool{"SOA": true, "A": true, "AAAA": true, "CNAME": true, "MX": true, "TXT": true, "SRV": true,
		"CAA": true, "NS": true, "PTR": true, "SVCB": true, "HTTPS": true,
		"NAPTR": true, "SPF": true, "DS": true, "TLSA": true, "SSHFP": true}
	changeActions = []string{ActionCreate, ActionDelete, ActionUpsert}
	failovers     = []string{"PRIMARY", "SECONDARY"}
	continents    = []string{"AF", "AN", "AS", "EU", "OC", "NA", "SA"}
)

// checkShape checks one record set against the API model's member constraints;
// path is its place in the request ("changeBatch.changes.1.member.resourceRecordSet").
func checkShape(v *violations, rs *ResourceRecordSet, path string) {
	v.length(rs.Name, path+".name", 0, 1024)
	v.enum(rs.Type, path+".type", rrTypes)
	if rs.SetIdentifier != "" {
		v.length(rs.SetIdentifier, path+".setIdentifier", 1, 128)
	}
	if rs.Weight != nil {
		v.rangeOf(*rs.Weight, path+".weight", 0, 255)
	}
	if rs.Region != "" {
		v.enum(rs.Region, path+".region", latencyRegionNames())
	}
	if rs.Failover != "" {
		v.enum(rs.Failover, path+".failover", failovers)
	}
	if rs.TTL != nil {
		v.rangeOf(*rs.TTL, path+".tTL", 0, 2147483647)
	}
	if g := rs.GeoLocation; g != nil {
		if g.ContinentCode != "" {
			v.length(g.ContinentCode, path+".geoLocation.continentCode", 2, 2)
		}
		if g.CountryCode != "" {
			v.length(g.CountryCode, path+".geoLocation.countryCode", 1, 2)
		}
		if g.SubdivisionCode != "" {
			v.length(g.SubdivisionCode, path+".geoLocation.subdivisionCode", 1, 3)
		}
	}
	for i, r := range rs.ResourceRecords {
		v.length(r.Value, fmt.Sprintf("%s.resourceRecords.%d.member.value", path, i+1), 0, 4000)
	}
	if a := rs.AliasTarget; a != nil {
		v.length(a.HostedZoneId, path+".aliasTarget.hostedZoneId", 0, 32)
		v.length(a.DNSName, path+".aliasTarget.dNSName", 0, 1024)
	}
	v.length(rs.HealthCheckId, path+".healthCheckId", 0, 64)
	if c := rs.CidrRoutingConfig; c != nil {
		v.length(c.LocationName, path+".cidrRoutingConfig.locationName", 1, 16)
	}
	if g := rs.GeoProximityLocation; g != nil {
		if g.AWSRegion != "" {
			v.length(g.AWSRegion, path+".geoProximityLocation.aWSRegion", 1, 64)
		}
		if g.LocalZoneGroup != "" {
			v.length(g.LocalZoneGroup, path+".geoProximityLocation.localZoneGroup", 1, 64)
		}
		if g.Bias != nil {
			v.rangeOf(*g.Bias, path+".geoProximityLocation.bias", -99, 99)
		}
		if c := g.Coordinates; c != nil {
			v.length(c.Latitude, path+".geoProximityLocation.coordinates.latitude", 1, 6)
			v.length(c.Longitude, path+".geoProximityLocation.coordinates.longitude", 1, 7)
			checkDegrees(v, c.Latitude, path+".geoProximityLocation.coordinates.latitude", 90)
			checkDegrees(v, c.Longitude, path+".geoProximityLocation.coordinates.longitude", 180)
		}
	}
}

// checkDegrees checks a coordinate string: a decimal number within ±limit.
func checkDegrees(v *violations, s, path string, limit float64) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eEnNxX_") {
		v.add(s, path, "Member must satisfy regular expression pattern: [-+]?[0-9]{1,3}(\\.[0-9]{0,2})?")
		return
	}
	if f < -limit || f > limit {
		v.add(s, path, "Member must be between -%g and %g", limit, limit)
	}
}

package route53

import (
	"fmt"
	"strconv"

	"github.com/coretraffic/coretraffic/policy"
)

// place sets what a child is to its parent: weight, match, place or location.
func place(child *policy.Node, rs *ResourceRecordSet, parent *policy.Node, colls map[string]*policy.CIDRCollection) error {
	switch {
	case rs.Weight != nil:
		child.Weight = int(*rs.Weight)
	case rs.GeoLocation != nil:
		child.Geo = geoMatch(rs.GeoLocation)
	case rs.Region != "":
		p, ok := awsPlaceByName(rs.Region, false)
		if !ok {
			return fmt.Errorf("unknown Region %s", rs.Region)
		}
		child.Place = policy.Place{Region: p.Name, Lat: p.Lat, Lon: p.Lon}
	case rs.GeoProximityLocation != nil:
		return geoproximityPlace(child, rs.GeoProximityLocation)
	case rs.CidrRoutingConfig != nil:
		c := colls[rs.CidrRoutingConfig.CollectionId]
		if c == nil {
			return fmt.Errorf("unknown CIDR collection %s", rs.CidrRoutingConfig.CollectionId)
		}
		if parent.Collection != nil && parent.Collection != c {
			return fmt.Errorf("CIDR collection %s differs from %s", c.Name, parent.Collection.Name)
		}
		parent.Collection, child.Location = c, rs.CidrRoutingConfig.LocationName
	}
	return nil
}

// geoMatch is a GeoLocation as a policy match; subdivisions are country-prefixed.
func geoMatch(g *GeoLocation) policy.GeoMatch {
	switch {
	case g.ContinentCode != "":
		return policy.GeoMatch{Continent: g.ContinentCode}
	case g.CountryCode == "*":
		return policy.GeoMatch{Default: true}
	case g.SubdivisionCode != "":
		return policy.GeoMatch{Subdivision: g.CountryCode + "-" + g.SubdivisionCode}
	}
	return policy.GeoMatch{Country: g.CountryCode}
}

func geoproximityPlace(child *policy.Node, g *GeoProximityLocation) error {
	if g.Bias != nil {
		child.Place.Bias = int(*g.Bias)
	}
	switch {
	case g.AWSRegion != "" || g.LocalZoneGroup != "":
		name, local := g.AWSRegion, false
		if name == "" {
			name, local = g.LocalZoneGroup, true
		}
		p, ok := awsPlaceByName(name, local)
		if !ok {
			return fmt.Errorf("unknown AWS place %s", name)
		}
		child.Place.Region, child.Place.Lat, child.Place.Lon = p.Name, p.Lat, p.Lon
	case g.Coordinates != nil:
		lat, err1 := strconv.ParseFloat(g.Coordinates.Latitude, 64)
		lon, err2 := strconv.ParseFloat(g.Coordinates.Longitude, 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return fmt.Errorf("coordinates %s, %s are not valid", g.Coordinates.Latitude, g.Coordinates.Longitude)
		}
		child.Place.Lat, child.Place.Lon = lat, lon
	default:
		return fmt.Errorf("a GeoProximityLocation without a place")
	}
	return nil
}

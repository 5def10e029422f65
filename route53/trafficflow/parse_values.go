package trafficflow

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// healthCheckID is what a HealthCheck may hold: Route 53's IDs are UUIDs; ours are
// letters, digits and "-" too. "&" joins IDs in a leaf's Check (see Resolver).
var healthCheckID = regexp.MustCompile(`^[A-Za-z0-9\-]{1,64}$`)

// regionPrefix starts a geoproximity Region of format 2015-10-01 and a Region or
// LocalZone LocationName of 2023-05-09.
const regionPrefix = "aws:route53:"

// str reads a string.
func (p *parser) str(v *jval) (string, bool) {
	if v.kind != jString {
		p.fail(v.path, "must be a string, not %s", jkindNames[v.kind])
		return "", false
	}
	return v.text, true
}

// boolean reads true or false, written as a JSON boolean or as the string "true" or
// "false" (the format's own examples quote them), in any case.
func (p *parser) boolean(v *jval) (bool, bool) {
	switch {
	case v.kind == jBool:
		return v.b, true
	case v.kind == jString && strings.EqualFold(v.text, "true"):
		return true, true
	case v.kind == jString && strings.EqualFold(v.text, "false"):
		return false, true
	}
	p.fail(v.path, "must be true or false, not %s", show(v))
	return false, false
}

// integer reads an integer lo..hi, written as a JSON number or a string ("10").
func (p *parser) integer(v *jval, lo, hi int) (int, bool) {
	if v.kind == jNumber || v.kind == jString {
		n, err := strconv.Atoi(strings.TrimSpace(v.text))
		if err == nil && n >= lo && n <= hi {
			return n, true
		}
	}
	p.fail(v.path, "must be an integer %d..%d, not %s", lo, hi, show(v))
	return 0, false
}

// degrees reads a latitude or longitude within ±limit, a JSON number or a string,
// with at most two decimals: Route 53 refuses more precision.
func (p *parser) degrees(v *jval, limit float64) (float64, bool) {
	if v.kind == jNumber || v.kind == jString {
		s := strings.TrimSpace(v.text)
		f, err := strconv.ParseFloat(s, 64)
		dot := strings.IndexByte(s, '.')
		switch {
		case err != nil || math.IsNaN(f) || strings.ContainsAny(s, "eExXpP_") || strings.HasPrefix(s, "+"):
		case f < -limit || f > limit:
			p.fail(v.path, "must be −%g..%g degrees, not %s", limit, limit, s)
			return 0, false
		case dot >= 0 && len(s)-dot-1 > 2:
			p.fail(v.path, "%s has more than two decimals, which Route 53 refuses", s)
			return 0, false
		default:
			return f, true
		}
	}
	p.fail(v.path, "must be a number of degrees, not %s", show(v))
	return 0, false
}

// show is a value as it reads in a problem.
func show(v *jval) string {
	switch v.kind {
	case jString:
		return strconv.Quote(v.text)
	case jNumber:
		return v.text
	}
	return jkindNames[v.kind]
}

// geoproximity reads where a geoproximity location is, and its bias. Format
// 2015-10-01 writes Region ("aws:route53:us-east-1") or Latitude and Longitude;
// 2023-05-09 writes a Location object of Type Region, LocalZone or Coordinate.
func (p *parser) geoproximity(v *jval, ref *Ref) {
	if b := v.field("Bias"); b != nil {
		ref.Bias, _ = p.integer(b, -99, 99)
	}
	loc, reg, lat, lon := v.field("Location"), v.field("Region"), v.field("Latitude"), v.field("Longitude")
	if p.version == Version20230509 {
		for _, old := range []*jval{reg, lat, lon} {
			if old != nil {
				p.fail(old.path, "format %s writes a Location object instead", Version20230509)
			}
		}
		if loc = p.required(v, "Location"); loc != nil {
			p.location(loc, ref)
		}
		return
	}
	if loc != nil {
		p.fail(loc.path, "Location is format %s; %s writes Region or Latitude and Longitude", Version20230509, p.version)
	}
	switch {
	case reg != nil && (lat != nil || lon != nil):
		p.fail(reg.path, "a location has Region or Latitude and Longitude, not both")
	case reg != nil:
		if s, ok := p.str(reg); ok {
			p.regionPlace(reg.path, s, ref)
		}
	case lat == nil && lon == nil:
		p.fail(v.path, "missing Region or Latitude and Longitude")
	default:
		p.coordinates(v, lat, lon, ref)
	}
}

func (p *parser) coordinates(v, lat, lon *jval, ref *Ref) {
	if lat == nil {
		p.fail(joinPath(v.path, "Latitude"), "missing (Longitude needs it)")
	} else {
		ref.Lat, _ = p.degrees(lat, 90)
	}
	if lon == nil {
		p.fail(joinPath(v.path, "Longitude"), "missing (Latitude needs it)")
	} else {
		ref.Lon, _ = p.degrees(lon, 180)
	}
}

// location reads a 2023-05-09 Location.
func (p *parser) location(v *jval, ref *Ref) {
	if !p.object(v, "a location", "Type", "LocationName", "Latitude", "Longitude") {
		return
	}
	t := p.required(v, "Type")
	if t == nil {
		return
	}
	typ, _ := p.str(t)
	name := v.field("LocationName")
	switch typ {
	case "Region", "LocalZone":
		if name = p.required(v, "LocationName"); name == nil {
			return
		}
		s, ok := p.str(name)
		if !ok {
			return
		}
		if typ == "LocalZone" {
			p.fail(name.path, "Local Zone %q: coretraffic has no coordinates for AWS Local Zones (write a Coordinate location)", s)
			return
		}
		p.regionPlace(name.path, s, ref)
	case "Coordinate":
		if name != nil {
			p.fail(name.path, "a Coordinate location has Latitude and Longitude, not LocationName")
		}
		p.coordinates(v, v.field("Latitude"), v.field("Longitude"), ref)
	default:
		if t.kind == jString {
			p.fail(t.path, "unknown location type %q (Region, LocalZone, Coordinate)", typ)
		}
	}
}

// regionPlace resolves "aws:route53:<region>" into the region's coordinates.
func (p *parser) regionPlace(path, s string, ref *Ref) {
	code, ok := strings.CutPrefix(s, regionPrefix)
	if !ok {
		p.fail(path, "%q: write an AWS region as %s<region>, e.g. %sus-east-1", s, regionPrefix, regionPrefix)
		return
	}
	r, ok := RegionByCode(code)
	if !ok {
		p.fail(path, "unknown AWS region %q", code)
		return
	}
	ref.Region, ref.Lat, ref.Lon = code, r.Lat, r.Lon
}

package policy

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var regionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// regionSection reads regions:, a mapping of region name to {lat, lon}.
func (p *parser) regionSection(n *yaml.Node) ([]*Region, error) {
	es, err := p.mapping(n, "regions", "must be a mapping of region name to {lat: …, lon: …}")
	if err != nil {
		return nil, err
	}
	p.regions = make(map[string]*Region, len(es))
	var rs []*Region
	for _, e := range es {
		path := join("regions", e.key)
		if !regionName.MatchString(e.key) {
			return nil, p.errf(e.k.Line, path, "a region name is letters, digits, \"-\", \"_\" and \".\", not %q", e.key)
		}
		r := &Region{Pos: Pos{File: p.file, Line: e.k.Line}, Name: e.key}
		fields, err := p.mapping(e.v, path, "must be a mapping with lat: and lon:")
		if err != nil {
			return nil, err
		}
		var has [2]bool
		for _, f := range fields {
			fp := join(path, f.key)
			switch f.key {
			case "lat":
				r.Lat, err = p.degrees(f.v, fp, 90)
				has[0] = true
			case "lon":
				r.Lon, err = p.degrees(f.v, fp, 180)
				has[1] = true
			default:
				err = p.errf(f.k.Line, fp, "unknown key (want %s)", strings.Join(regionKeys, ", "))
			}
			if err != nil {
				return nil, err
			}
		}
		if !has[0] || !has[1] {
			return nil, p.errf(e.k.Line, path, "a region needs lat: and lon:")
		}
		p.regions[r.Name] = r
		rs = append(rs, r)
	}
	return rs, nil
}

// degrees is a number of degrees in −limit..limit.
func (p *parser) degrees(n *yaml.Node, path string, limit float64) (float64, error) {
	s, err := p.scalar(n, path, "a number of degrees")
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < -limit || v > limit || n.Tag != "!!int" && n.Tag != "!!float" {
		return 0, p.errf(n.Line, path, "must be a number of degrees −%g..%g, not %q", limit, limit, s)
	}
	return v, nil
}

// region resolves a region name of a node.
func (p *parser) region(n *yaml.Node, path string) (*Region, error) {
	name, err := p.text(n, path, "a region name")
	if err != nil {
		return nil, err
	}
	return p.regionByName(name, n.Line, path)
}

func (p *parser) regionNames() []string {
	names := make([]string, 0, len(p.regions))
	for n := range p.regions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// checkPlace checks the place keys of a child of geoproximity: a region, or lat and
// lon.
func (p *parser) checkPlace(nd *Node, es []pair, path string) error {
	has := func(key string) bool { return slices.ContainsFunc(es, func(e pair) bool { return e.key == key }) }
	switch {
	case has("region") && (has("lat") || has("lon")):
		return p.errf(nd.Pos.Line, path, "a child of geoproximity has region: or lat: and lon:, not both")
	case has("region"), has("lat") && has("lon"):
		return nil
	}
	return p.errf(nd.Pos.Line, path, "a child of geoproximity needs a place: region: or lat: and lon:")
}

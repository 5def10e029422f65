package policy

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// zones reads the value of zones:, a mapping of origin to zone.
func (p *parser) zones(n *yaml.Node) ([]*Zone, error) {
	es, err := p.mapping(n, "zones", "must be a mapping of zone origin to zone")
	if err != nil {
		return nil, err
	}
	var zs []*Zone
	seen := map[string]*Zone{}
	for _, e := range es {
		path := join("zones", e.key)
		origin, err := zoneOrigin(e.key)
		if err != nil {
			return nil, p.errf(e.k.Line, path, "%v", err)
		}
		if prev, dup := seen[origin]; dup {
			return nil, p.errf(e.k.Line, path, "zone %s defined twice (first at line %d)", origin, prev.Pos.Line)
		}
		z, err := p.zone(origin, path, e)
		if err != nil {
			return nil, err
		}
		seen[origin] = z
		zs = append(zs, z)
	}
	return zs, nil
}

// zone reads one zone: ttl, soa and records.
func (p *parser) zone(origin, path string, ze pair) (*Zone, error) {
	z := &Zone{Pos: Pos{File: p.file, Line: ze.k.Line}, Origin: origin, TTL: DefaultTTL}
	p.origin = origin
	es, err := p.mapping(ze.v, path, "must be a mapping with ttl:, soa: and records:")
	if err != nil {
		return nil, err
	}
	var records *yaml.Node
	for _, e := range es {
		fp := join(path, e.key)
		switch e.key {
		case "ttl":
			if z.TTL, err = p.ttl(e.v, fp); err != nil {
				return nil, err
			}
		case "soa":
			if z.SOA, err = p.soa(e, fp, origin); err != nil {
				return nil, err
			}
		case "records":
			records = e.v
		default:
			return nil, p.errf(e.k.Line, fp, "unknown key (want %s)", strings.Join(zoneKeys, ", "))
		}
	}
	if records != nil {
		if z.Records, err = p.records(z, records, join(path, "records")); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// soa reads the soa: mapping; fields left out get their defaults.
func (p *parser) soa(se pair, path, origin string) (*SOA, error) {
	s := &SOA{Pos: Pos{File: p.file, Line: se.k.Line}, MName: "ns1." + origin, RName: "hostmaster." + origin,
		Refresh: 7200, Retry: 3600, Expire: 1209600, Minimum: DefaultNegativeTTL}
	es, err := p.mapping(se.v, path, "must be a mapping of SOA fields")
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		fp := join(path, e.key)
		switch e.key {
		case "mname", "rname":
			name, err := p.domainName(e.v, fp)
			if err != nil {
				return nil, err
			}
			if e.key == "mname" {
				s.MName = name
			} else {
				s.RName = name
			}
		case "serial":
			if s.Serial, err = p.uint32(e.v, fp); err != nil {
				return nil, err
			}
		case "refresh", "retry", "expire", "minimum":
			v, err := p.ttl(e.v, fp)
			if err != nil {
				return nil, err
			}
			*soaField(s, e.key) = v
		default:
			return nil, p.errf(e.k.Line, fp, "unknown key (want %s)", strings.Join(soaKeys, ", "))
		}
	}
	return s, nil
}

// records reads records:, a mapping of owner name to a mapping of type to node.
func (p *parser) records(z *Zone, n *yaml.Node, path string) ([]*RecordSet, error) {
	owners, err := p.mapping(n, path, "must be a mapping of owner name to record sets")
	if err != nil {
		return nil, err
	}
	var sets []*RecordSet
	byName := map[string][]*RecordSet{}
	for _, o := range owners {
		opath := join(path, o.key)
		name, err := OwnerName(o.key, z.Origin)
		if err != nil {
			return nil, p.errf(o.k.Line, opath, "%v", err)
		}
		types, err := p.mapping(o.v, opath, "must be a mapping of record type (A, AAAA, …) to a node")
		if err != nil {
			return nil, err
		}
		for _, t := range types {
			rs, err := p.recordSet(z, name, t, join(opath, t.key))
			if err != nil {
				return nil, err
			}
			if err := p.coexist(rs, byName[name], join(opath, t.key)); err != nil {
				return nil, err
			}
			byName[name] = append(byName[name], rs)
			sets = append(sets, rs)
		}
	}
	return sets, nil
}

// coexist checks rs against the record sets already read for its owner name.
func (p *parser) coexist(rs *RecordSet, same []*RecordSet, path string) error {
	typ := typeName(rs.Type)
	if i := slices.IndexFunc(same, func(o *RecordSet) bool { return o.Type == rs.Type }); i >= 0 {
		return p.errf(rs.Pos.Line, path, "record set %s %s defined twice (first at line %d)", rs.Name, typ, same[i].Pos.Line)
	}
	if len(same) > 0 && (rs.Type == cnameType || same[0].Type == cnameType) {
		return p.errf(rs.Pos.Line, path, "a CNAME owner holds no other type: %s has %s (line %d) and %s (RFC 1034 §3.6.2)",
			rs.Name, typeName(same[0].Type), same[0].Pos.Line, typ)
	}
	return nil
}

func soaField(s *SOA, key string) *uint32 {
	switch key {
	case "refresh":
		return &s.Refresh
	case "retry":
		return &s.Retry
	case "expire":
		return &s.Expire
	}
	return &s.Minimum
}

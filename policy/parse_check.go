package policy

import (
	"slices"
	"strings"
)

// checkNode checks what needs every key of a node read: required keys, geolocation
// match combinations and CNAME's single answer.
func (p *parser) checkNode(c nodeCtx, nd *Node, es []pair, re pair, path string) error {
	has := func(key string) bool { return slices.ContainsFunc(es, func(e pair) bool { return e.key == key }) }
	if !c.top && c.parent == RuleWeighted && !has("weight") {
		return p.errf(nd.Pos.Line, path, "missing weight: (0..%d) on a child of weighted", MaxWeight)
	}
	if i := slices.IndexFunc(es, func(e pair) bool { return e.key == "sticky_prefix" }); i >= 0 && !nd.Sticky {
		return p.errf(es[i].k.Line, join(path, "sticky_prefix"), "sticky_prefix without sticky: true")
	}
	if !c.top && c.parent == RuleGeolocation {
		if err := p.checkMatch(nd, path); err != nil {
			return err
		}
	}
	if !c.top && c.parent == RuleGeoproximity {
		if err := p.checkPlace(nd, es, path); err != nil {
			return err
		}
	}
	if !c.top && c.parent == RuleLatency && nd.Place.Region == "" {
		return p.errf(nd.Pos.Line, path, "a child of latency needs region: (where its endpoints are, a column of the latency: table)")
	}
	if i := slices.IndexFunc(es, func(e pair) bool { return e.key == "source" }); i >= 0 && nd.Source == SourceTable && nd.Table == nil {
		return p.errf(es[i].k.Line, join(path, "source"), "source: table, but the file has no latency: section")
	}
	if nd.Rule == RuleLatency && nd.Source == SourceTable && nd.Table != nil {
		if err := p.checkColumns(nd, join(path, re.key)); err != nil {
			return err
		}
	}
	if nd.Rule == RuleIP {
		if err := p.checkLocations(nd, path, re); err != nil {
			return err
		}
	}
	if !c.top && c.parent == RuleIP && nd.Location == "" {
		return p.errf(nd.Pos.Line, path, "a child of ip needs location: (a location of the collection, or \"*\" for the default)")
	}
	if c.rs.Type == cnameType && len(nd.Children) > 1 &&
		(nd.Rule == RuleSimple || nd.Rule == RuleMultivalue && nd.Max > 1) {
		return p.errf(re.k.Line, join(path, re.key), "a CNAME record set answers one value, this %s has %d", re.key, len(nd.Children))
	}
	return nil
}

// checkMatch checks the match keys of a child of geolocation.
func (p *parser) checkMatch(nd *Node, path string) error {
	g := nd.Geo
	n := 0
	for _, set := range []bool{g.Continent != "", g.Country != "", g.Subdivision != "", g.City != "", g.Default} {
		if set {
			n++
		}
	}
	switch {
	case n == 0:
		return p.errf(nd.Pos.Line, path, "a child of geolocation needs a match: continent, country, subdivision, city or default: true")
	case n == 1, n == 2 && g.City != "" && g.Country != "":
		return nil
	}
	return p.errf(nd.Pos.Line, path, "one match per child: continent, country, subdivision, city (with an optional country) or default: true")
}

// distinctMatches checks that no two children of a geolocation node match the same
// clients.
func (p *parser) distinctMatches(nd *Node, rpath string) error {
	seen := make(map[GeoMatch]int, len(nd.Children))
	for i, ch := range nd.Children {
		key := ch.Geo
		key.City = strings.ToLower(key.City)
		if j, dup := seen[key]; dup {
			return p.errf(ch.Pos.Line, index(rpath, i), "same match as %s (line %d)", index(rpath, j), nd.Children[j].Pos.Line)
		}
		seen[key] = i
	}
	return nil
}

// checkColumns checks that every child of a latency node with source: table has a
// column in the latency: table: otherwise it could never be chosen by latency.
func (p *parser) checkColumns(nd *Node, rpath string) error {
	for i, ch := range nd.Children {
		if !slices.ContainsFunc(nd.Table.Rows, func(r LatencyRow) bool { _, ok := r.MS[ch.Place.Region]; return ok }) {
			return p.errf(ch.Pos.Line, join(index(rpath, i), "region"), "source: table, but no row of the latency: table (line %d) has a column %s",
				nd.Table.Pos.Line, ch.Place.Region)
		}
	}
	return nil
}

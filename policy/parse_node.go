package policy

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// nodeCtx is what a node's parse knows about where the node is.
type nodeCtx struct {
	rs      *RecordSet
	top     bool // the record set's own node
	parent  Rule // the parent's rule, when not top
	depth   int
	aliased bool // reached through a YAML alias
}

// recordSet reads one type: node pair of an owner.
func (p *parser) recordSet(z *Zone, name string, t pair, path string) (*RecordSet, error) {
	typ, ok := recordTypes[strings.ToUpper(t.key)]
	if !ok {
		return nil, p.errf(t.k.Line, path, "unknown record type %q (want %s)", t.key, strings.Join(recordTypeNames, " "))
	}
	rs := &RecordSet{Pos: Pos{File: p.file, Line: t.k.Line}, Name: name, Type: typ, TTL: z.TTL}
	if typ == cnameType && name == z.Origin {
		return nil, p.errf(t.k.Line, path, "a CNAME cannot be at the zone origin, which holds the SOA and NS records")
	}
	root, err := p.node(nodeCtx{rs: rs, top: true, aliased: t.alias}, t.v, path)
	if err != nil {
		return nil, err
	}
	rs.Root = root
	return rs, nil
}

// node reads one node of a policy tree.
func (p *parser) node(c nodeCtx, n *yaml.Node, path string) (*Node, error) {
	if c.depth > maxDepth {
		return nil, p.errf(n.Line, path, "rules nested deeper than %d levels", maxDepth)
	}
	if c.aliased {
		if p.aliased++; p.aliased > maxAliasedNodes {
			return nil, p.errf(n.Line, path, "more than %d nodes built from YAML aliases", maxAliasedNodes)
		}
	}
	es, err := p.mapping(n, path, wantNode)
	if err != nil {
		return nil, err
	}
	rk, re, err := p.ruleKey(es, n, path)
	if err != nil {
		return nil, err
	}
	nd := &Node{Pos: Pos{File: p.file, Line: n.Line}, Rule: rk.rule}
	for _, e := range es {
		if err := p.placed(c, rk, e, path); err != nil {
			return nil, err
		}
	}
	switch nd.Rule {
	case RuleMultivalue:
		nd.Max = DefaultMultivalueMax
	case RuleWeighted:
		nd.StickyBits4, nd.StickyBits6 = DefaultStickyBits4, DefaultStickyBits6
	case RuleLatency:
		nd.Table = p.latency
	}
	if err := p.ruleValue(c, nd, re, path); err != nil {
		return nil, err
	}
	for _, e := range es {
		if err := p.attr(c, nd, e, join(path, e.key)); err != nil {
			return nil, err
		}
	}
	if err := p.checkNode(c, nd, es, re, path); err != nil {
		return nil, err
	}
	return nd, nil
}

// ruleKey finds the one rule key of a node, rejecting unknown keys.
func (p *parser) ruleKey(es []pair, n *yaml.Node, path string) (*nodeKey, pair, error) {
	var rk *nodeKey
	var re pair
	for _, e := range es {
		k, ok := nodeKeyByName[e.key]
		if !ok {
			return nil, re, p.errf(e.k.Line, join(path, e.key), "unknown key (a node has %s)", strings.Join(nodeKeyNames(), ", "))
		}
		if k.scope != isRuleKey {
			continue
		}
		if rk != nil {
			return nil, re, p.errf(e.k.Line, join(path, e.key), "a node has exactly one rule key, this one also has %s (line %d)", re.key, re.k.Line)
		}
		rk, re = k, e
	}
	if rk == nil {
		return nil, re, p.errf(n.Line, path, "no rule key: want one of %s", ruleKeyList)
	}
	return rk, re, nil
}

// placed checks that key e may appear on a node with rule key rk at c.
func (p *parser) placed(c nodeCtx, rk *nodeKey, e pair, path string) error {
	k := nodeKeyByName[e.key]
	if !allowed(k.scope, c, rk) {
		return p.errf(e.k.Line, join(path, e.key), "%s", where[k.scope])
	}
	return nil
}

// allowed says whether a key of scope s may appear on a node with rule key rk at c.
// The parser and the JSON Schema's generator both ask it.
func allowed(s keyScope, c nodeCtx, rk *nodeKey) bool {
	switch s {
	case onLeaf:
		return rk.name == "value"
	case onInnerNode:
		return rk.name != "value" && rk.name != "alias"
	case onAlias:
		return rk.rule == RuleAlias
	case onMultivalue:
		return rk.rule == RuleMultivalue
	case onWeighted:
		return rk.rule == RuleWeighted
	case underWeighted:
		return !c.top && c.parent == RuleWeighted
	case underGeolocation:
		return !c.top && c.parent == RuleGeolocation
	case underGeoproximity:
		return !c.top && c.parent == RuleGeoproximity
	case underPlaced:
		return !c.top && (c.parent == RuleGeoproximity || c.parent == RuleLatency)
	case onLatency:
		return rk.rule == RuleLatency
	case onIP:
		return rk.rule == RuleIP
	case underIP:
		return !c.top && c.parent == RuleIP
	case onRecordSet:
		return c.top
	}
	return true
}

// ruleValue reads the value of the rule key: a leaf's RDATA, the values: list or
// the list of children.
func (p *parser) ruleValue(c nodeCtx, nd *Node, re pair, path string) error {
	rpath := join(path, re.key)
	switch re.key {
	case "value":
		v, err := p.text(re.v, rpath, "RDATA (use values: for a list)")
		if err != nil {
			return err
		}
		if err := p.checkRdata(c.rs, v); err != nil {
			return p.errf(re.v.Line, rpath, "%v", err)
		}
		nd.Value = v
		return nil
	case "values":
		return p.values(c, nd, re, rpath)
	case "kubernetes":
		return p.kube(c, nd, re, rpath)
	case "alias":
		v, err := p.text(re.v, rpath, "the owner name of a record set of this zone")
		if err != nil {
			return err
		}
		if nd.Alias, err = OwnerName(v, p.origin); err != nil {
			return p.errf(re.v.Line, rpath, "%v", err)
		}
		return nil
	}
	if re.v.Kind != yaml.SequenceNode || len(re.v.Content) == 0 {
		return p.errf(re.v.Line, rpath, "want a non-empty list of nodes")
	}
	if len(re.v.Content) > MaxChildren {
		return p.errf(re.v.Line, rpath, "%d children, at most %d", len(re.v.Content), MaxChildren)
	}
	for i, item := range re.v.Content {
		cc := nodeCtx{rs: c.rs, parent: nd.Rule, depth: c.depth + 1, aliased: c.aliased || item.Kind == yaml.AliasNode}
		child, err := p.node(cc, deref(item), index(rpath, i))
		if err != nil {
			return err
		}
		nd.Children = append(nd.Children, child)
	}
	if nd.Rule == RuleGeolocation {
		return p.distinctMatches(nd, rpath)
	}
	return nil
}

// values reads values: [RDATA, …] into leaf children.
func (p *parser) values(c nodeCtx, nd *Node, re pair, rpath string) error {
	if re.v.Kind != yaml.SequenceNode || len(re.v.Content) == 0 {
		return p.errf(re.v.Line, rpath, "want a non-empty list of RDATA strings (use value: for one)")
	}
	if len(re.v.Content) > MaxChildren {
		return p.errf(re.v.Line, rpath, "%d values, at most %d", len(re.v.Content), MaxChildren)
	}
	for i, item := range re.v.Content {
		item = deref(item)
		ipath := index(rpath, i)
		v, err := p.text(item, ipath, "RDATA")
		if err != nil {
			return err
		}
		if err := p.checkRdata(c.rs, v); err != nil {
			return p.errf(item.Line, ipath, "%v", err)
		}
		nd.Children = append(nd.Children, &Node{Pos: Pos{File: p.file, Line: item.Line}, Rule: RuleLeaf, Value: v, Listed: true})
	}
	return nil
}

// attr reads a key other than the rule key.
func (p *parser) attr(c nodeCtx, nd *Node, e pair, fp string) error {
	var err error
	var v int64
	switch e.key {
	case "name":
		nd.Name, err = p.text(e.v, fp, "a name")
	case "check":
		nd.Check, err = p.text(e.v, fp, "a health check name")
	case "all_down":
		nd.AllDown, nd.Fallback, err = p.allDown(c, e.v, fp)
	case "max":
		v, err = p.integer(e.v, fp, 1, MaxMultivalueMax)
		nd.Max = int(v)
	case "weight":
		v, err = p.integer(e.v, fp, 0, MaxWeight)
		nd.Weight = int(v)
	case "continent", "country", "subdivision", "city":
		err = p.geoField(&nd.Geo, e, fp)
	case "default":
		var b bool
		if b, err = p.boolean(e.v, fp); err == nil && !b {
			err = p.errf(e.v.Line, fp, "default: false is not allowed, leave default out")
		}
		nd.Geo.Default = b
	case "ttl":
		c.rs.TTL, err = p.ttl(e.v, fp)
	case "region":
		var r *Region
		if r, err = p.region(e.v, fp); err == nil {
			nd.Place.Region, nd.Place.Lat, nd.Place.Lon = r.Name, r.Lat, r.Lon
		}
	case "lat":
		nd.Place.Lat, err = p.degrees(e.v, fp, 90)
	case "lon":
		nd.Place.Lon, err = p.degrees(e.v, fp, 180)
	case "bias":
		v, err = p.integer(e.v, fp, -MaxBias, MaxBias)
		nd.Place.Bias = int(v)
	case "source":
		nd.Source, err = p.latencySource(e.v, fp)
	case "hysteresis":
		nd.Hysteresis, err = p.hysteresis(e.v, fp)
	case "evaluate_target_health":
		nd.EvaluateTargetHealth, err = p.boolean(e.v, fp)
	case "collection":
		nd.Collection, err = p.collection(e.v, fp)
	case "location":
		nd.Location, err = p.text(e.v, fp, "a location name or \"*\"")
	case "sticky":
		nd.Sticky, err = p.boolean(e.v, fp)
	case "sticky_prefix":
		nd.StickyBits4, nd.StickyBits6, err = p.stickyPrefix(e.v, fp)
	}
	return err
}

// stickyPrefix reads sticky_prefix: "V4/V6", the leading bits of an IPv4 and of an
// IPv6 client address that sticky hashing uses.
func (p *parser) stickyPrefix(n *yaml.Node, path string) (int, int, error) {
	const want = "IPv4/IPv6 prefix lengths like 24/56"
	s, err := p.scalar(n, path, want)
	if err != nil {
		return 0, 0, err
	}
	a, b, ok := strings.Cut(s, "/")
	v4, err4 := strconv.Atoi(strings.TrimSpace(a))
	v6, err6 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err4 != nil || err6 != nil || v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128 {
		return 0, 0, p.errf(n.Line, path, "want %s (0..32/0..128), not %q", want, s)
	}
	return v4, v6, nil
}

// allDown reads all_down: a name or {value: RDATA}.
func (p *parser) allDown(c nodeCtx, n *yaml.Node, path string) (AllDown, string, error) {
	const want = "open, nodata, servfail, refused, nxdomain or {value: RDATA}"
	if n.Kind == yaml.MappingNode {
		es, err := p.mapping(n, path, "")
		if err != nil {
			return 0, "", err
		}
		for _, e := range es {
			if e.key != "value" {
				return 0, "", p.errf(e.k.Line, join(path, e.key), "unknown key (all_down's mapping is {value: RDATA})")
			}
		}
		if len(es) != 1 {
			return 0, "", p.errf(n.Line, path, "want %s", want)
		}
		vpath := join(path, "value")
		v, err := p.text(es[0].v, vpath, "RDATA")
		if err != nil {
			return 0, "", err
		}
		if err := p.checkRdata(c.rs, v); err != nil {
			return 0, "", p.errf(es[0].v.Line, vpath, "%v", err)
		}
		return AllDownValue, v, nil
	}
	s, err := p.scalar(n, path, want)
	if err != nil {
		return 0, "", err
	}
	a, ok := allDownNames[strings.ToLower(s)]
	if !ok {
		return 0, "", p.errf(n.Line, path, "want %s, not %q", want, s)
	}
	return a, "", nil
}

var subdivisionCode = regexp.MustCompile(`^[A-Z]{2}-[A-Z0-9]{1,3}$`)

// geoField reads a match key of a geolocation child; codes are upper-cased and
// checked against the standards (geocodes.go), with a guess at what a typo meant.
func (p *parser) geoField(g *GeoMatch, e pair, fp string) error {
	s, err := p.text(e.v, fp, e.key+" code")
	if err != nil {
		return err
	}
	up := strings.ToUpper(strings.TrimSpace(s))
	switch e.key {
	case "continent":
		if err := CheckContinent(up); err != nil {
			return p.errf(e.v.Line, fp, "%v", err)
		}
		g.Continent = up
	case "country":
		if err := CheckCountry(up); err != nil {
			return p.errf(e.v.Line, fp, "%v", err)
		}
		g.Country = up
	case "subdivision":
		if !subdivisionCode.MatchString(up) {
			return p.errf(e.v.Line, fp, "want an ISO 3166-2 code with its country like US-VA, not %q", s)
		}
		if err := CheckSubdivision(up); err != nil {
			return p.errf(e.v.Line, fp, "%v", err)
		}
		g.Subdivision = up
	case "city":
		g.City = s
	}
	return nil
}

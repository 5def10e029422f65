package policy

import (
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// CheckResolver finds the health check a leaf names; false if there is none.
type CheckResolver func(name string) (HealthSource, bool)

// compileTree turns one record set's Node tree into a Tree. Check names are resolved
// now, so a dangling reference is an error at load, not at query time.
func compileTree(rs *RecordSet, ttl uint32, resolve CheckResolver) (*Tree, error) {
	return compileTreeIn("", rs, ttl, resolve, nil)
}

// maxTreeNodes bounds one compiled tree, as maxAliasedNodes bounds what YAML aliases
// build: record sets that alias each other twice over would otherwise grow as 2^n.
const maxTreeNodes = maxAliasedNodes

// MaxTreeNodes is how many nodes one record set's tree may hold once its aliases
// are inlined: a control plane refuses data past it rather than have a compile
// refuse it.
const MaxTreeNodes = maxTreeNodes

// setLookup finds a record set of the zone by owner and type, for alias; nil if none.
type setLookup func(name string, t uint16) *RecordSet

// compileTreeIn is compileTree with the zone (origin) and its record sets at hand:
// an alias node inlines its target's tree, which answers under this set's owner and
// TTL.
func compileTreeIn(origin string, rs *RecordSet, ttl uint32, resolve CheckResolver, lookup setLookup) (*Tree, error) {
	c := treeCompiler{origin: origin, rs: rs, ttl: ttl, resolve: resolve, lookup: lookup, visiting: []*RecordSet{rs}, t: &Tree{}}
	root, err := c.node(rs.Root, rs.Name+"/"+dns.TypeToString[rs.Type])
	if err != nil {
		return nil, err
	}
	c.t.root = root
	c.t.maxOut = c.maxOut(root)
	if c.t.maxOut == 0 {
		c.t.maxOut = 1
	}
	return c.t, nil
}

type treeCompiler struct {
	origin  string // the zone, for field paths; "" when compiled alone
	rs      *RecordSet
	ttl     uint32
	resolve CheckResolver
	t       *Tree

	lookup   setLookup
	visiting []*RecordSet // the alias chain being inlined, this set first: a repeat is a cycle
}

// node compiles n. path is its tree path (rs/TYPE/0/1: the default label of
// metrics and explain); errors name the field path of the same node (fieldPath).
func (c *treeCompiler) node(n *Node, path string) (int32, error) {
	if n == nil {
		return 0, &ParseError{File: c.rs.Pos.File, Line: c.rs.Pos.Line, Path: c.fieldPath(path), Msg: "empty node"}
	}
	label := n.Name
	if label == "" {
		label = path
	}
	cn := cnode{rule: n.Rule, allDown: n.AllDown, label: label, weight: uint32(n.Weight),
		geo: n.Geo, geoLevel: geoLevelOf(n.Geo), max: int32(n.Max), endpoint: -1}
	if n.Rule == RuleMultivalue && cn.max <= 0 {
		cn.max = DefaultMultivalueMax
	}
	if n.Rule == RuleGeolocation || n.Rule == RuleGeoproximity {
		c.t.usesGeo = true
	}
	if n.Rule == RuleWeighted && n.Sticky {
		cn.sticky, cn.bits4, cn.bits6 = true, uint8(n.StickyBits4), uint8(n.StickyBits6)
		c.t.usesClient = true
	}
	if len(n.Children) > MaxChildren {
		return 0, posErr(n.Pos, c.fieldPath(path), "%d children, at most %d", len(n.Children), MaxChildren)
	}
	var err error
	if n.Rule == RuleLeaf {
		if cn.endpoint, err = c.endpoint(n.Value, label, n.Pos, path); err != nil {
			return 0, err
		}
		if n.Check != "" {
			h, ok := c.resolve(n.Check)
			if !ok {
				return 0, posErr(n.Pos, join(c.fieldPath(path), "check"), "no health check named %q", n.Check)
			}
			cn.health, cn.check = h, n.Check
		}
	}
	if n.AllDown == AllDownValue {
		if cn.endpoint, err = c.endpoint(n.Fallback, label+"/all_down", n.Pos, path+"/all_down"); err != nil {
			return 0, err
		}
	}
	if n.Rule == RuleLatency {
		if cn.param, err = c.latency(n, path); err != nil {
			return 0, err
		}
	}
	children := n.Children
	if n.Rule == RuleAlias {
		target, err := c.aliasTarget(n, path)
		if err != nil {
			return 0, err
		}
		c.visiting = append(c.visiting, target)
		defer func() { c.visiting = c.visiting[:len(c.visiting)-1] }()
		children = []*Node{target.Root}
		cn.eth, cn.alias = n.EvaluateTargetHealth, target.Name
	}
	if n.Rule == RuleIP {
		if n.Collection == nil {
			return 0, posErr(n.Pos, join(c.fieldPath(path), "collection"), "ip without a collection")
		}
		cn.param = c.ip(n)
	}
	if len(c.t.nodes) >= maxTreeNodes {
		return 0, posErr(n.Pos, c.fieldPath(path), "the tree of %s grows past %d nodes (each alias inlines its target's whole tree)",
			c.rs.Name, maxTreeNodes)
	}
	idx := int32(len(c.t.nodes))
	c.t.nodes = append(c.t.nodes, cn)
	kids := make([]int32, 0, len(children))
	for j, ch := range children {
		k, err := c.node(ch, path+"/"+strconv.Itoa(j))
		if err != nil {
			return 0, err
		}
		c.t.nodes[k].seed = stickySeed(ch, path+"/"+strconv.Itoa(j))
		if n.Rule == RuleGeoproximity {
			c.t.nodes[k].aux = int32(len(c.t.places))
			c.t.places = append(c.t.places, placeOf(ch.Place))
		}
		kids = append(kids, k)
	}
	c.t.nodes[idx].first = int32(len(c.t.children))
	c.t.nodes[idx].n = int32(len(kids))
	c.t.children = append(c.t.children, kids...)
	return idx, nil
}

// aliasTarget finds the record set an alias node answers with, refusing a missing
// target, one of another type and cycles.
func (c *treeCompiler) aliasTarget(n *Node, path string) (*RecordSet, error) {
	typ := dns.TypeToString[c.rs.Type]
	var target *RecordSet
	if c.lookup != nil {
		target = c.lookup(n.Alias, c.rs.Type)
	}
	if target == nil {
		return nil, posErr(n.Pos, join(c.fieldPath(path), "alias"), "no %s record set at %s in this zone", typ, n.Alias)
	}
	for i, v := range c.visiting {
		if v == target {
			chain := make([]string, 0, len(c.visiting)-i+1)
			for _, s := range c.visiting[i:] {
				chain = append(chain, s.Name)
			}
			return nil, posErr(n.Pos, join(c.fieldPath(path), "alias"), "cycle %s → %s", strings.Join(chain, " → "), target.Name)
		}
	}
	return target, nil
}

// endpoint prebuilds the record a value answers with; path is the tree path of its
// node, with "/all_down" for a fallback.
func (c *treeCompiler) endpoint(value, label string, pos Pos, path string) (int32, error) {
	var rr dns.RR
	if ip, ok := addrRdata(c.rs.Type, value); ok {
		rr = addrRR(c.rs.Name, c.rs.Type, c.ttl, ip)
	} else {
		typ := dns.TypeToString[c.rs.Type]
		var err error
		rr, err = dns.NewRR(c.rs.Name + " " + strconv.FormatUint(uint64(c.ttl), 10) + " IN " + typ + " " + value)
		if err != nil || rr == nil {
			return 0, posErr(pos, c.valuePath(path), "%q is not %s data: %v", value, typ, err)
		}
	}
	c.t.Endpoints = append(c.t.Endpoints, Endpoint{RR: rr, Value: value, Label: label})
	return int32(len(c.t.Endpoints) - 1), nil
}

// maxOut bounds how many endpoints node i can emit.
func (c *treeCompiler) maxOut(i int32) int {
	nd := &c.t.nodes[i]
	kids := c.t.children[nd.first : nd.first+nd.n]
	switch nd.rule {
	case RuleLeaf:
		return 1
	case RuleSimple, RuleMultivalue:
		sum := 0
		for _, k := range kids {
			sum += c.maxOut(k)
		}
		if nd.rule == RuleMultivalue && sum > int(nd.max) {
			// multivalue trims to max, but a child may overshoot before the trim
			return sum
		}
		return max(sum, 1)
	}
	m := 1 // weighted, failover, geolocation: one child, or the fallback
	for _, k := range kids {
		m = max(m, c.maxOut(k))
	}
	return m
}

// lowerFQDN is name in lower case with a trailing dot.
func lowerFQDN(name string) string { return strings.ToLower(dns.Fqdn(name)) }

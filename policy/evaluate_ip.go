package policy

import (
	"strconv"

	"github.com/coretraffic/coretraffic/policy/cidr"
)

// cip is a compiled ip node: its collection and, by location index, the child that
// answers for the location.
type cip struct {
	set   *cidr.Collection
	child []int32 // by location index: the child's position among the node's children + 1, 0 for none
	def   int32   // the "*" child's position + 1, 0 for none
	name  string  // the collection's name, for explain
	locs  []string
}

// ip compiles an ip node and returns its index in the tree's ips.
func (c *treeCompiler) ip(n *Node) int32 {
	locs := n.Collection.Set.Locations()
	ci := cip{set: n.Collection.Set, child: make([]int32, len(locs)), name: n.Collection.Name, locs: locs}
	for j, ch := range n.Children {
		if ch.Location == DefaultLocation {
			ci.def = int32(j + 1)
			continue
		}
		if i, ok := n.Collection.locs[ch.Location]; ok {
			ci.child[i] = int32(j + 1)
		}
	}
	c.t.usesClient = true
	c.t.ips = append(c.t.ips, ci)
	return int32(len(c.t.ips) - 1)
}

// match finds the client subnet's location: its index, the matched block's length
// and the ECS scope of the decision (see cidr.Collection.LookupScope); ok is false
// for no match and for a query without a client subnet.
func (ci *cip) match(in *Input) (loc, bits, scope int, ok bool) {
	if in == nil || !in.Client.IsValid() {
		return 0, 0, 0, false
	}
	return ci.set.LookupScope(in.Client.Addr(), in.Client.Bits())
}

// ip answers from the child of the client's location in the collection. When that
// child is down, or the location has no child, or the client is in no location, the
// "*" child answers. No match and no "*" child is NODATA, as geolocation without a
// default; a match whose child is down with no "*" child, or a "*" child that is
// down, is down (the parent moves on).
func (e *evaluation) ip(nd *cnode) bool {
	ci := &e.t.ips[nd.param]
	kids := e.kids(nd)
	loc, _, scope, ok := ci.match(e.in)
	e.clientBits = max(e.clientBits, uint8(scope))
	matched := false
	if ok {
		if j := ci.child[loc]; j > 0 {
			matched = true
			if e.eval(kids[j-1]) {
				return true
			}
		}
	}
	if ci.def > 0 {
		return e.eval(kids[ci.def-1])
	}
	if !matched {
		e.outcome = NoData
		return true
	}
	return false
}

// ipString describes the match for explain: the client subnet, the block it matched
// and its location, and the ECS scope.
func (ci *cip) ipString(in *Input) string {
	if in == nil || !in.Client.IsValid() {
		return "collection " + ci.name + ": no client subnet, no match"
	}
	loc, bits, scope, ok := ci.match(in)
	s := "collection " + ci.name + ": client " + in.Client.String()
	if !ok {
		return s + " in no block (scope /" + strconv.Itoa(scope) + ")"
	}
	a := in.Client.Addr()
	if a.Is4In6() {
		a = a.Unmap()
	}
	block, _ := a.Prefix(bits)
	s += " in " + block.String() + " → location " + ci.locs[loc]
	if ci.child[loc] == 0 {
		s += " (no child: default)"
	}
	return s + " (scope /" + strconv.Itoa(scope) + ")"
}

// locationAt is the location child j answers for, for explain.
func (ci *cip) locationAt(j int) string {
	if ci.def == int32(j+1) {
		return DefaultLocation
	}
	for i, k := range ci.child {
		if k == int32(j+1) {
			return ci.locs[i]
		}
	}
	return "?"
}

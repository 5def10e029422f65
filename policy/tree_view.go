package policy

// NodeView is one node of a compiled tree as a console draws it: what it is, what
// it is to its parent and whether it can answer now. Built on request (Tree.View),
// never on the query path.
type NodeView struct {
	Label  string // the node's name, else its tree path: the Step.Node of explain
	Parent int    // index of the parent in the View, −1 for the root
	Index  int    // position among the parent's children
	Rule   Rule
	Up     bool // a leaf: its check is up (or it has none); inner: some child is up

	// Leaf.
	Value string
	Check string

	// What the node is to its parent, by the parent's rule.
	Weight   int       // weighted
	Geo      *GeoMatch // geolocation
	Place    *Place    // geoproximity (with Bias) and latency (Region only)
	Location string    // ip: the CIDR location, "*" for the default

	// Inner nodes.
	Max        int    // multivalue
	Sticky     bool   // weighted
	Collection string // ip
	Alias      string // alias: the target's owner
	ETH        bool   // alias: evaluate target health
	AllDown    AllDown
	Fallback   string // AllDownValue: the value
}

// View returns the tree's nodes in depth-first order, the root first.
func (t *Tree) View() []NodeView {
	out := make([]NodeView, 0, len(t.nodes))
	t.view(t.root, -1, 0, &out)
	return out
}

// view appends node i and its subtree; it returns whether the node is up.
func (t *Tree) view(i int32, parent, index int, out *[]NodeView) bool {
	nd := &t.nodes[i]
	at := len(*out)
	*out = append(*out, NodeView{Label: nd.label, Parent: parent, Index: index, Rule: nd.rule, AllDown: nd.allDown, Check: nd.check})
	v := &(*out)[at]
	switch nd.rule {
	case RuleLeaf:
		v.Value = t.Endpoints[nd.endpoint].Value
		v.Up = nd.health == nil || nd.health.Up()
		return v.Up
	case RuleMultivalue:
		v.Max = int(nd.max)
	case RuleWeighted:
		v.Sticky = nd.sticky
	case RuleAlias:
		v.Alias, v.ETH = nd.alias, nd.eth
	case RuleIP:
		v.Collection = t.ips[nd.param].name
	}
	if nd.allDown == AllDownValue {
		v.Fallback = t.Endpoints[nd.endpoint].Value
	}
	rule := nd.rule
	up := false
	for j, k := range t.children[nd.first : nd.first+nd.n] {
		c := len(*out)
		if t.view(k, at, j, out) {
			up = true
		}
		cv, ch := &(*out)[c], &t.nodes[k]
		switch rule {
		case RuleWeighted:
			cv.Weight = int(ch.weight)
		case RuleGeolocation:
			g := ch.geo
			cv.Geo = &g
		case RuleGeoproximity:
			p := t.places[ch.aux].src
			cv.Place = &p
		case RuleLatency:
			if rs := t.lats[nd.param].regions; j < len(rs) {
				cv.Place = &Place{Region: rs[j]}
			}
		case RuleIP:
			cv.Location = t.ips[nd.param].locationOf(j)
		}
	}
	(*out)[at].Up = up
	return up
}

// locationOf is the location name of the node's child j: "*" for the default, ""
// when it matches none.
func (ci *cip) locationOf(j int) string {
	if ci.def == int32(j+1) {
		return DefaultLocation
	}
	for i, c := range ci.child {
		if c == int32(j+1) {
			return ci.locs[i]
		}
	}
	return ""
}

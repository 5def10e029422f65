package policy

// MaxChildren bounds the children of one node: the weighted and multivalue rules
// track them in fixed-size arrays on the stack.
const MaxChildren = 256

// weighted picks among children at random by weight, skipping the ones found down;
// weight-0 children only when every weighted one is down (Route 53).
func (e *evaluation) weighted(nd *cnode) bool {
	kids := e.kids(nd)
	var tried [MaxChildren / 64]uint64
	for zero := range 2 { // first the weighted children, then the weight-0 ones
		for {
			var total uint64
			for j, c := range kids {
				if tried[j/64]&(1<<(j%64)) == 0 && (zero == 1) == (e.t.nodes[c].weight == 0) {
					total += e.weightOf(c, zero == 1)
				}
			}
			if total == 0 {
				break
			}
			r := e.randN(total)
			for j, c := range kids {
				if tried[j/64]&(1<<(j%64)) != 0 || (zero == 1) != (e.t.nodes[c].weight == 0) {
					continue
				}
				if w := e.weightOf(c, zero == 1); r >= w {
					r -= w
					continue
				}
				if e.eval(c) {
					return true
				}
				tried[j/64] |= 1 << (j % 64)
				break
			}
		}
	}
	return false
}

// weightOf is a child's share: its weight, or 1 among weight-0 children.
func (e *evaluation) weightOf(c int32, zero bool) uint64 {
	if zero {
		return 1
	}
	return uint64(e.t.nodes[c].weight)
}

// multivalue answers up to max healthy children in random order.
func (e *evaluation) multivalue(nd *cnode) bool {
	kids := e.kids(nd)
	var order [MaxChildren]int32
	perm := order[:len(kids)]
	copy(perm, kids)
	for j := len(perm) - 1; j > 0; j-- { // Fisher–Yates
		k := int(e.randN(uint64(j + 1)))
		perm[j], perm[k] = perm[k], perm[j]
	}
	start := e.n
	answered := false
	for _, c := range perm {
		if e.n-start >= int(nd.max) {
			break
		}
		if e.eval(c) {
			answered = true // values, or a closed child's NODATA/rcode
		}
	}
	if e.n-start > int(nd.max) {
		e.n = start + int(nd.max)
	}
	return answered
}

// geolocation answers from the most specific child matching the client; a matching
// child that is down falls through to the next less specific match (subdivision →
// country → continent → default). No match at all is NODATA, as in Route 53.
func (e *evaluation) geolocation(nd *cnode) bool {
	e.geo = true
	kids := e.kids(nd)
	matched := false
	for level := geoLevels - 1; level >= geoDefault; level-- {
		for _, c := range kids {
			ch := &e.t.nodes[c]
			if ch.geoLevel != level || !e.matches(&ch.geo) {
				continue
			}
			matched = true
			if e.eval(c) {
				return true
			}
		}
	}
	if !matched {
		e.outcome = NoData
		return true
	}
	return false
}

func (e *evaluation) matches(m *GeoMatch) bool {
	if m.Default {
		return true
	}
	if e.in == nil || e.in.Loc == nil {
		return false
	}
	loc := e.in.Loc
	switch {
	case m.City != "":
		return loc.City == m.City && (m.Country == "" || loc.Country == m.Country)
	case m.Subdivision != "":
		for _, s := range loc.Subdivisions {
			if s == m.Subdivision {
				return true
			}
		}
		return false
	case m.Country != "":
		return loc.Country == m.Country
	case m.Continent != "":
		return loc.Continent == m.Continent
	}
	return false
}

// alias answers with its target's tree (inlined as its one child). With evaluate
// target health it is down when nothing in the target is healthy — also when the
// target's root closes with an all_down answer, which would otherwise never count as
// down and keep the alias's parent from moving on. Without, it answers as the target
// record set alone would: its own all_down, or walked again as if every check were up
// (fail-open) when nothing in it is healthy.
func (e *evaluation) alias(nd *cnode) bool {
	kid := e.kids(nd)[0]
	if nd.eth {
		prev := e.ethRoot
		e.ethRoot = &e.t.nodes[kid]
		ok := e.eval(kid)
		e.ethRoot = prev
		return ok
	}
	if e.eval(kid) {
		return true
	}
	if e.ignoreHealth {
		return false
	}
	e.ignoreHealth = true
	ok := e.eval(kid)
	e.ignoreHealth = false
	return ok
}

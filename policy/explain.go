package policy

import (
	"fmt"
	"strings"
)

// Trace records one evaluation for explain: every node the walk entered, what the
// node's rule looked at and how the node ended. Set Input.Trace to get one; the
// evaluation is the one that answers queries (the same code path, the same
// decisions), so what explain prints is what a client with these inputs is served.
// Tracing allocates; the query path never sets it.
type Trace struct {
	Steps []Step `json:"steps"`
	// FailOpen is set when nothing was healthy and the tree was walked again as if
	// every check were up; the steps after FailOpenAt belong to that second walk.
	FailOpen   bool `json:"fail_open,omitempty"`
	FailOpenAt int  `json:"fail_open_at,omitempty"`

	depth int
}

// Step is one node the walk entered.
type Step struct {
	Depth  int    `json:"depth"`
	Node   string `json:"node"`             // the node's label (its name, else its path)
	Rule   string `json:"rule"`             // leaf, weighted, geolocation, …
	Inputs string `json:"inputs,omitempty"` // what the rule looked at: location, health, weights, distances, latencies, hash
	// Result is "answer" (it gave values or its all_down answer), "down" (its
	// parent moves on) or, for a leaf, "answer" with Value set.
	Result string `json:"result"`
	Value  string `json:"value,omitempty"` // a leaf's value, when answered
}

// Down overrides health for explain and simulate. It is asked about every health
// check name, node label (a node's name) and leaf value the walk meets; what it
// reports down counts as down whatever its live state: a check, an endpoint, or a
// whole subtree ("what if eu-west dies").
type Down func(key string) bool

// forcedDown reports whether Input.Down takes node nd down.
func (e *evaluation) forcedDown(nd *cnode) bool {
	if e.down == nil || e.ignoreHealth {
		return false
	}
	if e.down(nd.label) || nd.check != "" && e.down(nd.check) {
		return true
	}
	return nd.rule == RuleLeaf && e.down(e.t.Endpoints[nd.endpoint].Value)
}

// traced is eval for explain and simulate: the node's step recorded when tracing,
// and the node down when Input.Down says so.
func (e *evaluation) traced(i int32) bool {
	nd := &e.t.nodes[i]
	tr := e.trace
	if tr == nil {
		if e.forcedDown(nd) {
			return false
		}
		n, outcome, rcode := e.n, e.outcome, e.rcode
		if e.evalNode(nd) {
			return true
		}
		e.n, e.outcome, e.rcode = n, outcome, rcode
		return false
	}
	at := len(tr.Steps)
	if e.forcedDown(nd) {
		tr.Steps = append(tr.Steps, Step{Depth: tr.depth, Node: nd.label, Rule: nd.rule.String(), Inputs: "forced down", Result: "down"})
		return false
	}
	tr.Steps = append(tr.Steps, Step{Depth: tr.depth, Node: nd.label, Rule: nd.rule.String(), Inputs: e.inputs(nd)})
	tr.depth++
	n, outcome, rcode := e.n, e.outcome, e.rcode
	ok := e.evalNode(nd)
	tr.depth--
	s := &tr.Steps[at]
	switch {
	case !ok:
		e.n, e.outcome, e.rcode = n, outcome, rcode
		s.Result = "down"
	case nd.rule == RuleLeaf:
		s.Result, s.Value = "answer", e.t.Endpoints[nd.endpoint].Value
	case e.n == n && e.outcome == NoData:
		s.Result = "answer: NODATA"
	case e.n == n && e.outcome == Rcode:
		s.Result = "answer: " + rcodeName(e.rcode)
	default:
		s.Result = "answer"
		if nd.allDown == AllDownValue && e.n == n+1 && e.out[n] == nd.endpoint {
			s.Result, s.Value = "answer: all_down value", e.t.Endpoints[nd.endpoint].Value
		}
	}
	return ok
}

// hypothetical reports an evaluation for explain or simulate, which must leave no
// state behind (latency hysteresis).
func (e *evaluation) hypothetical() bool {
	return e.trace != nil || e.down != nil
}

func rcodeName(rcode int) string {
	switch rcode {
	case rcodeServFail:
		return "SERVFAIL"
	case rcodeNXDomain:
		return "NXDOMAIN"
	case rcodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("rcode %d", rcode)
}

// inputs describes what nd's rule looks at, computed with the functions the rule
// itself uses.
func (e *evaluation) inputs(nd *cnode) string {
	var b strings.Builder
	kids := e.kids(nd)
	switch nd.rule {
	case RuleLeaf:
		switch {
		case e.ignoreHealth:
			b.WriteString("health ignored (fail-open)")
		case nd.health == nil:
			b.WriteString("no health check")
		case nd.health.Up():
			fmt.Fprintf(&b, "check %s: up", nd.check)
		default:
			fmt.Fprintf(&b, "check %s: down", nd.check)
		}
	case RuleWeighted:
		if nd.sticky {
			if h, bits, ok := e.clientHash(nd); ok {
				fmt.Fprintf(&b, "sticky: hash of the first %d bits of %s = %016x; ", bits, e.in.Client, h)
			} else {
				b.WriteString("sticky without a client subnet: random; ")
			}
		}
		b.WriteString("weights")
		for _, c := range kids {
			fmt.Fprintf(&b, " %s=%d", rel(e.t.nodes[c].label, nd.label), e.t.nodes[c].weight)
		}
	case RuleGeolocation, RuleGeoproximity, RuleLatency:
		b.WriteString("client ")
		b.WriteString(e.whereString())
		switch nd.rule {
		case RuleGeolocation:
			for _, c := range kids {
				ch := &e.t.nodes[c]
				verdict := "no match"
				if e.matches(&ch.geo) {
					verdict = "matches"
				}
				fmt.Fprintf(&b, "; %s (%s) %s", rel(ch.label, nd.label), geoMatchString(ch.geo), verdict)
			}
		case RuleGeoproximity:
			cv, ok := e.clientVec()
			for _, c := range kids {
				ch := &e.t.nodes[c]
				if !ok {
					fmt.Fprintf(&b, "; %s", rel(ch.label, nd.label))
					continue
				}
				p := e.t.places[ch.aux]
				d := distanceKm(cv, p.v)
				fmt.Fprintf(&b, "; %s %.0f km × %.3g = %.0f km", rel(ch.label, nd.label), d, p.factor, d*p.factor)
			}
		case RuleLatency:
			lt := &e.t.lats[nd.param]
			row := -1
			if cv, ok := e.clientVec(); ok && len(lt.rows) > 0 {
				row = nearestRow(lt.rows, cv)
			}
			fmt.Fprintf(&b, "; source %s, region row %d", lt.source, row)
			for j, c := range kids {
				l := lt.latencyOf(j, row, len(kids))
				if l == noLatency {
					fmt.Fprintf(&b, "; %s unknown", rel(e.t.nodes[c].label, nd.label))
				} else {
					fmt.Fprintf(&b, "; %s %.1f ms", rel(e.t.nodes[c].label, nd.label), float64(l)/1000)
				}
			}
			if lt.state != nil {
				if cur := int(lt.state[row+1].Load()) - 1; cur >= 0 && cur < len(kids) {
					fmt.Fprintf(&b, "; current %s (hysteresis %d ms / %d %%)", rel(e.t.nodes[kids[cur]].label, nd.label), lt.margin/1000, lt.percent)
				}
			}
		}
	case RuleAlias:
		fmt.Fprintf(&b, "target %s, evaluate target health %v", nd.alias, nd.eth)
	case RuleIP:
		b.WriteString(e.t.ips[nd.param].ipString(e.in))
		for j, c := range kids {
			fmt.Fprintf(&b, "; %s (%s)", rel(e.t.nodes[c].label, nd.label), e.t.ips[nd.param].locationAt(j))
		}
	case RuleMultivalue:
		fmt.Fprintf(&b, "up to %d of %d, shuffled", nd.max, len(kids))
	case RuleFailover:
		fmt.Fprintf(&b, "%d tiers in order", len(kids))
	case RuleSimple:
		fmt.Fprintf(&b, "all %d", len(kids))
	}
	if nd.allDown != AllDownOpen {
		fmt.Fprintf(&b, "; all_down %s", allDownWords[nd.allDown])
	}
	return b.String()
}

// whereString describes the client's location as the rules see it.
func (e *evaluation) whereString() string {
	if e.in == nil || e.in.Loc == nil || e.in.Loc.String() == "" {
		return "location unknown"
	}
	return e.in.Loc.String()
}

// rel is a child's label as seen from its parent: derived labels (paths) repeat the
// parent's, so only the rest is shown.
func rel(child, parent string) string {
	if rest, ok := strings.CutPrefix(child, parent); ok && rest != "" {
		return "…" + rest
	}
	return child
}

func geoMatchString(m GeoMatch) string {
	switch {
	case m.Default:
		return "default"
	case m.City != "":
		return "city " + m.City
	case m.Subdivision != "":
		return "subdivision " + m.Subdivision
	case m.Country != "":
		return "country " + m.Country
	}
	return "continent " + m.Continent
}

// allDownWords spell AllDown as the data format does.
var allDownWords = [...]string{"open", "nodata", "servfail", "refused", "nxdomain", "value"}

// String renders the trace as an indented tree, one node a line.
func (t *Trace) String() string {
	var b strings.Builder
	root := ""
	for i, s := range t.Steps {
		if t.FailOpen && i == t.FailOpenAt {
			b.WriteString("nothing healthy: fail-open, walking again as if every check were up\n")
		}
		node := s.Node
		if s.Depth == 0 {
			root = s.Node
		} else if rest, ok := strings.CutPrefix(node, root); ok && rest != "" {
			node = "…" + rest // derived labels repeat the record set's: show the path below it
		}
		fmt.Fprintf(&b, "%s%s [%s] → %s", strings.Repeat("  ", s.Depth), node, s.Rule, s.Result)
		if s.Value != "" {
			fmt.Fprintf(&b, " %s", s.Value)
		}
		if s.Inputs != "" {
			fmt.Fprintf(&b, "   (%s)", s.Inputs)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

package trafficflow

import (
	"fmt"
	"strings"

	"github.com/coretraffic/coretraffic/policy"

	"github.com/miekg/dns"
)

// MaxTreeNodes bounds the policy tree a document translates into. A rule referenced
// from several places is copied into each, so a small document can describe a huge
// tree (rule a names b twice, b names c twice, …); such documents are refused.
const MaxTreeNodes = 20000

// MultivalueMax is how many healthy values a multivalue rule answers: Route 53
// answers up to eight.
const MultivalueMax = 8

// namedRef is a reference of a rule and its path.
type namedRef struct {
	path string
	ref  *Ref
}

// refs lists a rule's references with their paths.
func (r *Rule) refs(rulePath string) []namedRef {
	var out []namedRef
	add := func(key string, list []*Ref) {
		for i, ref := range list {
			out = append(out, namedRef{fmt.Sprintf("%s[%d]", joinPath(rulePath, key), i), ref})
		}
	}
	switch r.Type {
	case RuleFailover:
		if r.Primary != nil {
			out = append(out, namedRef{joinPath(rulePath, "Primary"), r.Primary})
		}
		if r.Secondary != nil {
			out = append(out, namedRef{joinPath(rulePath, "Secondary"), r.Secondary})
		}
	case RuleGeo:
		add("Locations", r.Locations)
	case RuleLatency:
		add("Regions", r.Regions)
	case RuleGeoproximity:
		add("GeoproximityLocations", r.GeoproximityLocations)
	default:
		add("Items", r.Items)
	}
	return out
}

func rulePath(id string) string     { return joinPath(joinPath(rootPath, "Rules"), id) }
func endpointPath(id string) string { return joinPath(joinPath(rootPath, "Endpoints"), id) }

// check validates what spans the document: references resolve, no rule reaches
// itself, geo locations are distinct, lists fit a policy node, and the tree is not
// too big. It runs once every endpoint and rule has parsed cleanly.
func (d *Document) check() []Problem {
	var ps []Problem
	fail := func(path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if d.StartEndpoint != "" && d.Endpoints[d.StartEndpoint] == nil {
		fail("StartEndpoint", "no endpoint %q in Endpoints", d.StartEndpoint)
	}
	if d.StartRule != "" && d.Rules[d.StartRule] == nil {
		fail("StartRule", "no rule %q in Rules", d.StartRule)
	}
	for _, key := range d.Order {
		id, isRule := strings.CutPrefix(key, "Rules.")
		if !isRule {
			continue
		}
		r, rp := d.Rules[id], rulePath(id)
		refs := r.refs(rp)
		if len(refs) > policy.MaxChildren {
			fail(rp, "%d references, at most %d", len(refs), policy.MaxChildren)
		}
		if r.Type == RuleMultivalue && d.RRType == dns.TypeCNAME {
			fail(joinPath(rp, "RuleType"), "a multivalue rule cannot answer CNAME, which has one value")
		}
		seen := map[string]string{}
		for _, nr := range refs {
			switch {
			case nr.ref.Endpoint != "" && d.Endpoints[nr.ref.Endpoint] == nil:
				fail(joinPath(nr.path, "EndpointReference"), "no endpoint %q in Endpoints", nr.ref.Endpoint)
			case nr.ref.Rule != "" && d.Rules[nr.ref.Rule] == nil:
				fail(joinPath(nr.path, "RuleReference"), "no rule %q in Rules", nr.ref.Rule)
			}
			if r.Type != RuleGeo {
				continue
			}
			m := geoKey(nr.ref)
			if prev, dup := seen[m]; dup {
				fail(nr.path, "%s is already the location of %s", m, prev)
			}
			seen[m] = strings.TrimPrefix(nr.path, rp+".")
		}
	}
	if len(ps) > 0 {
		return ps
	}
	return d.checkGraph()
}

// geoKey describes what a geo location matches.
func geoKey(r *Ref) string {
	switch {
	case r.IsDefault:
		return "the default"
	case r.Subdivision != "":
		return "Country US, Subdivision " + r.Subdivision
	case r.Country != "":
		return "Country " + r.Country
	}
	return "Continent " + r.Continent
}

// checkGraph refuses rules that reach themselves and trees past MaxTreeNodes.
func (d *Document) checkGraph() []Problem {
	const (
		unseen = iota
		walking
		done
	)
	state := map[string]int{}
	size := map[string]int{}
	var chain []string
	var problem *Problem
	var walk func(id string) int
	walk = func(id string) int {
		switch state[id] {
		case done:
			return size[id]
		case walking:
			i := 0
			for chain[i] != id {
				i++
			}
			cyc := append(append([]string(nil), chain[i:]...), id)
			problem = &Problem{Path: rulePath(chain[len(chain)-1]), Msg: "rules reference each other in a cycle: " + strings.Join(cyc, " → ")}
			return 0
		}
		state[id] = walking
		chain = append(chain, id)
		n := 1
		for _, nr := range d.Rules[id].refs("") {
			if problem != nil {
				break
			}
			if nr.ref.Rule == "" {
				n++
				continue
			}
			sub := walk(nr.ref.Rule)
			if !nr.ref.EvaluateTargetHealth {
				sub = 2*sub + 1 // translate wraps the rule with a copy that ignores its checks
			}
			n = min(n+sub, MaxTreeNodes+1)
		}
		chain = chain[:len(chain)-1]
		state[id], size[id] = done, n
		return n
	}
	for _, key := range d.Order {
		if id, ok := strings.CutPrefix(key, "Rules."); ok {
			if n := walk(id); problem == nil && n > MaxTreeNodes {
				return []Problem{{Path: rulePath(id), Msg: fmt.Sprintf("expands to more than %d policy nodes (a rule referenced from several places is copied into each)", MaxTreeNodes)}}
			}
			if problem != nil {
				return []Problem{*problem}
			}
		}
	}
	return nil
}

// Unused lists the endpoints and rules that the start endpoint or rule never
// reaches, as paths ("Endpoints.old", "Rules.test"), in document order. They are
// validated like the others but make no part of the tree.
func (d *Document) Unused() []string {
	used := map[string]bool{}
	var visit func(key string)
	visit = func(key string) {
		if used[key] {
			return
		}
		used[key] = true
		if id, ok := strings.CutPrefix(key, "Rules."); ok {
			for _, nr := range d.Rules[id].refs("") {
				if nr.ref.Rule != "" {
					visit("Rules." + nr.ref.Rule)
				} else {
					visit("Endpoints." + nr.ref.Endpoint)
				}
			}
		}
	}
	if d.StartRule != "" {
		visit("Rules." + d.StartRule)
	} else {
		visit("Endpoints." + d.StartEndpoint)
	}
	var out []string
	for _, key := range d.Order {
		if !used[key] {
			out = append(out, key)
		}
	}
	return out
}

// HealthChecks lists the health check IDs the document names, each once, in
// document order: the server checks that they exist.
func (d *Document) HealthChecks() []string {
	var out []string
	seen := map[string]bool{}
	for _, key := range d.Order {
		if id, ok := strings.CutPrefix(key, "Rules."); ok {
			for _, nr := range d.Rules[id].refs("") {
				if h := nr.ref.HealthCheck; h != "" && !seen[h] {
					seen[h] = true
					out = append(out, h)
				}
			}
		}
	}
	return out
}

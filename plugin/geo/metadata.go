package geo

import (
	"context"
	"strconv"
	"strings"

	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/stack"
)

// Metadata implements metadata.Provider. The metadata plugin calls it before
// the plugin chain runs (and before view filters), so the client is located
// here once and ServeDNS reuses it. A malformed ECS option sets nothing;
// ServeDNS then answers FORMERR.
func (g *Geo) Metadata(ctx context.Context, state request.Request) context.Context {
	if g.growStack {
		stack.Grow(int(state.Req.Id)) // before the lookup's frames, as in ServeDNS
	}
	l, err := g.locate(ctx, state.W, state.Req)
	if err != nil {
		return ctx
	}
	// ValueFuncs is the context's label map itself (what SetValueFunc
	// writes to): one context walk instead of one per label.
	if len(g.labels) > 0 {
		if m := metadata.ValueFuncs(ctx); m != nil {
			g.setLabels(m, l)
		}
	}
	return l
}

// setLabels publishes the instance's labels for l's Client. Values are
// formatted only when read. The functions of the location's labels come from
// the location cache when the location is a frequent one, so that a query
// allocates at most the subnet label's closure.
func (g *Geo) setLabels(m map[string]metadata.Func, l *located) {
	loc := &l.c.Location
	var cached []metadata.Func
	if g.cacheLocations {
		if e := g.locationFuncs.get(loc, g.labels); e != nil {
			cached = e.funcs
		}
	}
	for i, lb := range g.labels {
		switch {
		case lb.ofClient != nil:
			m[lb.name] = lb.ofClient(&l.c)
		case cached != nil:
			m[lb.name] = cached[i]
		default:
			m[lb.name] = lb.ofLocation(loc)
		}
	}
}

// label is a metadata label: its name, whether it is set by default, and how
// to get its value's function for one query, from the Location alone (these
// functions are cached per location) or from the whole Client. Values that do
// not depend on the query (booleans, small numbers, the empty string) use
// functions built once.
type label struct {
	name       string
	byDefault  bool
	ofLocation func(*geo.Location) metadata.Func
	ofClient   func(*geo.Client) metadata.Func
}

// allLabels is every label, in the order of the README's table; the labels
// property selects some of them, or all.
var allLabels = []label{
	{name: "geo/continent/code", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		return stringFunc(l.Continent)
	}},
	{name: "geo/country/code", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		return stringFunc(l.Country)
	}},
	{name: "geo/country/is_in_european_union", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		return boolFuncs[b2i(l.InEU)]
	}},
	{name: "geo/subdivisions/code", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		if l.Subdivisions[0] == "" {
			return emptyFunc
		}
		return func() string { return strings.Join(l.SubdivisionList(), ",") }
	}},
	{name: "geo/city/name", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		return stringFunc(l.City)
	}},
	{name: "geo/latitude", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		if !l.HasCoords {
			return emptyFunc
		}
		return func() string { return formatCoord(l.Lat) }
	}},
	{name: "geo/longitude", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		if !l.HasCoords {
			return emptyFunc
		}
		return func() string { return formatCoord(l.Lon) }
	}},
	{name: "geo/asn/number", byDefault: true, ofLocation: func(l *geo.Location) metadata.Func {
		if l.ASN == 0 {
			return emptyFunc
		}
		return func() string { return strconv.FormatUint(uint64(l.ASN), 10) }
	}},
	{name: "geo/asn/org", ofLocation: func(l *geo.Location) metadata.Func {
		return stringFunc(l.ASOrg)
	}},
	{name: "geo/client/subnet", ofClient: func(c *geo.Client) metadata.Func {
		return func() string { return c.Subnet().String() }
	}},
	{name: "geo/client/scope", ofClient: func(c *geo.Client) metadata.Func {
		return scopeFuncs[min(max(c.Scope, 0), len(scopeFuncs)-1)]
	}},
	{name: "geo/client/ecs", ofClient: func(c *geo.Client) metadata.Func {
		return boolFuncs[b2i(c.FromECS)]
	}},
}

// defaultLabels are the labels set without a labels property: eight, the
// most a metadata plugin's per-query map holds before it grows. Growing it
// (allocating a table and moving the eight entries) costs more than the eight
// insertions before it; the organisation name and the client labels are set
// when asked for.
var defaultLabels = func() (ls []label) {
	for _, l := range allLabels {
		if l.byDefault {
			ls = append(ls, l)
		}
	}
	return ls
}()

// stringFunc returns a function returning s.
func stringFunc(s string) metadata.Func {
	if s == "" {
		return emptyFunc
	}
	return func() string { return s }
}

func emptyFunc() string { return "" }

var (
	boolFuncs  = [2]metadata.Func{func() string { return "false" }, func() string { return "true" }}
	scopeFuncs = func() (fs [129]metadata.Func) { // 0 to 128 bits
		for i := range fs {
			s := strconv.Itoa(i)
			fs[i] = func() string { return s }
		}
		return fs
	}()
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func formatCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var _ metadata.Provider = (*Geo)(nil)

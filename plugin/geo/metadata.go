package geo

import (
	"context"
	"strconv"
	"strings"

	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/request"
)

// Metadata implements metadata.Provider. The metadata plugin calls it before
// the plugin chain runs (and before view filters), so the client is located
// here once and ServeDNS reuses it. A malformed ECS option sets nothing;
// ServeDNS then answers FORMERR.
func (g *Geo) Metadata(ctx context.Context, state request.Request) context.Context {
	growStack(int(state.Req.Id)) // before the lookup's frames, as in ServeDNS
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
// formatted only when read.
func (g *Geo) setLabels(m map[string]metadata.Func, l *located) {
	for _, lb := range g.labels {
		m[lb.name] = lb.value(l)
	}
}

// label is a metadata label: its name and how to get its value's function for
// one query. Values that do not depend on the query (booleans, small numbers,
// the empty string) use functions built once, so that a query allocates a
// closure only for the labels that carry its own data.
type label struct {
	name  string
	value func(*located) metadata.Func
}

// allLabels is every label, in the order of the README's table, and the
// default; the labels property selects some of them.
var allLabels = []label{
	{"geo/continent/code", func(l *located) metadata.Func {
		if l.c.Location.Continent == "" {
			return emptyFunc
		}
		return func() string { return l.c.Location.Continent }
	}},
	{"geo/country/code", func(l *located) metadata.Func {
		if l.c.Location.Country == "" {
			return emptyFunc
		}
		return func() string { return l.c.Location.Country }
	}},
	{"geo/country/is_in_european_union", func(l *located) metadata.Func {
		return boolFuncs[b2i(l.c.Location.InEU)]
	}},
	{"geo/subdivisions/code", func(l *located) metadata.Func {
		if l.c.Location.Subdivisions[0] == "" {
			return emptyFunc
		}
		return func() string {
			return strings.Join(l.c.Location.SubdivisionList(), ",")
		}
	}},
	{"geo/city/name", func(l *located) metadata.Func {
		if l.c.Location.City == "" {
			return emptyFunc
		}
		return func() string { return l.c.Location.City }
	}},
	{"geo/latitude", func(l *located) metadata.Func {
		if !l.c.Location.HasCoords {
			return emptyFunc
		}
		return func() string { return formatCoord(l.c.Location.Lat) }
	}},
	{"geo/longitude", func(l *located) metadata.Func {
		if !l.c.Location.HasCoords {
			return emptyFunc
		}
		return func() string { return formatCoord(l.c.Location.Lon) }
	}},
	{"geo/asn/number", func(l *located) metadata.Func {
		if l.c.Location.ASN == 0 {
			return emptyFunc
		}
		return func() string { return strconv.FormatUint(uint64(l.c.Location.ASN), 10) }
	}},
	{"geo/asn/org", func(l *located) metadata.Func {
		if l.c.Location.ASOrg == "" {
			return emptyFunc
		}
		return func() string { return l.c.Location.ASOrg }
	}},
	{"geo/client/subnet", func(l *located) metadata.Func {
		return func() string { return l.c.Subnet().String() }
	}},
	{"geo/client/scope", func(l *located) metadata.Func {
		return scopeFuncs[min(max(l.c.Scope, 0), len(scopeFuncs)-1)]
	}},
	{"geo/client/ecs", func(l *located) metadata.Func {
		return boolFuncs[b2i(l.c.FromECS)]
	}},
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

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
	l, err := g.locate(ctx, state.W, state.Req)
	if err != nil {
		return ctx
	}
	// ValueFuncs is the context's label map itself (what SetValueFunc
	// writes to): one context walk instead of one per label.
	if m := metadata.ValueFuncs(ctx); m != nil {
		setLabels(m, l)
	}
	return l
}

// setLabels publishes l's Client as metadata. Values are formatted only when
// read. Values that do not depend on the query (booleans, small numbers, the
// empty string) use functions built once, so that a query allocates a closure
// only for the labels that carry its own data.
func setLabels(m map[string]metadata.Func, l *located) {
	c, loc := &l.c, &l.c.Location
	f := metadata.Func(emptyFunc)
	if loc.Continent != "" {
		f = func() string { return l.c.Location.Continent }
	}
	m["geo/continent/code"] = f
	if f = emptyFunc; loc.Country != "" {
		f = func() string { return l.c.Location.Country }
	}
	m["geo/country/code"] = f
	m["geo/country/is_in_european_union"] = boolFuncs[b2i(loc.InEU)]
	if f = emptyFunc; loc.Subdivisions[0] != "" {
		f = func() string { return strings.Join(l.c.Location.SubdivisionList(), ",") }
	}
	m["geo/subdivisions/code"] = f
	if f = emptyFunc; loc.City != "" {
		f = func() string { return l.c.Location.City }
	}
	m["geo/city/name"] = f
	lat, lon := metadata.Func(emptyFunc), metadata.Func(emptyFunc)
	if loc.HasCoords {
		lat = func() string { return formatCoord(l.c.Location.Lat) }
		lon = func() string { return formatCoord(l.c.Location.Lon) }
	}
	m["geo/latitude"], m["geo/longitude"] = lat, lon
	if f = emptyFunc; loc.ASN != 0 {
		f = func() string { return strconv.FormatUint(uint64(l.c.Location.ASN), 10) }
	}
	m["geo/asn/number"] = f
	if f = emptyFunc; loc.ASOrg != "" {
		f = func() string { return l.c.Location.ASOrg }
	}
	m["geo/asn/org"] = f
	m["geo/client/subnet"] = func() string { return l.c.Subnet().String() }
	m["geo/client/scope"] = scopeFuncs[min(max(c.Scope, 0), len(scopeFuncs)-1)]
	m["geo/client/ecs"] = boolFuncs[b2i(c.FromECS)]
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

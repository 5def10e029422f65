package geo

import (
	"context"
	"strconv"
	"strings"

	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
)

// located marks a context whose Client this instance computed in Metadata, so
// ServeDNS does not look the client up twice. With views, several server
// blocks collect metadata for the same query; each instance only trusts its own.
type locatedKey struct{}

func (g *Geo) located(ctx context.Context) bool {
	owner, _ := ctx.Value(locatedKey{}).(*Geo)
	return owner == g
}

// Metadata implements metadata.Provider. The metadata plugin calls it before
// the plugin chain runs (and before view filters), so the client is located
// here once and ServeDNS reuses it. A malformed ECS option sets nothing;
// ServeDNS then answers FORMERR.
func (g *Geo) Metadata(ctx context.Context, state request.Request) context.Context {
	c, err := g.locate(ctx, state.W, state.Req)
	if err != nil {
		return ctx
	}
	setLabels(ctx, c)
	ctx = geo.NewContext(ctx, c)
	return context.WithValue(ctx, locatedKey{}, g)
}

// setLabels publishes c as metadata. Values are formatted only when read.
func setLabels(ctx context.Context, c *geo.Client) {
	l := &c.Location
	set := func(label string, f metadata.Func) { metadata.SetValueFunc(ctx, label, f) }
	set("geo/continent/code", func() string { return l.Continent })
	set("geo/country/code", func() string { return l.Country })
	set("geo/country/is_in_european_union", func() string { return strconv.FormatBool(l.InEU) })
	set("geo/subdivisions/code", func() string { return strings.Join(l.SubdivisionList(), ",") })
	set("geo/city/name", func() string { return l.City })
	set("geo/latitude", func() string { return coord(l.Lat, l.HasCoords) })
	set("geo/longitude", func() string { return coord(l.Lon, l.HasCoords) })
	set("geo/asn/number", func() string {
		if l.ASN == 0 {
			return ""
		}
		return strconv.FormatUint(uint64(l.ASN), 10)
	})
	set("geo/asn/org", func() string { return l.ASOrg })
	set("geo/client/subnet", func() string { return c.Subnet().String() })
	set("geo/client/scope", func() string { return strconv.Itoa(c.Scope) })
	set("geo/client/ecs", func() string { return strconv.FormatBool(c.FromECS) })
}

func coord(v float64, ok bool) string {
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

var _ metadata.Provider = (*Geo)(nil)

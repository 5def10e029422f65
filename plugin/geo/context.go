package geo

import (
	"context"

	"github.com/coretraffic/coretraffic/geo"
)

// located is what this instance decided about one query, in one allocation:
// the Client and the context that hands it to later plugins. It answers
// geo.FromContext (with &c) and, so that ServeDNS does not look the client up
// again after Metadata did, locatedKey (with itself). geo.NewContext plus a
// context.WithValue for the owner would cost two more allocations per query.
type located struct {
	context.Context // the query's context before geo

	g *Geo // the instance that located the client
	c geo.Client
}

// locatedKey finds the located a Metadata call put in the context. With views,
// several server blocks collect metadata for the same query; each instance
// only trusts its own.
type locatedKey struct{}

// clientKey is the key geo.FromContext looks up. It is unexported in package
// geo, so it is learned once by letting FromContext ask for it.
var clientKey = func() any {
	var k keyRecorder
	geo.FromContext(&k)
	return k.key
}()

type keyRecorder struct {
	context.Context
	key any
}

// Value implements context.Context.
func (k *keyRecorder) Value(key any) any {
	k.key = key
	return nil
}

// Value implements context.Context.
func (l *located) Value(key any) any {
	switch key {
	case clientKey:
		return &l.c
	case locatedKey{}:
		return l
	}
	return l.Context.Value(key)
}

// located returns the located this instance's Metadata put in ctx, or nil.
func (g *Geo) located(ctx context.Context) *located {
	l, _ := ctx.Value(locatedKey{}).(*located)
	if l == nil || l.g != g {
		return nil
	}
	return l
}

var _ context.Context = (*located)(nil)

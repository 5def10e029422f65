package geo

import (
	"context"
	"math"
	"testing"

	"github.com/coredns/coredns/plugin/metadata"
	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"

	"github.com/coretraffic/coretraffic/geo"
)

func TestLocationCacheAdmitsOnSecondMiss(t *testing.T) {
	c := newLocationCache()
	frankfurt := geo.Location{Continent: "EU", Country: "DE", City: "Frankfurt am Main", Lat: 50.11, Lon: 8.68, HasCoords: true}
	if e := c.get(&frankfurt, allLabels); e != nil {
		t.Fatal("first miss made an entry")
	}
	e := c.get(&frankfurt, allLabels)
	if e == nil {
		t.Fatal("second miss made no entry")
	}
	if again := c.get(&frankfurt, allLabels); again != e {
		t.Fatal("third ask did not hit the entry")
	}
	for i, lb := range allLabels {
		switch {
		case lb.ofClient != nil && e.funcs[i] != nil:
			t.Errorf("%s: client label cached", lb.name)
		case lb.ofLocation != nil && e.funcs[i] == nil:
			t.Errorf("%s: location label not cached", lb.name)
		}
	}
	if got := e.funcs[1](); got != "DE" {
		t.Errorf("cached country = %q, want DE", got)
	}
}

// TestLocationCacheComparesLocation plants one location's entry in the slot of
// another: the other must not get it.
func TestLocationCacheComparesLocation(t *testing.T) {
	c := newLocationCache()
	paris := geo.Location{Continent: "EU", Country: "FR", City: "Paris"}
	lyon := geo.Location{Continent: "EU", Country: "FR", City: "Lyon"}
	c.get(&paris, allLabels)
	planted := c.get(&paris, allLabels)
	c.c.Store(locationHash(&lyon), planted)
	if e := c.get(&lyon, allLabels); e == planted {
		t.Fatal("Lyon got Paris's labels")
	}
}

// TestLocationCacheSharedHash has two locations that differ only in a field
// the hash leaves out take turns: neither gets the other's labels, and they
// do not rebuild an entry on every query.
func TestLocationCacheSharedHash(t *testing.T) {
	c := newLocationCache()
	in := geo.Location{Continent: "EU", Country: "CY", City: "Nicosia", InEU: true}
	out := in
	out.InEU = false
	if locationHash(&in) != locationHash(&out) {
		t.Fatal("the two locations no longer share a hash; pick a field the hash leaves out")
	}
	const eu = 2 // allLabels[2] is geo/country/is_in_european_union
	built := map[*locationFuncs]bool{}
	for i := range 40 {
		loc, want := &in, "true"
		if i%2 == 1 {
			loc, want = &out, "false"
		}
		e := c.get(loc, allLabels)
		if e == nil {
			continue
		}
		built[e] = true
		if e.loc != *loc || e.funcs[eu]() != want {
			t.Fatalf("query %d: entry for %+v, EU %q; want %+v, EU %s", i, e.loc, e.funcs[eu](), *loc, want)
		}
	}
	if len(built) > 20 {
		t.Errorf("%d entries built for 40 alternating queries", len(built))
	}
}

func TestLocationCacheSkipsNaN(t *testing.T) {
	c := newLocationCache()
	loc := geo.Location{Country: "DE", Lat: math.NaN(), HasCoords: true}
	for range 3 {
		if c.get(&loc, allLabels) != nil {
			t.Fatal("a location with NaN coordinates was cached")
		}
	}
}

// TestLocationCacheUnusedForClientLabels: with only client labels there is
// nothing to cache, and queries make no entries.
func TestLocationCacheUnusedForClientLabels(t *testing.T) {
	g := newGeo(t, "geo "+cityDB+" {\n labels geo/client/scope geo/client/ecs\n}")
	for range 3 {
		ctx := metadata.ContextWithMetadata(context.Background())
		g.Metadata(ctx, request.Request{W: &test.ResponseWriter{RemoteIP: "192.0.2.1"}, Req: query()})
	}
	c, _ := geo.FromContext(g.Metadata(metadata.ContextWithMetadata(context.Background()),
		request.Request{W: &test.ResponseWriter{RemoteIP: "192.0.2.1"}, Req: query()}))
	if c == nil || c.Location.Country == "" {
		t.Fatal("the query was not located")
	}
	if g.locationFuncs.c.Get(locationHash(&c.Location)) != nil {
		t.Fatal("an entry was made for client labels only")
	}
}

package geo

import (
	"hash/maphash"
	"math"
	"math/bits"

	"github.com/coredns/coredns/plugin/metadata"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/slotcache"
)

// locationCacheBits sizes the location cache: 1024 slots.
const locationCacheBits = 10

// locationCache keeps, for frequent locations, the functions of an instance's
// location labels, so that the queries from one place share them instead of
// allocating a closure per label each (slotcache: a one-off location costs a
// hash and a compare, never an entry).
//
// It is keyed by the Location's value, not by address or database record, so
// an entry stays right across database reloads: it describes exactly the
// location it holds.
type locationCache struct {
	c *slotcache.Cache[locationFuncs]
}

func newLocationCache() locationCache {
	return locationCache{slotcache.New[locationFuncs](locationCacheBits)}
}

// locationFuncs are one location's label functions, indexed like the
// instance's labels; client labels have none.
type locationFuncs struct {
	loc   geo.Location
	funcs []metadata.Func
}

// get returns loc's entry, making one for labels when loc has just missed in
// its slot for the second time in a row; nil otherwise.
func (c locationCache) get(loc *geo.Location, labels []label) *locationFuncs {
	if math.IsNaN(loc.Lat) || math.IsNaN(loc.Lon) {
		return nil // never equal to itself: it would be admitted again and again
	}
	h := locationHash(loc)
	if e := c.c.Get(h); e != nil && e.loc == *loc {
		return e
	}
	if !c.c.Admit(h) {
		return nil
	}
	e := &locationFuncs{loc: *loc, funcs: make([]metadata.Func, len(labels))}
	for j, lb := range labels {
		if lb.ofLocation != nil {
			e.funcs[j] = lb.ofLocation(&e.loc)
		}
	}
	c.c.Store(h, e)
	return e
}

var locationSeed = maphash.MakeSeed()

// locationHash mixes the fields that tell locations apart: the city name, the
// first subdivision, coordinates, country and AS. Locations that share all of
// these share a hash and are told apart by the entry's comparison.
func locationHash(l *geo.Location) uint64 {
	h := maphash.String(locationSeed, l.City) ^ bits.RotateLeft64(maphash.String(locationSeed, l.Subdivisions[0]), 17)
	h ^= math.Float64bits(l.Lat) ^ bits.RotateLeft64(math.Float64bits(l.Lon), 29)
	return h ^ (uint64(l.ASN)<<32 | countryBits(l.Country))
}

// countryBits packs a two-letter code into an integer.
func countryBits(cc string) uint64 {
	if len(cc) != 2 {
		return uint64(len(cc))
	}
	return uint64(cc[0])<<8 | uint64(cc[1])
}

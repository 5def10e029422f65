package geo

import (
	"hash/maphash"
	"math"
	"math/bits"
	"sync/atomic"

	"github.com/coredns/coredns/plugin/metadata"

	"github.com/coretraffic/coretraffic/geo"
)

const (
	locationCacheBits  = 10
	locationCacheSlots = 1 << locationCacheBits
)

// locationCache keeps, for frequent locations, the functions of an instance's
// location labels, so that the queries from one place share them instead of
// allocating a closure per label each. Like the geo library's record cache it
// is direct-mapped and lock-free and admits a location on its second
// consecutive miss in a slot: a one-off location costs a hash and a compare,
// never an entry.
//
// It is keyed by the Location's value, not by address or database record, so
// an entry stays right across database reloads: it describes exactly the
// location it holds.
type locationCache struct {
	entries [locationCacheSlots]atomic.Pointer[locationFuncs]
	misses  [locationCacheSlots]atomic.Uint64 // hash|1 of the slot's last miss
}

// locationFuncs are one location's label functions, indexed like the
// instance's labels; client labels have none.
type locationFuncs struct {
	loc   geo.Location
	funcs []metadata.Func
}

// get returns loc's entry, making one for labels when loc has just missed in
// its slot for the second time in a row; nil otherwise. An admission clears
// the slot's last miss, so that two locations sharing a hash do not replace
// each other's entry on every query.
func (c *locationCache) get(loc *geo.Location, labels []label) *locationFuncs {
	if math.IsNaN(loc.Lat) || math.IsNaN(loc.Lon) {
		return nil // never equal to itself: it would be admitted again and again
	}
	h, i := locationSlot(loc)
	if e := c.entries[i].Load(); e != nil && e.loc == *loc {
		return e
	}
	if c.misses[i].Swap(h) != h {
		return nil
	}
	c.misses[i].Store(0)
	e := &locationFuncs{loc: *loc, funcs: make([]metadata.Func, len(labels))}
	for j, lb := range labels {
		if lb.ofLocation != nil {
			e.funcs[j] = lb.ofLocation(&e.loc)
		}
	}
	c.entries[i].Store(e)
	return e
}

// locationSlot returns loc's hash, never the zero of an unused slot, and its slot.
func locationSlot(loc *geo.Location) (hash, slot uint64) {
	h := locationHash(loc) | 1
	return h, h >> (64 - locationCacheBits)
}

var locationSeed = maphash.MakeSeed()

// locationHash mixes the fields that tell locations apart: the city name, the
// first subdivision, coordinates, country and AS. Locations that share all of
// these share a hash and are told apart by the entry's comparison.
func locationHash(l *geo.Location) uint64 {
	h := maphash.String(locationSeed, l.City) ^ bits.RotateLeft64(maphash.String(locationSeed, l.Subdivisions[0]), 17)
	h ^= math.Float64bits(l.Lat) ^ bits.RotateLeft64(math.Float64bits(l.Lon), 29)
	h ^= uint64(l.ASN)<<32 | countryBits(l.Country)
	return h * 0x9E3779B97F4A7C15
}

// countryBits packs a two-letter code into an integer.
func countryBits(cc string) uint64 {
	if len(cc) != 2 {
		return uint64(len(cc))
	}
	return uint64(cc[0])<<8 | uint64(cc[1])
}

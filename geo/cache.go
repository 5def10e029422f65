package geo

import "github.com/coretraffic/coretraffic/internal/slotcache"

// recordCacheBits sizes the record cache: 8192 slots.
const recordCacheBits = 13

// recordCache keeps decoded Locations by record offset. A database stores each
// distinct record once and every network with the same data points at it, so
// the offset identifies a location for the lifetime of the Database. One-off
// records never allocate and hot ones are decoded once (slotcache).
type recordCache struct {
	c *slotcache.Cache[cachedLocation]
}

func newRecordCache() recordCache {
	return recordCache{slotcache.New[cachedLocation](recordCacheBits)}
}

type cachedLocation struct {
	offset uintptr
	loc    Location
}

func (c recordCache) get(off uintptr) *cachedLocation {
	if e := c.c.Get(uint64(off)); e != nil && e.offset == off {
		return e
	}
	return nil
}

func (c recordCache) put(off uintptr, loc *Location) {
	if c.c.Admit(uint64(off)) {
		c.c.Store(uint64(off), &cachedLocation{offset: off, loc: *loc})
	}
}

package geo

import "sync/atomic"

const recordCacheSlots = 8192 // power of two

// recordCache keeps decoded Locations by record offset. A database stores each
// distinct record once and every network with the same data points at it, so
// the offset identifies a location for the lifetime of the Database. It is
// lock-free and direct-mapped; a record is admitted on its second consecutive
// miss in a slot, so one-off records never allocate and hot ones are decoded
// once.
type recordCache struct {
	entries [recordCacheSlots]atomic.Pointer[cachedLocation]
	misses  [recordCacheSlots]atomic.Uint64
}

type cachedLocation struct {
	offset uintptr
	loc    Location
}

func cacheSlot(off uintptr) uint64 {
	return (uint64(off) * 0x9E3779B97F4A7C15) >> (64 - 13)
}

func (c *recordCache) get(off uintptr) *cachedLocation {
	if e := c.entries[cacheSlot(off)].Load(); e != nil && e.offset == off {
		return e
	}
	return nil
}

func (c *recordCache) put(off uintptr, loc *Location) {
	i := cacheSlot(off)
	if c.misses[i].Swap(uint64(off)+1) == uint64(off)+1 {
		c.entries[i].Store(&cachedLocation{offset: off, loc: *loc})
	}
}

// Package slotcache is a lock-free, direct-mapped cache for values that are
// expensive to build and read on a hot path: an entry is admitted on its key's
// second consecutive miss in a slot, so one-off keys never cost an entry and hot
// ones are built once. The geo library keeps decoded database records in one, the
// geo directive the label functions of frequent locations.
//
// Keys are hashes: the cache never compares values, so callers check that the
// entry a slot holds is theirs.
package slotcache

import "sync/atomic"

// Cache is a direct-mapped cache of *V by 64-bit key. Make one with New.
type Cache[V any] struct {
	shift   uint
	entries []atomic.Pointer[V]
	misses  []atomic.Uint64 // key+1 of each slot's last miss; 0 when none
}

// New returns a cache of 1<<bits slots.
func New[V any](bits uint) *Cache[V] {
	return &Cache[V]{shift: 64 - bits, entries: make([]atomic.Pointer[V], 1<<bits), misses: make([]atomic.Uint64, 1<<bits)}
}

// Get returns the entry in key's slot, or nil; it may be another key's.
func (c *Cache[V]) Get(key uint64) *V { return c.entries[c.slot(key)].Load() }

// Admit records a miss of key and reports whether it was the second in a row in
// its slot: the caller then builds the entry and Stores it. An admission clears
// the slot's last miss, so that keys sharing a slot and a hash do not replace each
// other's entry on every miss.
func (c *Cache[V]) Admit(key uint64) bool {
	i, k := c.slot(key), key+1 // (the key 1<<64-1 is admitted on its first miss)
	if c.misses[i].Swap(k) != k {
		return false
	}
	c.misses[i].Store(0)
	return true
}

// Store puts v in key's slot, replacing what it held.
func (c *Cache[V]) Store(key uint64, v *V) { c.entries[c.slot(key)].Store(v) }

func (c *Cache[V]) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> c.shift }

package cidr

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
)

// Collection is a built, immutable collection: safe for any number of concurrent
// readers.
type Collection struct {
	name   string
	locs   []string
	n      int
	v4, v6 trie

	// For a query shorter than the block the trie finds: the blocks in
	// compareBlocks order (IPv4 first), each with its leaf and its parent.
	keys4 []uint64 // IPv4 block: address<<8 | length
	keys6 []key6
	info  []uint32 // by block index: the block's leaf
	up    []uint32 // by block index: the parent's index + 1, 0 for none
}

// key6 is an IPv6 block, ordered as compareBlocks orders them.
type key6 struct {
	hi, lo uint64
	bits   uint8
}

// Name is the collection's name.
func (c *Collection) Name() string { return c.name }

// Locations returns the location names: Lookup's loc indexes this slice. The
// caller owns the returned copy.
func (c *Collection) Locations() []string { return slices.Clone(c.locs) }

// Len is the number of blocks.
func (c *Collection) Len() int { return c.n }

// Lookup finds the longest block that contains the query prefix addr/bits and is
// no longer than it: loc indexes Locations and matchedBits is the block's prefix
// length. bits is the ECS source prefix length, or the address length for a source
// address; a longer bits counts as the address length, a negative one or an invalid
// addr matches nothing, and 0 matches only a /0 block. An IPv4-mapped IPv6 address
// is looked up as IPv4, bits less 96.
//
// A block longer than the query prefix does not match it, as in Route 53: with
// 10.0.0.0/8 and 10.1.0.0/16, the query 10.1.0.0/12 matches the /8.
func (c *Collection) Lookup(addr netip.Addr, bits int) (loc, matchedBits int, ok bool) {
	loc, matchedBits, _, ok = c.LookupScope(addr, bits)
	return loc, matchedBits, ok
}

// LookupScope is Lookup that also returns the ECS scope of the decision: a prefix
// length, no longer than the query's, such that every query prefix of the query's
// length inside addr/scope gets the same result — the same location and block, or
// no match. It is at least matchedBits, and longer when a more specific block of
// another location nests inside the matched one near the client (10.0.0.0/8 with
// 10.1.0.0/16: the query 10.2.3.0/24 matches the /8 with a scope of 16, not 8, so
// that a resolver does not give the /8's answer to 10.1.0.0/16). For no match it
// is the length from which no block overlaps, so a "no match" answer is never
// shared with a subnet that would match; 0 when the address family has no blocks.
//
// The scope is the trie entry the lookup ended in (the root's 8 or 16 bits, then
// multiples of 8): correct, and at most 7 bits longer than the shortest correct
// one below the root's length. For an IPv4-mapped query it is in IPv6 bits (96
// and more).
func (c *Collection) LookupScope(addr netip.Addr, bits int) (loc, matchedBits, scope int, ok bool) {
	if bits < 0 {
		return 0, 0, 0, false
	}
	var (
		t      *trie
		hi, lo uint64
		width  = 128
		mapped = 0
		query  = min(bits, 128)
	)
	switch {
	case addr.Is4():
		t, width = &c.v4, 32
		v := addr.As4()
		hi = uint64(binary.BigEndian.Uint32(v[:])) << 32
	case addr.Is4In6():
		t, width, bits, mapped = &c.v4, 32, bits-96, 96
		v := addr.As16()
		hi = uint64(binary.BigEndian.Uint32(v[12:])) << 32
	case addr.Is6():
		t = &c.v6
		v := addr.As16()
		hi, lo = binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint64(v[8:])
	default:
		return 0, 0, 0, false
	}
	bits = min(max(bits, 0), width)
	e, depth := t.lookup(hi, lo)
	scope = min(min(depth, bits)+mapped, query)
	if e != 0 && leafBits(e) > bits {
		e = c.shorter(t == &c.v6, hi, lo, e, bits)
	}
	if e == 0 {
		return 0, 0, scope, false
	}
	return leafLoc(e), leafBits(e), scope, true
}

// shorter finds the longest block no longer than bits that contains (hi, lo),
// given e, the leaf of the longest block that contains it: the block is found by
// binary search among the blocks, then its parents are walked. It is the rare
// path (an ECS prefix shorter than the block, a /24 query with /25-/32 blocks).
func (c *Collection) shorter(v6 bool, hi, lo uint64, e uint32, bits int) uint32 {
	l := leafBits(e)
	mh, ml := mask(l)
	var j int
	if v6 {
		j, _ = slices.BinarySearchFunc(c.keys6, key6{hi & mh, lo & ml, uint8(l)}, compareKey6)
		j += len(c.keys4)
	} else {
		j, _ = slices.BinarySearch(c.keys4, (hi&mh)>>24|uint64(l))
	}
	for {
		p := c.up[j]
		if p == 0 {
			return 0
		}
		j = int(p - 1)
		if e = c.info[j]; leafBits(e) <= bits {
			return e
		}
	}
}

func compareKey6(x, y key6) int {
	switch {
	case x.hi != y.hi:
		return cmp.Compare(x.hi, y.hi)
	case x.lo != y.lo:
		return cmp.Compare(x.lo, y.lo)
	}
	return cmp.Compare(x.bits, y.bits)
}

// build fills c from blks, sorted by compareBlocks: IPv4 first.
func (c *Collection) build(blks []block) {
	n4, _ := slices.BinarySearchFunc(blks, true, func(k block, v6 bool) int {
		if !k.v6 {
			return -1
		}
		return 0
	})
	c.v4.build(blks[:n4])
	c.v6.build(blks[n4:])
	c.keys4 = make([]uint64, n4)
	c.keys6 = make([]key6, len(blks)-n4)
	c.info = make([]uint32, len(blks))
	c.up = make([]uint32, len(blks))
	var stack []int
	for j := range blks {
		k := &blks[j]
		if k.v6 {
			c.keys6[j-n4] = key6{k.hi, k.lo, k.bits}
		} else {
			c.keys4[j] = k.hi>>24 | uint64(k.bits)
		}
		c.info[j] = leafOf(k)
		for len(stack) > 0 && !contains(&blks[stack[len(stack)-1]], k) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			c.up[j] = uint32(stack[len(stack)-1] + 1)
		}
		stack = append(stack, j)
	}
}

// contains says whether block a contains block b.
func contains(a, b *block) bool {
	if a.v6 != b.v6 || a.bits > b.bits {
		return false
	}
	hm, lm := mask(int(a.bits))
	return b.hi&hm == a.hi && b.lo&lm == a.lo
}

// mask is the 128-bit mask of a prefix of length n.
func mask(n int) (hi, lo uint64) {
	switch {
	case n >= 128:
		return ^uint64(0), ^uint64(0)
	case n > 64:
		return ^uint64(0), ^(^uint64(0) >> (n - 64))
	case n == 0:
		return 0, 0
	}
	return ^(^uint64(0) >> n), 0
}

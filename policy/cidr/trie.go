package cidr

import "math/bits"

// A trie holds the blocks of one address family: a direct-indexed root on the
// first 16 bits (8 for a small family, so that a small collection stays small),
// then nodes of stride 8, each compressed with two 256-bit maps
// and popcount (as in poptrie, Asai and Ohara, SIGCOMM 2015). Every entry of the
// uncompressed node is either a child node or a leaf; children of a node are
// contiguous in nodes, its leaves contiguous in leaves, and runs of equal leaves
// are stored once.
type trie struct {
	rootBits int      // 8 or 16
	root     []uint32 // 1<<rootBits entries: a leaf, or ptr|node index; nil: no blocks
	nodes    []node
	leaves   []uint32
}

// node is one stride of 8 bits below the root.
type node struct {
	child     [4]uint64 // bit i: entry i is a child node
	leaf      [4]uint64 // bit i: entry i is a leaf that starts a run of equal leaves
	childBase uint32    // index in nodes of the first child
	leafBase  uint32    // index in leaves of the first run
}

// A leaf describes the longest block covering an entry, 0 if none:
//
//	bits  0..22  the block's location index + 1
//	bits 23..30  the block's prefix length
//
// A root entry with bit 31 set points to a node instead (the other bits). Leaves
// are 4 bytes because at a million blocks the leaf is the load that misses the
// caches (see the package documentation).
const (
	ptr      = uint32(1) << 31
	locBits  = 23
	locMask  = 1<<locBits - 1
	lenShift = locBits
)

// bigRoot is the number of blocks from which a family gets a 16-bit root (256 KiB)
// rather than an 8-bit one (1 KiB) and one more node on most paths.
const bigRoot = 1024

func leafOf(k *block) uint32 { return uint32(k.loc+1) | uint32(k.bits)<<lenShift }

func leafBits(e uint32) int { return int(e >> lenShift & 0xff) }

func leafLoc(e uint32) int { return int(e&locMask) - 1 }

// stride8 is the byte of (hi, lo) that starts at bit offset base (a multiple of 8, 8..120).
func stride8(hi, lo uint64, base int) uint {
	if base < 64 {
		return uint(hi>>(56-base)) & 0xff
	}
	return uint(lo>>(120-base)) & 0xff
}

// lookup returns the leaf of the longest block containing (hi, lo) and the length
// of the trie entry that held it: no block longer than that overlaps the entry, so
// every address of the entry's prefix gets the same leaf. An empty trie holds no
// block at all: depth 0.
func (t *trie) lookup(hi, lo uint64) (leaf uint32, depth int) {
	if t.root == nil {
		return 0, 0
	}
	e := t.root[hi>>(64-t.rootBits)]
	if e&ptr == 0 {
		return e, t.rootBits
	}
	n := &t.nodes[e&^ptr]
	for base := t.rootBits; ; base += 8 {
		i := stride8(hi, lo, base)
		w, bit := i>>6, uint64(1)<<(i&63)
		if n.child[w]&bit != 0 {
			r := bits.OnesCount64(n.child[w] & (bit - 1))
			for j := range w {
				r += bits.OnesCount64(n.child[j])
			}
			n = &t.nodes[n.childBase+uint32(r)]
			continue
		}
		r := bits.OnesCount64(n.leaf[w] & (bit | (bit - 1)))
		for j := range w {
			r += bits.OnesCount64(n.leaf[j])
		}
		return t.leaves[n.leafBase+uint32(r)-1], base + 8
	}
}

// build fills t from blks, sorted by compareBlocks (a block before the blocks
// nested in it).
func (t *trie) build(blks []block) {
	if len(blks) == 0 {
		return
	}
	t.rootBits = 8
	if len(blks) >= bigRoot {
		t.rootBits = 16
	}
	rb, shift := uint8(t.rootBits), 64-t.rootBits
	t.root = make([]uint32, 1<<rb)
	t.leaves = make([]uint32, 0, len(blks)+len(blks)/2) // the BGP-like mix needs 1.5 a block
	t.nodes = make([]node, 0, len(blks)/8+1)
	for j := range blks {
		if k := &blks[j]; k.bits <= rb {
			i := k.hi >> shift
			fill(t.root[i:i+1<<(rb-k.bits)], leafOf(k))
		}
	}
	for j := 0; j < len(blks); {
		if blks[j].bits <= rb {
			j++
			continue
		}
		i := blks[j].hi >> shift
		end := j + 1
		for end < len(blks) && blks[end].hi>>shift == i {
			end++
		}
		ni := len(t.nodes)
		t.nodes = append(grow(t.nodes, 1), node{})
		t.node(ni, blks[j:end], t.rootBits, t.root[i])
		t.root[i] = ptr | uint32(ni)
		j = end
	}
	t.leaves, t.nodes = trim(t.leaves), trim(t.nodes)
}

// trim returns s without more than an eighth of spare capacity.
func trim[S ~[]E, E any](s S) S {
	if cap(s)-len(s) > len(s)/8 {
		return append(S(nil), s...)
	}
	return s
}

// node builds node ni for the span at bit offset base from blks, the blocks
// longer than base inside that span; def is the leaf of the longest block that
// covers the whole span.
func (t *trie) node(ni int, blks []block, base int, def uint32) {
	var ent [256]uint32
	fill(ent[:], def)
	end := base + 8
	for j := range blks {
		if k := &blks[j]; int(k.bits) <= end {
			i := stride8(k.hi, k.lo, base)
			fill(ent[i:i+1<<(end-int(k.bits))], leafOf(k))
		}
	}
	type group struct{ i, from, to int }
	var kids []group
	for j := 0; j < len(blks); {
		if int(blks[j].bits) <= end {
			j++
			continue
		}
		i := int(stride8(blks[j].hi, blks[j].lo, base))
		to := j + 1
		for to < len(blks) && int(stride8(blks[to].hi, blks[to].lo, base)) == i {
			to++
		}
		kids = append(kids, group{i, j, to})
		j = to
	}
	n := node{childBase: uint32(len(t.nodes)), leafBase: uint32(len(t.leaves))}
	for _, g := range kids {
		n.child[g.i>>6] |= 1 << (g.i & 63)
	}
	last, have := uint32(0), false
	for i, e := range ent {
		if n.child[i>>6]&(1<<(i&63)) != 0 {
			continue
		}
		if !have || e != last {
			n.leaf[i>>6] |= 1 << (i & 63)
			t.leaves = append(grow(t.leaves, 1), e)
			last, have = e, true
		}
	}
	t.nodes[ni] = n
	t.nodes = grow(t.nodes, len(kids))
	t.nodes = t.nodes[:len(t.nodes)+len(kids)]
	for c, g := range kids {
		t.node(int(n.childBase)+c, blks[g.from:g.to], end, ent[g.i])
	}
}

func fill(s []uint32, v uint32) {
	for i := range s {
		s[i] = v
	}
}

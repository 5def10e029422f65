package policy

import (
	"hash/fnv"
	"math"
)

// Sticky weighted: weighted rendezvous hashing (highest random weight). Each child j
// draws u_j in (0,1) from a hash of the client subnet and the child's key; the
// child with the highest score −w_j / ln(u_j) — the lowest ln(u_j) / −w_j — wins.
// The winner is child j with probability w_j / Σw over clients, a client keeps its
// child while other children come and go, and when its child is removed or down it
// moves to the child with its next highest score: only the clients of that child
// move.

// stickySeed is a child's rendezvous key: fixed by what the child is, not by where it
// stands among its siblings, so adding or removing a sibling leaves it unchanged. It
// is the child's name, else a leaf's value, else its path in the tree.
func stickySeed(n *Node, path string) uint64 {
	key := n.Name
	switch {
	case key != "":
		key = "name:" + key
	case n.Rule == RuleLeaf:
		key = "value:" + n.Value
	default:
		key = "path:" + path
	}
	// A fixed hash (not seeded per process): every replica and every restart sends
	// a client to the same child.
	f := fnv.New64a()
	f.Write([]byte(key))
	return fmix64(f.Sum64())
}

// fmix64 is MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// unit maps the client hash and a child's seed to a number in (0,1).
func unit(client, seed uint64) float64 {
	x := fmix64(client ^ seed)
	x = fmix64(x + seed)
	return (float64(x>>11) + 0.5) / (1 << 53)
}

// ln is the natural logarithm of a positive normal x, to about 1e-13 relative, in a
// few nanoseconds (math.Log costs several times more, and the hot path takes one per
// child): x = m·2^e with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172.
func ln(x float64) float64 {
	b := math.Float64bits(x)
	e := int(b>>52&0x7ff) - 1023
	m := math.Float64frombits(b&^(0x7ff<<52) | 1023<<52)
	if m > math.Sqrt2 {
		m *= 0.5
		e++
	}
	s := (m - 1) / (m + 1)
	s2 := s * s
	p := s * (2 + s2*(2.0/3+s2*(2.0/5+s2*(2.0/7+s2*(2.0/9+s2*(2.0/11+s2*(2.0/13+s2*(2.0/15+s2*(2.0/17)))))))))
	return float64(e)*math.Ln2 + p
}

// clientHash hashes the leading bits of the client subnet; ok is false when the
// input has no client subnet. bits is how many bits were hashed: the ECS scope of
// the answer.
func (e *evaluation) clientHash(nd *cnode) (h uint64, bits int, ok bool) {
	if e.in == nil || !e.in.Client.IsValid() {
		return 0, 0, false
	}
	p := e.in.Client
	addr := p.Addr()
	bits = int(nd.bits6)
	fam := uint64(6)
	if addr.Is4() {
		bits, fam = int(nd.bits4), 4
	}
	bits = min(bits, p.Bits())
	masked, err := addr.Prefix(bits)
	if err != nil {
		return 0, 0, false
	}
	a := masked.Addr().As16()
	hi := uint64(a[0])<<56 | uint64(a[1])<<48 | uint64(a[2])<<40 | uint64(a[3])<<32 |
		uint64(a[4])<<24 | uint64(a[5])<<16 | uint64(a[6])<<8 | uint64(a[7])
	lo := uint64(a[8])<<56 | uint64(a[9])<<48 | uint64(a[10])<<40 | uint64(a[11])<<32 |
		uint64(a[12])<<24 | uint64(a[13])<<16 | uint64(a[14])<<8 | uint64(a[15])
	h = fmix64(hi ^ 0x9e3779b97f4a7c15)
	h = fmix64(h ^ lo)
	h = fmix64(h ^ uint64(bits)<<8 ^ fam)
	return h, bits, true
}

// sticky picks among children by weighted rendezvous hashing of the client subnet,
// skipping the ones found down; weight-0 children (equal shares among them) only
// when every weighted one is down, as weighted does. Without a client subnet it
// picks at random.
func (e *evaluation) sticky(nd *cnode) bool {
	h, bits, ok := e.clientHash(nd)
	if !ok {
		return e.weighted(nd)
	}
	e.clientBits = max(e.clientBits, uint8(bits))
	kids := e.kids(nd)
	var tried [MaxChildren / 64]uint64
	for zero := range 2 {
		for {
			best, bestKey := -1, math.Inf(1)
			for j, c := range kids {
				ch := &e.t.nodes[c]
				if tried[j/64]&(1<<(j%64)) != 0 || (zero == 1) != (ch.weight == 0) {
					continue
				}
				if k := -ln(unit(h, ch.seed)) / float64(e.weightOf(c, zero == 1)); k < bestKey {
					best, bestKey = j, k
				}
			}
			if best < 0 {
				break
			}
			if e.eval(kids[best]) {
				return true
			}
			tried[best/64] |= 1 << (best % 64)
		}
	}
	return false
}

package cidr

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// entry is one block of a test collection.
type entry struct {
	p   netip.Prefix
	loc string
}

// reference is the obviously correct lookup: a scan of every block.
type reference struct {
	blocks []entry
	locs   map[string]int
}

func newReference(es []entry) *reference {
	r := &reference{locs: map[string]int{}}
	for _, e := range es {
		if _, ok := r.locs[e.loc]; !ok {
			r.locs[e.loc] = len(r.locs)
		}
		p := e.p
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		r.blocks = append(r.blocks, entry{p, e.loc})
	}
	return r
}

func (r *reference) lookup(addr netip.Addr, bits int) (loc string, matched int, ok bool) {
	if !addr.IsValid() || bits < 0 {
		return "", 0, false
	}
	if addr.Is4In6() {
		addr, bits = addr.Unmap(), max(bits-96, 0)
	}
	addr = addr.WithZone("")
	bits = min(bits, addr.BitLen())
	matched = -1
	for _, b := range r.blocks {
		if b.p.Addr().BitLen() == addr.BitLen() && b.p.Bits() <= bits && b.p.Contains(addr) && b.p.Bits() > matched {
			loc, matched = b.loc, b.p.Bits()
		}
	}
	if matched < 0 {
		return "", 0, false
	}
	return loc, matched, true
}

func build(es []entry) (*Collection, error) {
	b := NewBuilder("test")
	for i, e := range es {
		if err := b.Add(e.p, e.loc, Pos{File: "test.cidr", Line: i + 1}); err != nil {
			return nil, err
		}
	}
	return b.Build()
}

// mix makes n distinct blocks shaped like a BGP table: nine in ten IPv4, most of
// them /24 and /16-/23 inside a limited set of busy /16s (so blocks nest), the rest
// IPv6 /32-/48 inside a set of /32 allocations.
func mix(n int, seed uint64) []entry {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	hot4 := make([]uint32, 40000)
	for i := range hot4 {
		hot4[i] = (1+rng.Uint32N(223))<<24 | rng.Uint32N(256)<<16
	}
	hot6 := make([]uint64, 8000)
	for i := range hot6 {
		hot6[i] = 0x2000_0000_0000_0000 | uint64(rng.Uint32N(1<<28))<<32
	}
	seen := make(map[netip.Prefix]bool, n)
	out := make([]entry, 0, n)
	for len(out) < n {
		var p netip.Prefix
		if rng.IntN(10) < 9 {
			var bits int
			switch r := rng.IntN(100); {
			case r < 60:
				bits = 24
			case r < 80:
				bits = 21 + rng.IntN(3)
			case r < 97:
				bits = 16 + rng.IntN(5)
			default:
				bits = 8 + rng.IntN(8)
			}
			a := hot4[rng.IntN(len(hot4))] | rng.Uint32N(1<<16)
			if rng.IntN(20) == 0 {
				a = rng.Uint32()
			}
			p = netip.PrefixFrom(addr4(a), bits).Masked()
		} else {
			bits := 48
			switch r := rng.IntN(10); {
			case r < 2:
				bits = 32
			case r < 5:
				bits = 33 + rng.IntN(15)
			}
			hi := hot6[rng.IntN(len(hot6))] | uint64(rng.Uint32())
			p = netip.PrefixFrom(addr6(hi, 0), bits).Masked()
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, entry{p, fmt.Sprintf("loc%03d", rng.IntN(256))})
	}
	return out
}

func addr4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

func addr6(hi, lo uint64) netip.Addr {
	var v [16]byte
	for i := range 8 {
		v[i], v[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	return netip.AddrFrom16(v)
}

// query is one lookup.
type query struct {
	addr netip.Addr
	bits int
}

// inside makes n queries for random addresses inside random blocks of es: the
// full address, or with ecs4 and ecs6 not 0 an ECS prefix of that length.
func inside(es []entry, n int, ecs4, ecs6 int, seed uint64) []query {
	rng := rand.New(rand.NewPCG(seed, 1))
	qs := make([]query, n)
	for i := range qs {
		p := es[rng.IntN(len(es))].p
		hi, lo := rng.Uint64(), rng.Uint64()
		a := p.Addr()
		if a.Is4() {
			v := a.As4()
			m := ^uint32(0) >> p.Bits()
			if p.Bits() == 0 {
				m = ^uint32(0)
			}
			a = addr4(uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]) | uint32(hi)&m)
		} else {
			v := a.As16()
			ph, pl := beU64(v[:8]), beU64(v[8:])
			mh, ml := mask(p.Bits())
			a = addr6(ph|hi&^mh, pl|lo&^ml)
		}
		bits := a.BitLen()
		if ecs4 != 0 {
			bits = map[bool]int{true: ecs4, false: ecs6}[a.Is4()]
			a = netip.PrefixFrom(a, bits).Masked().Addr()
		}
		qs[i] = query{a, bits}
	}
	return qs
}

func beU64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// naive is the baseline the trie is measured against: one hash map per prefix
// length, probed from the query's length down.
type naive struct {
	lens4, lens6 []int // lengths present, longest first
	m            map[netip.Prefix]int32
}

func newNaive(es []entry) *naive {
	n := &naive{m: make(map[netip.Prefix]int32, len(es))}
	locs := map[string]int32{}
	var have4, have6 [129]bool
	for _, e := range es {
		l, ok := locs[e.loc]
		if !ok {
			l = int32(len(locs))
			locs[e.loc] = l
		}
		n.m[e.p] = l
		if e.p.Addr().Is4() {
			have4[e.p.Bits()] = true
		} else {
			have6[e.p.Bits()] = true
		}
	}
	for l := 128; l >= 0; l-- {
		if have4[l] {
			n.lens4 = append(n.lens4, l)
		}
		if have6[l] {
			n.lens6 = append(n.lens6, l)
		}
	}
	return n
}

func (n *naive) lookup(addr netip.Addr, bits int) (int, int, bool) {
	lens := n.lens6
	if addr.Is4() {
		lens = n.lens4
	}
	for _, l := range lens {
		if l > bits {
			continue
		}
		p, _ := addr.Prefix(l)
		if loc, ok := n.m[p]; ok {
			return int(loc), l, true
		}
	}
	return 0, 0, false
}

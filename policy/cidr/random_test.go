package cidr

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// randomAddr draws from a few seed addresses with a few bits flipped, so that
// random blocks nest and random queries hit them.
func randomAddr(rng *rand.Rand, v6 bool) netip.Addr {
	if !v6 {
		a := [...]uint32{0x0a000000, 0xc0000200, 0x00000000, 0xffffffff}[rng.IntN(4)]
		for range rng.IntN(4) {
			a ^= 1 << rng.IntN(32)
		}
		return addr4(a)
	}
	hi, lo := [...]uint64{0x20010db800000000, 0, 0xfe80000000000000}[rng.IntN(3)], uint64(0)
	for range rng.IntN(5) {
		if i := rng.IntN(128); i < 64 {
			hi ^= 1 << i
		} else {
			lo ^= 1 << (i - 64)
		}
	}
	return addr6(hi, lo)
}

func randomEntries(rng *rand.Rand, n int) []entry {
	seen := map[netip.Prefix]bool{}
	var es []entry
	for len(es) < n {
		v6 := rng.IntN(3) == 0
		a := randomAddr(rng, v6)
		p := netip.PrefixFrom(a, rng.IntN(a.BitLen()+1)).Masked()
		if seen[canonical(p)] {
			continue
		}
		seen[canonical(p)] = true
		if !v6 && rng.IntN(8) == 0 { // the same block written IPv4-mapped
			p = netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), p.Bits()+96)
		}
		es = append(es, entry{p, fmt.Sprint("l", rng.IntN(7))})
	}
	return es
}

func randomQuery(rng *rand.Rand) query {
	a := randomAddr(rng, rng.IntN(3) == 0)
	if a.Is4() && rng.IntN(6) == 0 {
		a = netip.AddrFrom16(a.As16())
	}
	bits := a.BitLen()
	if rng.IntN(2) == 0 {
		bits = rng.IntN(a.BitLen()+10) - 3
	}
	return query{a, bits}
}

// TestAgainstReference: many random collections and queries give the answers of
// the linear scan.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rounds := 300
	if testing.Short() {
		rounds = 30
	}
	for round := range rounds {
		n := 1 + rng.IntN(200)
		if round%50 == 0 { // above bigRoot: the 16-bit root
			n = 2 * bigRoot
		}
		es := randomEntries(rng, n)
		c, err := build(es)
		if err != nil {
			t.Fatal(err)
		}
		ref := newReference(es)
		for range 500 {
			q := randomQuery(rng)
			checkQuery(t, c, ref, q)
			if t.Failed() {
				t.Fatalf("round %d, %d blocks", round, len(es))
			}
		}
	}
}

// TestBGPMixAgainstReference checks the benchmark mix itself, with the naive map
// baseline as the reference (a scan would take too long).
func TestBGPMixAgainstReference(t *testing.T) {
	es := mix(20000, 7)
	c, err := build(es)
	if err != nil {
		t.Fatal(err)
	}
	nv := newNaive(es)
	rng := rand.New(rand.NewPCG(3, 4))
	qs := append(inside(es, 20000, 0, 0, 1), inside(es, 20000, 24, 56, 2)...)
	for range 20000 {
		qs = append(qs, query{addr4(rng.Uint32()), 32 - rng.IntN(16)})
	}
	for _, q := range qs {
		loc, m, ok := c.Lookup(q.addr, q.bits)
		nloc, nm, nok := nv.lookup(q.addr, q.bits)
		if ok != nok || ok && (m != nm || loc != nloc) {
			t.Fatalf("Lookup(%s, %d) = %d /%d %v, naive %d /%d %v", q.addr, q.bits, loc, m, ok, nloc, nm, nok)
		}
	}
}

func checkQuery(t *testing.T, c *Collection, ref *reference, q query) {
	t.Helper()
	loc, m, ok := c.Lookup(q.addr, q.bits)
	want, wm, wok := ref.lookup(q.addr, q.bits)
	got := ""
	if ok {
		got = c.Locations()[loc]
	}
	if ok != wok || got != want || m != wm {
		t.Errorf("Lookup(%s, %d) = %q /%d %v, reference %q /%d %v", q.addr, q.bits, got, m, ok, want, wm, wok)
	}
}

// TestScopeAgainstReference: every query prefix of the query's length inside the
// scope LookupScope reports gets the reference's answer for the query itself, and
// the scope lies between the matched block's length and the query's.
func TestScopeAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	for round := range rounds {
		n := 1 + rng.IntN(200)
		if round%50 == 0 {
			n = 2 * bigRoot
		}
		es := randomEntries(rng, n)
		c, err := build(es)
		if err != nil {
			t.Fatal(err)
		}
		ref := newReference(es)
		for range 300 {
			q := randomQuery(rng)
			if q.bits < 0 || q.addr.Is4In6() && q.bits < 96 { // not a prefix of IPv4 addresses
				continue
			}
			loc, m, scope, ok := c.LookupScope(q.addr, q.bits)
			if l2, m2, ok2 := c.Lookup(q.addr, q.bits); l2 != loc || m2 != m || ok2 != ok {
				t.Fatalf("LookupScope and Lookup disagree on %s/%d", q.addr, q.bits)
			}
			qbits := min(q.bits, q.addr.BitLen())
			mbits := m
			if q.addr.Is4In6() {
				mbits += 96
			}
			if scope > qbits || ok && scope < min(mbits, qbits) {
				t.Fatalf("round %d: %s/%d: scope %d outside matched /%d .. query /%d", round, q.addr, q.bits, scope, mbits, qbits)
			}
			want, wm, wok := ref.lookup(q.addr, q.bits)
			for range 8 {
				a := flipAfter(rng, q.addr, scope)
				got, gm, gok := ref.lookup(a, q.bits)
				if got != want || gm != wm || gok != wok {
					t.Fatalf("round %d: %s/%d has scope /%d, but %s/%d gets %q /%d %v, not %q /%d %v",
						round, q.addr, q.bits, scope, a, q.bits, got, gm, gok, want, wm, wok)
				}
			}
		}
	}
}

// flipAfter flips random bits of a at offsets scope and beyond.
func flipAfter(rng *rand.Rand, a netip.Addr, scope int) netip.Addr {
	if scope >= a.BitLen() {
		return a
	}
	b := a.AsSlice()
	off := len(b)*8 - a.BitLen() // 0: the address's own bits
	for range 1 + rng.IntN(4) {
		i := off + scope + rng.IntN(a.BitLen()-scope)
		b[i/8] ^= 0x80 >> (i % 8)
	}
	r, _ := netip.AddrFromSlice(b)
	return r
}

// TestScopeEmptyFamily: a family without blocks decides nothing: scope 0 (96 for an
// IPv4-mapped query, whose first 96 bits say it is IPv4).
func TestScopeEmptyFamily(t *testing.T) {
	c, err := build([]entry{{mp("2001:db8::/32"), "x"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		bits int
		want int
	}{{"192.0.2.1", 32, 0}, {"::ffff:192.0.2.1", 128, 96}, {"2001:db8::1", 128, 32}, {"2001:db9::", 56, 32}, {"2001:db8::", 24, 24}, {"3000::", 128, 8}} {
		if _, _, scope, _ := c.LookupScope(netip.MustParseAddr(tc.q), tc.bits); scope != tc.want {
			t.Errorf("%s/%d: scope %d, want %d", tc.q, tc.bits, scope, tc.want)
		}
	}
}

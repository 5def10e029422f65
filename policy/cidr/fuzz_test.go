package cidr

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParse: any input either parses into a collection that answers as the
// reference built from the same lines, or fails with an *Error naming the file
// and a line of the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"203.0.113.0/24 eu-west\n203.0.113.128/25 us-east\n",
		"# c\n\n10.0.0.0/8 a # x\n::ffff:10.1.0.0/112 b\n2001:db8::/32\tc\r\n",
		"0.0.0.0/0 any\n::/0 any6\n10.1.0.0/8 a\n",
		"10.0.0.0/8 a\n10.0.0.0/8 b\n",
		"10.0.0.1 a\n", "x", "1.2.3.4/32 a b\n", "fe80::/10%eth0 a\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Parse(strings.NewReader(in), "fuzz.cidr", "fuzz")
		lines := strings.Count(in, "\n") + 1
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.cidr" || e.Line < 1 || e.Line > lines || !strings.HasPrefix(err.Error(), "fuzz.cidr:") {
				t.Fatalf("error %T %q: want an *Error at fuzz.cidr:1..%d", err, err, lines)
			}
			return
		}
		var es []entry
		for line := range strings.SplitSeq(in, "\n") {
			line, _, _ = strings.Cut(line, "#")
			fs := strings.Fields(line)
			if len(fs) == 0 {
				continue
			}
			es = append(es, entry{netip.MustParsePrefix(fs[0]), fs[1]})
		}
		if c.Len() != len(es) {
			t.Fatalf("Len %d, %d blocks in the input", c.Len(), len(es))
		}
		ref := newReference(es)
		for _, e := range es {
			a := e.p.Addr()
			for _, bits := range []int{e.p.Bits(), a.BitLen(), e.p.Bits() - 1, 0} {
				checkQuery(t, c, ref, query{a, bits})
			}
		}
	})
}

// FuzzLookup: a collection built from fuzzer-chosen blocks answers every query as
// the linear-scan reference.
func FuzzLookup(f *testing.F) {
	f.Add([]byte{10, 0, 0, 0, 8, 10, 1, 0, 0, 16, 1}, []byte{10, 1, 2, 3}, 24)
	f.Add([]byte{0, 0, 0, 0, 0, 192, 0, 2, 128, 25, 3}, []byte{192, 0, 2, 200}, 32)
	f.Add([]byte{0x20, 0x01, 0x0d, 0xb8, 32, 0x20, 0x01, 0x0d, 0xb8, 48}, []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128)
	f.Fuzz(func(t *testing.T, blocks, addr []byte, bits int) {
		// blocks: groups of 5 bytes for IPv4 (address, length) unless the first
		// byte is 0x20, then 16+1 bytes for IPv6 (short groups are zero-padded).
		var es []entry
		seen := map[netip.Prefix]bool{}
		for len(blocks) > 0 && len(es) < 64 {
			n := 5
			if blocks[0] == 0x20 {
				n = 17
			}
			var g [17]byte
			copy(g[:n], blocks)
			blocks = blocks[min(n, len(blocks)):]
			var a netip.Addr
			if n == 5 {
				a = netip.AddrFrom4([4]byte(g[:4]))
			} else {
				a = netip.AddrFrom16([16]byte(g[:16]))
			}
			p := netip.PrefixFrom(a, int(g[n-1])%(a.BitLen()+1)).Masked()
			if seen[p] {
				continue
			}
			seen[p] = true
			es = append(es, entry{p, string(rune('a' + len(es)%5))})
		}
		c, err := build(es)
		if err != nil {
			t.Fatal(err)
		}
		ref := newReference(es)
		var a netip.Addr
		switch len(addr) {
		case 4:
			a = netip.AddrFrom4([4]byte(addr))
		case 16:
			a = netip.AddrFrom16([16]byte(addr))
		default:
			if len(addr) > 16 {
				a = netip.AddrFrom16([16]byte(addr[:16]))
			}
		}
		checkQuery(t, c, ref, query{a, bits})
		for _, e := range es { // and the edges of every block
			checkQuery(t, c, ref, query{e.p.Addr(), e.p.Bits()})
			checkQuery(t, c, ref, query{e.p.Addr(), bits})
		}
	})
}

package policy

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/cpuclock"
)

// BenchmarkEvaluateIP measures one ip decision (target ≤ 300 ns, 0 allocs): with
// the small corp collection (a match, the match's child down, no match) and with a
// collection of a million blocks read from a file, queried at random addresses of
// its blocks (as /32 and as an ECS /24) from 65536 clients, so that most lookups
// miss the caches, and from 1024 clients ("hot": an authoritative server's
// resolvers), whose paths stay in the caches.
//
//	go test -run '^$' -bench BenchmarkEvaluateIP -benchmem -count 5 ./policy/
func BenchmarkEvaluateIP(b *testing.B) {
	corp := corpCollection(b)
	for _, bc := range []struct {
		name   string
		client string
		down   []string
	}{
		{"small/match", "10.1.2.3/32", nil},
		{"small/match down", "10.2.3.4/32", []string{"a"}},
		{"small/no match", "203.0.113.7/32", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newChecks("a", "b", "c", "d")
			c.down(bc.down...)
			tree := compileA(b, ipNode(corp, loc("eu", leaf("192.0.2.1", "a")), loc("us", leaf("192.0.2.2", "b")), loc("*", leaf("192.0.2.9", "d"))), c)
			in := &Input{Client: netip.MustParsePrefix(bc.client)}
			out := make([]int32, tree.MaxAnswers())
			b.ReportAllocs()
			defer cpuclock.Thread(b)()
			for b.Loop() {
				tree.Evaluate(in, out)
			}
		})
	}
	data, blocks := writeBigCollection(b, 1_000_000)
	d, _, err := ParseFile(data)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := Compile(d, nil, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	tree := snap.Zone("example.net.").Set("www.example.net.", dns.TypeA).Tree
	for _, bc := range []struct {
		name    string
		ecs, qs int
	}{{"1M/32", 32, 1 << 16}, {"1M/24", 24, 1 << 16}, {"1M/24 hot", 24, 1 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			qs := bigQueries(blocks, bc.ecs, bc.qs)
			out := make([]int32, tree.MaxAnswers())
			in := &Input{}
			b.ReportAllocs()
			defer cpuclock.Thread(b)()
			i := 0
			for b.Loop() {
				in.Client = qs[i&(len(qs)-1)]
				tree.Evaluate(in, out)
				i++
			}
		})
	}
}

// BenchmarkLoadIP1M measures reading a data file whose collection file has a
// million blocks: parse, build and compile.
//
//	go test -run '^$' -bench BenchmarkLoadIP1M -benchmem -count 5 ./policy/
func BenchmarkLoadIP1M(b *testing.B) {
	data, _ := writeBigCollection(b, 1_000_000)
	defer cpuclock.Process(b)()
	for b.Loop() {
		d, _, err := ParseFile(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(d, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// bigLocations is the number of locations of the big collection; every one has a
// child (MaxChildren bounds them), and "*" answers the rest of the Internet.
const bigLocations = 200

// writeBigCollection writes n distinct blocks shaped like a BGP table (nine in ten
// IPv4, most /24 and /16-/23 inside 8192 busy /16s so that blocks nest; the rest IPv6
// /32-/48) to a collection file, and a data file whose www A is an ip node over it.
func writeBigCollection(tb testing.TB, n int) (string, []netip.Prefix) {
	tb.Helper()
	dir := tb.TempDir()
	rng := rand.New(rand.NewPCG(11, 12))
	seen := make(map[netip.Prefix]bool, n)
	blocks := make([]netip.Prefix, 0, n)
	f, err := os.Create(filepath.Join(dir, "bgp.cidr"))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for len(blocks) < n {
		var p netip.Prefix
		if rng.IntN(10) > 0 {
			hi := uint32(1+rng.IntN(8192)) * 0x7919 << 16 // a busy /16
			a := hi | rng.Uint32()&0xffff
			bits := 24
			if rng.IntN(4) == 0 {
				bits = 16 + rng.IntN(8)
			}
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits).Masked()
		} else {
			var a [16]byte
			a[0], a[1], a[2], a[3] = 0x20, 0x01, byte(rng.IntN(64)), byte(rng.IntN(256))
			a[4], a[5] = byte(rng.Uint32()), byte(rng.Uint32())
			p = netip.PrefixFrom(netip.AddrFrom16(a), 32+rng.IntN(17)).Masked()
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		blocks = append(blocks, p)
		fmt.Fprintf(w, "%s l%d\n", p, rng.IntN(bigLocations))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	yaml := "cidr_collections:\n  bgp: {file: bgp.cidr}\nzones:\n  example.net:\n    records:\n      www:\n        A:\n          collection: bgp\n          ip:\n"
	for i := range bigLocations {
		yaml += fmt.Sprintf("            - {location: l%d, value: 192.0.2.%d}\n", i, i%250+1)
	}
	yaml += "            - {location: \"*\", value: 198.51.100.1}\n"
	data := filepath.Join(dir, "data.yaml")
	if err := os.WriteFile(data, []byte(yaml), 0o644); err != nil {
		tb.Fatal(err)
	}
	return data, blocks
}

// bigQueries are n client subnets of length bits at random addresses inside random
// blocks.
func bigQueries(blocks []netip.Prefix, bits, n int) []netip.Prefix {
	rng := rand.New(rand.NewPCG(13, 14))
	qs := make([]netip.Prefix, n)
	for i := range qs {
		p := blocks[rng.IntN(len(blocks))]
		a := p.Addr().AsSlice()
		for j := p.Bits(); j < len(a)*8; j++ {
			if rng.IntN(2) == 0 {
				a[j/8] ^= 0x80 >> (j % 8)
			}
		}
		addr, _ := netip.AddrFromSlice(a)
		qb := bits
		if addr.Is6() {
			qb = bits + 24 // /32 → /56 (an IPv6 ECS), /24 → /48
		}
		qs[i] = netip.PrefixFrom(addr, min(qb, addr.BitLen())).Masked()
	}
	return qs
}

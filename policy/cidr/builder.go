package cidr

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// Error is the error type of this package: file, line, field path and message, the
// same type (and so the same format) as the policy and healthcheck data files.
type Error = healthcheck.Error

// MaxLocations is the most location names one collection may have (the index is
// packed into 23 bits of a trie leaf).
const MaxLocations = 1<<23 - 1

// Pos is where a block was written, for error messages. Path names the field in
// the caller's format (for YAML: "cidr_collections.offices.eu-west[2]"); when it
// is empty, errors name the field of the separate-file form ("cidr", "location").
type Pos struct {
	File string
	Line int
	Path string
}

// Builder collects the blocks of one collection. It is not safe for concurrent
// use; Build turns it into an immutable Collection.
type Builder struct {
	name   string
	locs   []string
	locIdx map[string]int32
	blocks []block
	files  []string // interned Pos.File
	paths  []string // Pos.Path of blocks that have one
	err    error    // the first Add error: Build returns it too

	lastName string // the location of the last Add, and its index
	lastLoc  int32
}

// block is one canonical block (IPv4 unmapped), its location and where it was
// written. The address is left-aligned in 128 bits: an IPv4 address is the top 32
// bits of hi.
type block struct {
	hi, lo uint64
	bits   uint8
	v6     bool
	loc    int32
	line   int32
	file   int32
	path   int32 // index in Builder.paths, -1 for none
	seq    int32 // order of Add, so duplicates are reported in order
}

// NewBuilder starts an empty collection named name.
func NewBuilder(collection string) *Builder {
	return &Builder{name: collection, locIdx: map[string]int32{}}
}

// AddString parses s ("203.0.113.0/24", "2001:db8::/32") and adds it; see Add.
func (b *Builder) AddString(s, location string, pos Pos) error {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return b.fail(pos, "cidr", "%s", malformed(s))
	}
	return b.Add(p, location, pos)
}

// malformed says what is wrong with s, which netip.ParsePrefix rejected.
func malformed(s string) string {
	s = short(s)
	if s == "" {
		return "empty CIDR block"
	}
	if !strings.Contains(s, "/") {
		if a, err := netip.ParseAddr(s); err == nil {
			return fmt.Sprintf("malformed CIDR block %q: no prefix length; did you mean %s/%d?", s, a, a.BitLen())
		}
	}
	return fmt.Sprintf("malformed CIDR block %q: want an address/prefix-length such as 203.0.113.0/24 or 2001:db8::/32", s)
}

// Add adds block p for location. Blocks may nest (10.0.0.0/8 and 10.1.0.0/16 in
// different locations: the longest match wins). It is an error for p to have host
// bits set, for location to be empty, or for p to be added twice. An IPv4-mapped
// IPv6 block of length 96 or more is stored as the IPv4 block it maps.
func (b *Builder) Add(p netip.Prefix, location string, pos Pos) error {
	if !p.IsValid() {
		if a := p.Addr(); a.IsValid() {
			return b.fail(pos, "cidr", "invalid CIDR block: the prefix length of %s must be 0 to %d", a, a.BitLen())
		}
		return b.fail(pos, "cidr", "invalid CIDR block: no address")
	}
	if m := p.Masked(); m != p {
		return b.fail(pos, "cidr", "%s has host bits set; did you mean %s?", p, m)
	}
	if location == "" {
		return b.fail(pos, "location", "empty location name for %s", p)
	}
	p = canonical(p)
	loc, ok := b.lastLoc, b.lastName == location && location != ""
	if !ok {
		loc, ok = b.locIdx[location]
	}
	if !ok {
		if len(b.locs) >= MaxLocations {
			return b.fail(pos, "location", "too many locations in collection %q (at most %d)", b.name, MaxLocations)
		}
		loc = int32(len(b.locs))
		b.locs = append(b.locs, location)
		b.locIdx[location] = loc
	}
	b.lastName, b.lastLoc = location, loc
	k := block{bits: uint8(p.Bits()), v6: p.Addr().Is6(), loc: loc, line: int32(pos.Line), path: -1, seq: int32(len(b.blocks))}
	k.hi, k.lo = key(p.Addr())
	if n := len(b.files); n == 0 || b.files[n-1] != pos.File {
		b.files = append(b.files, pos.File)
	}
	k.file = int32(len(b.files) - 1)
	if pos.Path != "" {
		k.path = int32(len(b.paths))
		b.paths = append(b.paths, pos.Path)
	}
	b.blocks = append(grow(b.blocks, 1), k)
	return nil
}

// Grow makes room for n more blocks: a caller that knows the size (a file of n
// lines) saves the copies of a growing slice.
func (b *Builder) Grow(n int) { b.blocks = grow(b.blocks, n) }

// grow returns s with room for n more elements, doubling: append grows large
// slices by a quarter, and at a million blocks the copies would cost more memory
// than the result.
func grow[S ~[]E, E any](s S, n int) S {
	if cap(s)-len(s) >= n {
		return s
	}
	c := max(2*cap(s), len(s)+n, 64)
	return append(make(S, 0, c), s...)
}

// key left-aligns a in 128 bits.
func key(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		v := a.As4()
		return uint64(binary.BigEndian.Uint32(v[:])) << 32, 0
	}
	v := a.As16()
	return binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint64(v[8:])
}

// prefix turns a block back into a netip.Prefix.
func (k *block) prefix() netip.Prefix {
	if !k.v6 {
		var v [4]byte
		binary.BigEndian.PutUint32(v[:], uint32(k.hi>>32))
		return netip.PrefixFrom(netip.AddrFrom4(v), int(k.bits))
	}
	var v [16]byte
	binary.BigEndian.PutUint64(v[:8], k.hi)
	binary.BigEndian.PutUint64(v[8:], k.lo)
	return netip.PrefixFrom(netip.AddrFrom16(v), int(k.bits))
}

func (b *Builder) posOf(k *block) Pos {
	p := Pos{File: b.files[k.file], Line: int(k.line)}
	if k.path >= 0 {
		p.Path = b.paths[k.path]
	}
	return p
}

// canonical stores an IPv4-mapped IPv6 block of /96 or longer as IPv4.
func canonical(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

func (b *Builder) fail(pos Pos, field, format string, args ...any) error {
	path := pos.Path
	if path == "" {
		path = field
	}
	err := &Error{File: pos.File, Line: pos.Line, Path: path, Msg: fmt.Sprintf(format, args...)}
	if b.err == nil {
		b.err = err
	}
	return err
}

// Build returns the immutable collection. It returns the first error Add
// returned, if any, so a caller may add everything and check once; a block added
// twice is reported here, at its second position.
func (b *Builder) Build() (*Collection, error) {
	if b.err != nil {
		return nil, b.err
	}
	slices.SortFunc(b.blocks, func(x, y block) int {
		if c := compareBlocks(x, y); c != 0 {
			return c
		}
		return cmp.Compare(x.seq, y.seq)
	})
	for i := 1; i < len(b.blocks); i++ {
		if x, y := &b.blocks[i-1], &b.blocks[i]; compareBlocks(*x, *y) == 0 {
			return nil, b.duplicate(x, y)
		}
	}
	c := &Collection{name: b.name, locs: slices.Clip(b.locs), n: len(b.blocks)}
	c.build(b.blocks)
	return c, nil
}

// compareBlocks orders IPv4 before IPv6, then by address, then shorter first: a
// block comes before the blocks nested in it (pre-order of the nesting tree).
func compareBlocks(x, y block) int {
	switch {
	case x.v6 != y.v6:
		if y.v6 {
			return -1
		}
		return 1
	case x.hi != y.hi:
		return cmp.Compare(x.hi, y.hi)
	case x.lo != y.lo:
		return cmp.Compare(x.lo, y.lo)
	}
	return cmp.Compare(x.bits, y.bits)
}

// duplicate reports y, the same block as x and added after it (the sort keeps their order).
func (b *Builder) duplicate(x, y *block) error {
	px, py := b.posOf(x), b.posOf(y)
	where := "line " + strconv.Itoa(px.Line)
	if px.File != py.File && px.File != "" {
		where = px.File + ":" + strconv.Itoa(px.Line)
	}
	p := y.prefix()
	if x.loc != y.loc {
		return b.fail(py, "cidr", "%s is in two locations of collection %q: %s (%s) and %s", p, b.name, b.locs[x.loc], where, b.locs[y.loc])
	}
	return b.fail(py, "cidr", "%s is listed twice for location %s (also %s)", p, b.locs[y.loc], where)
}

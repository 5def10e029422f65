package geo

import "net/netip"

// Canonical returns addr in the form lookups and comparisons use: an
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the 4-byte IPv4 address and
// any IPv6 zone is dropped. Other addresses are returned unchanged.
func Canonical(addr netip.Addr) netip.Addr {
	return addr.Unmap().WithZone("")
}

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052
	sixToFour      = netip.MustParsePrefix("2002::/16")    // RFC 3056
)

// lookupAddr returns the address to search the databases for and how many
// leading bits of addr precede it: an IPv4 address embedded in an IPv6 one by
// IPv4 mapping (::ffff:0:0/96), the NAT64 well-known prefix (64:ff9b::/96) or
// 6to4 (2002::/16) is looked up as IPv4, and a prefix length p found for it is
// p+offset bits of the original address.
func lookupAddr(addr netip.Addr) (netip.Addr, int) {
	addr = addr.WithZone("")
	if addr.Is4In6() {
		return addr.Unmap(), 96
	}
	if !addr.Is6() {
		return addr, 0
	}
	b := addr.As16()
	switch {
	case nat64WellKnown.Contains(addr):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), 96
	case sixToFour.Contains(addr):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), 16
	}
	return addr, 0
}

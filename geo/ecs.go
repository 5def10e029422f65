package geo

import (
	"errors"
	"net/netip"
)

// ECS families (RFC 7871 §6, IANA address family numbers).
const (
	FamilyIPv4 = 1
	FamilyIPv6 = 2
)

// Errors returned by ParseECS. Each makes the query malformed: the server
// answers FORMERR (RFC 7871 §7.1.1).
var (
	ErrECSFamily  = errors.New("ecs: unknown address family")
	ErrECSSource  = errors.New("ecs: source prefix length too long for family")
	ErrECSScope   = errors.New("ecs: scope prefix length not 0 in a query")
	ErrECSAddress = errors.New("ecs: address length does not match source prefix length")
	ErrECSBits    = errors.New("ecs: address has bits set beyond source prefix length")
)

// ECS is a valid EDNS Client Subnet option from a query.
type ECS struct {
	Family uint16     // FamilyIPv4, FamilyIPv6, or 0 for the "family 0, prefix 0" form
	Source int        // SOURCE PREFIX-LENGTH
	Addr   netip.Addr // the address, zero bits beyond Source; invalid when Family is 0
}

// Prefix returns the client subnet, Addr/Source.
func (e ECS) Prefix() netip.Prefix {
	return netip.PrefixFrom(e.Addr, e.Source)
}

// ParseECS checks the fields of an ECS option taken from a query and returns
// the subnet it carries. address is the ADDRESS field as on the wire: exactly
// ceil(source/8) bytes (RFC 7871 §6). A family 0 option with source 0, which
// some tools send, is accepted as "no address". SOURCE PREFIX-LENGTH 0 means
// the client does not want its address used: the result is valid but says
// nothing about where the client is.
func ParseECS(family uint16, source, scope uint8, address []byte) (ECS, error) {
	var width int
	switch family {
	case 0:
		if source != 0 {
			return ECS{}, ErrECSFamily
		}
		width = 0
	case FamilyIPv4:
		width = 32
	case FamilyIPv6:
		width = 128
	default:
		return ECS{}, ErrECSFamily
	}
	if int(source) > width {
		return ECS{}, ErrECSSource
	}
	if scope != 0 {
		return ECS{}, ErrECSScope
	}
	if len(address) != (int(source)+7)/8 {
		return ECS{}, ErrECSAddress
	}
	if family == 0 {
		return ECS{}, nil
	}
	var b [16]byte
	copy(b[:], address)
	var addr netip.Addr
	if family == FamilyIPv4 {
		addr = netip.AddrFrom4([4]byte(b[:4]))
	} else {
		addr = netip.AddrFrom16(b)
	}
	p := netip.PrefixFrom(addr, int(source))
	if p.Masked().Addr() != addr {
		return ECS{}, ErrECSBits
	}
	return ECS{Family: family, Source: int(source), Addr: addr}, nil
}

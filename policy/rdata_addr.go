package policy

import (
	"net"
	"net/netip"

	"github.com/miekg/dns"
)

// addrRdata parses the RDATA of an A or AAAA record without miekg's zone parser,
// which costs most of a data load at scale: checking a value, then building its
// record, ran it three times per value. It accepts only what dns.NewRR accepts for
// that type and returns the address in the form NewRR stores (16 bytes, as
// net.ParseIP gives). ok is false for other types and for anything it does not
// accept: the zone parser then judges, with its own error message.
func addrRdata(typ uint16, value string) (ip net.IP, ok bool) {
	if typ != dns.TypeA && typ != dns.TypeAAAA {
		return nil, false
	}
	a, err := netip.ParseAddr(value)
	if err != nil || a.Zone() != "" {
		return nil, false
	}
	// NewRR takes an A without ":" and an AAAA with one: a dotted quad is Is4, and
	// everything with a colon (::ffff:192.0.2.1 too) is Is6.
	if typ == dns.TypeA && !a.Is4() || typ == dns.TypeAAAA && !a.Is6() {
		return nil, false
	}
	b := a.As16()
	return net.IP(b[:]), true
}

// addrRR is the record dns.NewRR builds from "owner ttl IN A|AAAA value".
func addrRR(owner string, typ uint16, ttl uint32, ip net.IP) dns.RR {
	hdr := dns.RR_Header{Name: owner, Rrtype: typ, Class: dns.ClassINET, Ttl: ttl}
	if typ == dns.TypeA {
		return &dns.A{Hdr: hdr, A: ip}
	}
	return &dns.AAAA{Hdr: hdr, AAAA: ip}
}

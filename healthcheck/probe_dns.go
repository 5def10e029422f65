package healthcheck

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// dnsProber asks one question and checks the rcode and, optionally, one answer.
type dnsProber struct {
	s      *Spec
	client *dns.Client
}

func newDNSProber(s *Spec, source netip.Addr) *dnsProber {
	c := &dns.Client{Net: s.Proto, Timeout: s.Timeout, DialTimeout: s.ConnectTimeout}
	if source.IsValid() {
		// The client's Dialer replaces its DialTimeout, so it carries that too.
		d := &net.Dialer{Timeout: s.ConnectTimeout, LocalAddr: localAddr(source)}
		if s.Proto != "tcp" {
			d.LocalAddr = &net.UDPAddr{IP: source.AsSlice(), Zone: source.Zone()}
		}
		c.Dialer = d
	}
	return &dnsProber{s: s, client: c}
}

func (p *dnsProber) probe(ctx context.Context) Result {
	m := new(dns.Msg)
	m.SetQuestion(p.s.QName, p.s.QType)
	resp, _, err := p.client.ExchangeContext(ctx, m, p.s.Target)
	if err != nil {
		return failure(ctx, err)
	}
	if resp.Rcode != p.s.RCode {
		return Result{Kind: KindRcode, Code: resp.Rcode,
			Detail: fmt.Sprintf("rcode %s, want %s", dns.RcodeToString[resp.Rcode], dns.RcodeToString[p.s.RCode])}
	}
	if p.s.Answer == "" || hasAnswer(resp.Answer, p.s.QType, p.s.Answer) {
		return Result{OK: true, Kind: KindOK, Code: resp.Rcode}
	}
	return Result{Kind: KindAnswer, Code: resp.Rcode, Detail: fmt.Sprintf("no %s %s in the answer", dns.TypeToString[p.s.QType], p.s.Answer)}
}

// hasAnswer reports whether one RR of type qtype has rdata want (presentation
// format, case-insensitive, trailing dot optional for names).
func hasAnswer(rrs []dns.RR, qtype uint16, want string) bool {
	want = strings.TrimSuffix(strings.ToLower(want), ".")
	for _, rr := range rrs {
		if rr.Header().Rrtype != qtype {
			continue
		}
		rdata := strings.TrimPrefix(rr.String(), rr.Header().String())
		if strings.TrimSuffix(strings.ToLower(rdata), ".") == want {
			return true
		}
	}
	return false
}

package policy

import (
	"net/netip"
	"testing"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// FuzzServeDNS sends arbitrary packets through the handler and checks invariants: no
// panic; a written reply answers the question asked; every answer record is one the
// data configured (by owner or wildcard, type and RDATA) or the RFC 8482 HINFO.
func FuzzServeDNS(f *testing.F) {
	p := newTestPolicy(f, nil, "testdata/zone.yaml")
	ld := p.snap.Load()
	configured := map[string]bool{}
	for _, o := range ld.Snap.Origins() {
		ld.Snap.Zone(o).EachSet(func(s *policy.Set) {
			for _, ep := range s.Tree.Endpoints {
				configured[rdataKey(ep.RR)] = true
			}
		})
	}
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"www.example.net.", dns.TypeA}, {"alias.example.net.", dns.TypeA}, {"x.wild.example.net.", dns.TypeA},
		{"host.sub.example.net.", dns.TypeA}, {"example.net.", dns.TypeANY}, {"nope.example.net.", dns.TypeMX},
		{"sub.example.net.", dns.TypeDS}, {"x.sub.example.net.", dns.TypeDS}, {"tls.example.net.", dns.TypeTLSA}} {
		m := new(dns.Msg).SetQuestion(q.name, q.qtype)
		m.SetEdns0(1232, true)
		b, _ := m.Pack()
		f.Add(b)
	}
	c := &geo.Client{Addr: netip.MustParseAddr("192.0.2.1"), SourcePrefix: 24, ECS: true, FromECS: true,
		ECSFamily: 1, ECSAddr: netip.MustParseAddr("192.0.2.0"), Location: frankfurt, Scope: 16}
	f.Fuzz(func(t *testing.T, packet []byte) {
		r := new(dns.Msg)
		if r.Unpack(packet) != nil {
			return // the server answers FORMERR before any plugin runs
		}
		resp, _ := serve(t, p, r, c)
		if resp == nil || len(r.Question) != 1 {
			return // not ours: anything but one question goes to the next plugin
		}
		if len(resp.Question) != 1 || resp.Question[0] != r.Question[0] {
			t.Fatalf("reply question %v, asked %v", resp.Question, r.Question)
		}
		if resp.Id != r.Id {
			t.Fatalf("reply id %d, asked %d", resp.Id, r.Id)
		}
		for _, rr := range resp.Answer {
			if _, ok := rr.(*dns.HINFO); ok {
				continue
			}
			if !configured[rdataKey(rr)] && !configured[rdataKey(wildcardOf(rr))] {
				t.Fatalf("answer %v is not in the data", rr)
			}
		}
	})
}

// rdataKey identifies a record by owner, type and RDATA (not TTL).
func rdataKey(rr dns.RR) string {
	c := dns.Copy(rr)
	c.Header().Ttl = 0
	return c.String()
}

// wildcardOf is rr renamed to the wildcard owner it could come from.
func wildcardOf(rr dns.RR) dns.RR {
	c := dns.Copy(rr)
	if i, end := dns.NextLabel(c.Header().Name, 0); !end {
		c.Header().Name = "*." + c.Header().Name[i:]
	}
	return c
}

package policy

import (
	"testing"

	"github.com/coredns/coredns/plugin/test"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

const soaLine = "example.net. 30 IN SOA ns1.example.net. hostmaster.example.net. 2026112501 7200 3600 1209600 60"

func TestServeDNS(t *testing.T) {
	p := newTestPolicy(t, nil, "testdata/zone.yaml")
	de := client(t, "192.0.2.0/24", frankfurt, 16)
	us := client(t, "198.51.100.0/24", ashburn, 20)
	tests := []struct {
		name  string
		c     *geo.Client
		tc    test.Case
		scope int // expected ECS scope; -1: no ECS option expected
	}{
		{"geolocation DE", de, test.Case{Qname: "www.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("www.example.net. 30 IN A 192.0.2.10")}}, 16},
		{"geolocation NA", us, test.Case{Qname: "www.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("www.example.net. 30 IN A 198.51.100.10")}}, 20},
		{"geolocation default without geo", nil, test.Case{Qname: "www.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("www.example.net. 30 IN A 203.0.113.10")}}, -1},
		{"case-insensitive qname", de, test.Case{Qname: "WWW.Example.NET.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("www.example.net. 30 IN A 192.0.2.10")}}, 16},
		{"no geo match no default is NODATA (Route 53)", us, test.Case{Qname: "onlyde.example.net.", Qtype: dns.TypeA, Ns: []dns.RR{test.SOA(soaLine)}}, 20},
		{"answer that does not depend on the client has scope 0", de, test.Case{Qname: "www.example.net.", Qtype: dns.TypeAAAA, Answer: []dns.RR{test.AAAA("www.example.net. 30 IN AAAA 2001:db8::10")}}, 0},
		{"simple values", de, test.Case{Qname: "static.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("static.example.net. 30 IN A 192.0.2.1"), test.A("static.example.net. 30 IN A 192.0.2.2")}}, 0},
		{"NODATA has SOA", de, test.Case{Qname: "static.example.net.", Qtype: dns.TypeMX, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"NXDOMAIN has SOA", de, test.Case{Qname: "nope.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"empty non-terminal is NODATA", de, test.Case{Qname: "b.deep.example.net.", Qtype: dns.TypeA, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"below an existing name is NXDOMAIN", de, test.Case{Qname: "x.a.b.deep.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"CNAME followed into a policy name", de, test.Case{Qname: "alias.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{
			test.CNAME("alias.example.net. 30 IN CNAME www.example.net."), test.A("www.example.net. 30 IN A 192.0.2.10")}}, 16},
		{"CNAME chain", de, test.Case{Qname: "chain.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{
			test.CNAME("alias.example.net. 30 IN CNAME www.example.net."), test.CNAME("chain.example.net. 30 IN CNAME alias.example.net."),
			test.A("www.example.net. 30 IN A 192.0.2.10")}}, 16},
		{"CNAME query gets the CNAME", de, test.Case{Qname: "alias.example.net.", Qtype: dns.TypeCNAME, Answer: []dns.RR{test.CNAME("alias.example.net. 30 IN CNAME www.example.net.")}}, 0},
		{"CNAME out of zone stops", de, test.Case{Qname: "outside.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.CNAME("outside.example.net. 30 IN CNAME www.example.org.")}}, 0},
		{"CNAME to a missing name is NXDOMAIN (RFC 6604)", de, test.Case{Qname: "dangling.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError,
			Answer: []dns.RR{test.CNAME("dangling.example.net. 30 IN CNAME nowhere.example.net.")}, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"wildcard", de, test.Case{Qname: "anything.wild.example.net.", Qtype: dns.TypeA, Answer: []dns.RR{test.A("anything.wild.example.net. 30 IN A 192.0.2.99")}}, 0},
		{"wildcard NODATA", de, test.Case{Qname: "anything.wild.example.net.", Qtype: dns.TypeAAAA, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"ANY is answered per RFC 8482", de, test.Case{Qname: "www.example.net.", Qtype: dns.TypeANY, Answer: []dns.RR{test.HINFO("www.example.net. 8482 IN HINFO RFC8482 \"\"")}}, 0},
		{"ANY for a missing name is NXDOMAIN", de, test.Case{Qname: "nope.example.net.", Qtype: dns.TypeANY, Rcode: dns.RcodeNameError, Ns: []dns.RR{test.SOA(soaLine)}}, 0},
		{"apex SOA", de, test.Case{Qname: "example.net.", Qtype: dns.TypeSOA, Answer: []dns.RR{test.SOA(soaLine)}}, 0},
		{"apex NS", de, test.Case{Qname: "example.net.", Qtype: dns.TypeNS, Answer: []dns.RR{test.NS("example.net. 30 IN NS ns1.example.net.")}}, 0},
		{"SRV", de, test.Case{Qname: "_sip._udp.example.net.", Qtype: dns.TypeSRV, Answer: []dns.RR{test.SRV("_sip._udp.example.net. 30 IN SRV 10 60 5060 sip.example.net.")}}, 0},
		{"CAA", de, test.Case{Qname: "caa.example.net.", Qtype: dns.TypeCAA, Answer: []dns.RR{test.CAA("caa.example.net. 30 IN CAA 0 issue \"letsencrypt.org\"")}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.tc.Msg()
			m.SetEdns0(1232, false)
			if tc.c != nil {
				m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET})
			}
			resp, _ := serve(t, p, m, tc.c)
			if resp == nil {
				t.Fatal("no response written")
			}
			tc.tc.Authoritative = true
			if tc.c != nil { // the ECS answer carries an OPT record
				tc.tc.Extra = append(tc.tc.Extra, test.OPT(1232, false))
			}
			if err := test.SortAndCheck(resp, tc.tc); err != nil {
				t.Error(err)
			}
			checkScope(t, resp, tc.scope)
		})
	}
}

func checkScope(t *testing.T, resp *dns.Msg, want int) {
	t.Helper()
	var got *dns.EDNS0_SUBNET
	if opt := resp.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if e, ok := o.(*dns.EDNS0_SUBNET); ok {
				got = e
			}
		}
	}
	switch {
	case want < 0 && got != nil:
		t.Errorf("unexpected ECS option %v", got)
	case want >= 0 && got == nil:
		t.Errorf("no ECS option, want scope %d", want)
	case want >= 0 && int(got.SourceScope) != want:
		t.Errorf("ECS scope %d, want %d", got.SourceScope, want)
	}
}

func TestServeDNSDelegation(t *testing.T) {
	p := newTestPolicy(t, nil, "testdata/zone.yaml")
	for _, qname := range []string{"sub.example.net.", "host.sub.example.net."} {
		resp, _ := serve(t, p, new(dns.Msg).SetQuestion(qname, dns.TypeA), nil)
		tc := test.Case{Qname: qname, Qtype: dns.TypeA,
			Ns:    []dns.RR{test.NS("sub.example.net. 30 IN NS ns.elsewhere.org."), test.NS("sub.example.net. 30 IN NS ns.sub.example.net.")},
			Extra: []dns.RR{test.A("ns.sub.example.net. 30 IN A 192.0.2.77")}}
		if err := test.SortAndCheck(resp, tc); err != nil {
			t.Errorf("%s: %v", qname, err)
		}
		if resp.Authoritative {
			t.Errorf("%s: referral with AA set", qname)
		}
	}
}

func TestServeDNSPassesOn(t *testing.T) {
	p := newTestPolicy(t, nil, "testdata/zone.yaml")
	for _, tc := range []struct {
		name  string
		qname string
		qtype uint16
		want  int
	}{
		{"name outside our zones goes to the next plugin", "www.example.org.", dns.TypeA, dns.RcodeServerFailure},
		{"suffix is not a subdomain", "badexample.net.", dns.TypeA, dns.RcodeServerFailure},
		{"AXFR is refused", "example.net.", dns.TypeAXFR, dns.RcodeRefused},
		{"IXFR is refused", "example.net.", dns.TypeIXFR, dns.RcodeRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, code := serve(t, p, new(dns.Msg).SetQuestion(tc.qname, tc.qtype), nil)
			if code != tc.want {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[code], dns.RcodeToString[tc.want])
			}
		})
	}
	p.Fall.SetZonesFromArgs(nil)
	_, code := serve(t, p, new(dns.Msg).SetQuestion("nope.example.net.", dns.TypeA), nil)
	if code != dns.RcodeServerFailure {
		t.Errorf("fallthrough: NXDOMAIN name not passed to the next plugin (rcode %s)", dns.RcodeToString[code])
	}
}

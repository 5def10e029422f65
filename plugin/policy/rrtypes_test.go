package policy

import (
	"testing"

	"github.com/coredns/coredns/plugin/test"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

const (
	rrHex   = "2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E"
	rrSOA   = "example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. 2026120401 7200 3600 1209600 60"
	childNS = "child.example.org. 60 IN NS ns1.child.example.org."
)

// TestServeDNSRecordTypes: the five types Route 53 has beyond the common ones are
// served, simple and under rules; a DS query for a zone cut is answered by this
// (the parent) zone, authoritatively, while the cut's other types are referrals.
func TestServeDNSRecordTypes(t *testing.T) {
	p := newTestPolicy(t, nil, "testdata/rrtypes.yaml")
	de := client(t, "192.0.2.0/24", frankfurt, 16)
	referral := test.Case{Ns: []dns.RR{test.NS("child.example.org. 60 IN NS ns.elsewhere.net."), test.NS(childNS)},
		Extra: []dns.RR{test.A("ns1.child.example.org. 60 IN A 192.0.2.54")}}
	tests := []struct {
		name string
		c    *geo.Client
		tc   test.Case
		aa   bool
	}{
		{"NAPTR weighted", nil, test.Case{Qname: "sip.example.org.", Qtype: dns.TypeNAPTR,
			Answer: []dns.RR{mustRR(t, `sip.example.org. 60 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.org.`)}}, true},
		{"SPF simple", nil, test.Case{Qname: "example.org.", Qtype: dns.TypeSPF, Answer: []dns.RR{mustRR(t, `example.org. 60 IN SPF "v=spf1 -all"`)}}, true},
		{"SPF multivalue", nil, test.Case{Qname: "mv.example.org.", Qtype: dns.TypeSPF,
			Answer: []dns.RR{mustRR(t, `mv.example.org. 60 IN SPF "v=spf1"`), mustRR(t, `mv.example.org. 60 IN SPF "v=spf1 mx"`)}}, true},
		{"TLSA geolocation DE", de, test.Case{Qname: "_443._tcp.www.example.org.", Qtype: dns.TypeTLSA,
			Answer: []dns.RR{mustRR(t, "_443._tcp.www.example.org. 60 IN TLSA 3 1 1 "+rrHex)}}, true},
		{"TLSA geolocation default", nil, test.Case{Qname: "_443._tcp.www.example.org.", Qtype: dns.TypeTLSA,
			Answer: []dns.RR{mustRR(t, "_443._tcp.www.example.org. 60 IN TLSA 3 1 2 "+rrHex+rrHex)}}, true},
		{"SSHFP failover", nil, test.Case{Qname: "host.example.org.", Qtype: dns.TypeSSHFP,
			Answer: []dns.RR{mustRR(t, "host.example.org. 60 IN SSHFP 4 2 "+rrHex)}}, true},
		{"DS at the cut: the parent answers", nil, test.Case{Qname: "child.example.org.", Qtype: dns.TypeDS,
			Answer: []dns.RR{mustRR(t, "child.example.org. 60 IN DS 12345 13 2 "+rrHex)}}, true},
		{"DS at a cut without DS: NODATA", nil, test.Case{Qname: "nods.example.org.", Qtype: dns.TypeDS, Ns: []dns.RR{test.SOA(rrSOA)}}, true},
		{"DS at the apex (as file serves it)", nil, test.Case{Qname: "example.org.", Qtype: dns.TypeDS,
			Answer: []dns.RR{mustRR(t, "example.org. 60 IN DS 1 13 2 "+rrHex)}}, true},
		{"DS at a name without NS (as file serves it)", nil, test.Case{Qname: "leaf.example.org.", Qtype: dns.TypeDS,
			Answer: []dns.RR{mustRR(t, "leaf.example.org. 60 IN DS 2 13 2 "+rrHex)}}, true},
		{"DS missing name: NXDOMAIN", nil, test.Case{Qname: "nope.example.org.", Qtype: dns.TypeDS, Rcode: dns.RcodeNameError, Ns: []dns.RR{test.SOA(rrSOA)}}, true},
		{"NS at the cut: referral", nil, withQ(referral, "child.example.org.", dns.TypeNS), false},
		{"A at the cut: referral", nil, withQ(referral, "child.example.org.", dns.TypeA), false},
		{"DS below the cut: referral", nil, withQ(referral, "x.child.example.org.", dns.TypeDS), false},
		{"glue name below the cut: referral", nil, withQ(referral, "ns1.child.example.org.", dns.TypeA), false},
		{"A at a cut without DS: referral", nil, test.Case{Qname: "nods.example.org.", Qtype: dns.TypeA,
			Ns: []dns.RR{test.NS("nods.example.org. 60 IN NS ns.elsewhere.net.")}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := serve(t, p, tc.tc.Msg(), tc.c)
			if resp == nil {
				t.Fatal("no response written")
			}
			tc.tc.Authoritative = tc.aa
			if err := test.SortAndCheck(resp, tc.tc); err != nil {
				t.Error(err)
			}
			if resp.Authoritative != tc.aa {
				t.Errorf("AA %v, want %v", resp.Authoritative, tc.aa)
			}
		})
	}
}

func withQ(tc test.Case, qname string, qtype uint16) test.Case {
	tc.Qname, tc.Qtype = qname, qtype
	return tc
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

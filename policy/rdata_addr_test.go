package policy

import (
	"reflect"
	"testing"

	"github.com/miekg/dns"
)

// The values addrRdata must judge as the zone parser does: accepted ones build the
// very record NewRR builds, the others are left to NewRR.
var addrValues = []struct {
	typ   uint16
	value string
	fast  bool
}{
	{dns.TypeA, "192.0.2.1", true},
	{dns.TypeA, "0.0.0.0", true},
	{dns.TypeA, "255.255.255.255", true},
	{dns.TypeA, "::ffff:192.0.2.1", false}, // NewRR refuses an A with a colon
	{dns.TypeA, "2001:db8::1", false},
	{dns.TypeA, "192.0.2.01", false},
	{dns.TypeA, "192.0.2", false},
	{dns.TypeA, "192.0.2.1 ; comment", false},
	{dns.TypeA, " 192.0.2.1", false},
	{dns.TypeA, "", false},
	{dns.TypeAAAA, "2001:db8::1", true},
	{dns.TypeAAAA, "::", true},
	{dns.TypeAAAA, "::ffff:192.0.2.1", true},
	{dns.TypeAAAA, "2001:DB8::A", true},
	{dns.TypeAAAA, "fe80::1%eth0", false},
	{dns.TypeAAAA, "192.0.2.1", false},
	{dns.TypeAAAA, "2001:db8::1::2", false},
	{dns.TypeCNAME, "192.0.2.1", false},
	{dns.TypeTXT, "2001:db8::1", false},
}

func TestAddrRdataMatchesNewRR(t *testing.T) {
	for _, tc := range addrValues {
		ip, ok := addrRdata(tc.typ, tc.value)
		if ok != tc.fast {
			t.Errorf("%s %q: fast path %v, want %v", dns.TypeToString[tc.typ], tc.value, ok, tc.fast)
		}
		if ok {
			checkAddrRR(t, tc.typ, tc.value, ip)
		}
	}
}

// FuzzAddrRdata: whatever the fast path accepts, NewRR accepts too and builds the
// same record.
func FuzzAddrRdata(f *testing.F) {
	for _, tc := range addrValues {
		f.Add(tc.typ == dns.TypeA, tc.value)
	}
	f.Fuzz(func(t *testing.T, isA bool, value string) {
		typ := dns.TypeAAAA
		if isA {
			typ = dns.TypeA
		}
		if ip, ok := addrRdata(typ, value); ok {
			checkAddrRR(t, typ, value, ip)
		}
	})
}

func checkAddrRR(t *testing.T, typ uint16, value string, ip []byte) {
	t.Helper()
	const owner, ttl = "www.example.org.", 60
	want, err := dns.NewRR(owner + " 60 IN " + dns.TypeToString[typ] + " " + value)
	if err != nil || want == nil {
		t.Fatalf("%s %q: fast path accepted what NewRR refuses: %v", dns.TypeToString[typ], value, err)
	}
	if got := addrRR(owner, typ, ttl, ip); !reflect.DeepEqual(got, want) {
		t.Errorf("%s %q: built %#v, NewRR built %#v", dns.TypeToString[typ], value, got, want)
	}
	if checkRdata(owner, typ, value) != nil {
		t.Errorf("%s %q: fast path accepted what checkRdata refuses", dns.TypeToString[typ], value)
	}
}

package route53

import "testing"

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"example.com", "example.com.", true},
		{"WWW.Example.COM.", "www.example.com.", true},
		{"*.example.com", `\052.example.com.`, true},
		{`\052.example.com.`, `\052.example.com.`, true},
		{`\101bc.example.com`, "abc.example.com.", true}, // \101 is "A": lower-cased
		{"a_b-c.example.com", "a_b-c.example.com.", true},
		{"0/26.2.0.192.in-addr.arpa", `0\05726.2.0.192.in-addr.arpa.`, true},
		{`a\.b.example.com`, `a\056b.example.com.`, true},
		{"ex\xe4mple.com", `ex\344mple.com.`, true},
		{".", ".", true},
		{"", "", false},
		{"a..b", "", false},
		{".a", "", false},
		{`a\`, "", false},
		{`\400.com`, "", false},
		{string(make([]byte, 64)) + ".com", "", false},
	}
	for _, tc := range tests {
		got, ok := NormalizeName(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	long := ""
	for range 64 {
		long += "abc."
	}
	if _, ok := NormalizeName(long); ok {
		t.Errorf("a name of %d octets accepted", len(long)+1)
	}
}

func TestDNSNameForms(t *testing.T) {
	tests := []struct{ r53, dns string }{
		{`\052.example.com.`, "*.example.com."},
		{`0\05726.2.0.192.in-addr.arpa.`, "0/26.2.0.192.in-addr.arpa."},
		{`a\056b.example.com.`, `a\046b.example.com.`},
		{`ex\344mple.com.`, `ex\228mple.com.`},
	}
	for _, tc := range tests {
		if got := dnsName(tc.r53); got != tc.dns {
			t.Errorf("dnsName(%q) = %q, want %q", tc.r53, got, tc.dns)
		}
		if back, ok := fromDNSName(tc.dns); !ok || back != tc.r53 {
			t.Errorf("fromDNSName(%q) = %q, %v; want %q", tc.dns, back, ok, tc.r53)
		}
	}
}

// TestRdataFastPath: addresses take a path without the zone parser; it must give
// what the parser gives.
func TestRdataFastPath(t *testing.T) {
	for _, tc := range []struct{ typ, v string }{
		{"A", "192.0.2.1"}, {"A", "10.0.0.255"}, {"AAAA", "2001:db8::1"}, {"AAAA", "2001:DB8:0:0:0:0:0:1"},
		{"AAAA", "::ffff:192.0.2.1"}, {"AAAA", "fe80::1%eth0"}, {"A", "::1"}, {"A", "1.2.3"}, {"AAAA", "192.0.2.1"},
	} {
		fast, ferr := rdata(tc.typ, tc.v)
		rr, err := dnsNewRR(tc.typ, tc.v)
		if (ferr == nil) != (err == nil) || ferr == nil && fast != rr {
			t.Errorf("%s %s: fast %q %v, parser %q %v", tc.typ, tc.v, fast, ferr, rr, err)
		}
	}
}

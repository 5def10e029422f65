package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coredns/caddy"

	"github.com/coretraffic/coretraffic/policy"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "testdata/zone.yaml"
	dangling := write("dangling.yaml", "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1, check: nosuch}\n")
	badWeight := write("weight.yaml", "zones:\n  example.net:\n    records:\n      www:\n        A:\n          weighted:\n            - {weight: 300, value: 192.0.2.1}\n")
	twice := write("twice.yaml", "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1}\n")
	empty := write("empty.yaml", "")
	comments := write("comments.yaml", "# nothing yet\n")
	braces := write("braces.yaml", "{}\n")
	noZones := write("nozones.yaml", "# header\nzones: {}\n")
	garbage := write("garbage.yaml", "zones:\n  example.net: \x00\xff\n")
	unknownCountry := write("country.yaml", "zones:\n  example.net:\n    records:\n      www:\n        A:\n          geolocation:\n            - {country: XX, value: 192.0.2.1}\n            - {default: true, value: 192.0.2.2}\n")

	tests := []struct {
		name   string
		keys   []string
		config string
		err    string // substring; "" means success
	}{
		{"data file", nil, "policy {\n data " + good + "\n}", ""},
		{"data and reload", nil, "policy {\n data " + good + "\n reload 1s\n fallthrough\n}", ""},
		{"compact weighted", []string{"example.org."}, "policy {\n weighted www.example.org A 192.0.2.1=70 192.0.2.2=30\n}", ""},
		{"compact failover IPv6", []string{"example.org."}, "policy {\n failover www.example.org AAAA 2001:db8::1 2001:db8::2\n}", ""},
		{"no data", nil, "policy", "no policy data"},
		{"missing file", nil, "policy {\n data /nonexistent/policy.yaml\n}", "/nonexistent/policy.yaml"},
		{"unknown property", nil, "policy {\n data " + good + "\n frobnicate\n}", `Testfile:3 - Error during parsing: unknown property "frobnicate"`},
		{"data without file", nil, "policy {\n data\n}", "Wrong argument count"},
		{"bad reload", nil, "policy {\n data " + good + "\n reload soon\n}", `reload: "soon"`},
		{"dangling check", nil, "policy {\n data " + dangling + "\n}", `dangling.yaml:5: zones.example.net.records.www.A.check: no health check named "nosuch"`},
		{"weight out of range", nil, "policy {\n data " + badWeight + "\n}", "weight.yaml:7"},
		{"zone in two files", nil, "policy {\n data " + twice + " " + twice + "\n}", "twice.yaml:2: zones.example.net: zone example.net. defined twice (first at "},
		// Issue 15: data that serves nothing is refused at start-up unless allowed.
		{"empty file", nil, "policy {\n data " + empty + "\n}", "empty.yaml:1: zones: the file defines no zones and no checks (the file is empty or only comments)"},
		{"only comments", nil, "policy {\n data " + comments + "\n}", "comments.yaml:1: zones: the file defines no zones"},
		{"empty mapping", nil, "policy {\n data " + braces + "\n}", "braces.yaml:1: zones: the file defines no zones and no checks ({} or zones: {})"},
		{"empty zones", nil, "policy {\n data " + noZones + "\n}", "nozones.yaml:2: zones: the file defines no zones"},
		{"empty beside a good file", nil, "policy {\n data " + good + " " + empty + "\n}", "empty.yaml:1: zones: the file defines no zones"},
		{"empty allowed", nil, "policy {\n data " + empty + "\n allow_empty\n}", ""},
		{"empty zones allowed", nil, "policy {\n data " + noZones + "\n allow_empty\n allow_zone_removal\n}", ""},
		{"allow_empty with an argument", nil, "policy {\n data " + empty + "\n allow_empty yes\n}", "Testfile:3 - Error during parsing: Wrong argument count"},
		{"garbage bytes", nil, "policy {\n data " + garbage + "\n}", "garbage.yaml:2: invalid YAML: control characters are not allowed at byte offset 22"},
		{"unknown country", nil, "policy {\n data " + unknownCountry + "\n}", `country.yaml:7: zones.example.net.records.www.A.geolocation[0].country: unknown country code "XX"`},
		{"compact outside zones", []string{"example.org."}, "policy {\n weighted www.example.com A 192.0.2.1\n}", "not in the zones"},
		{"compact empty label", []string{"example.org."}, "policy {\n weighted foo..example.org A 192.0.2.1\n}", "not a valid owner name"},
		{"compact long label", []string{"example.org."}, "policy {\n weighted " + strings.Repeat("a", 64) + ".example.org A 192.0.2.1\n}", "not a valid owner name"},
		{"compact odd character", []string{"example.org."}, "policy {\n weighted a(b.example.org AAAA 2001:db8::1\n}", "not a valid owner name"},
		{"compact wildcard inside", []string{"example.org."}, "policy {\n failover a.*.example.org A 192.0.2.1\n}", "leftmost label only"},
		{"compact wildcard", []string{"example.org."}, "policy {\n weighted *.example.org A 192.0.2.1\n}", ""},
		{"compact bad weight", []string{"example.org."}, "policy {\n weighted www.example.org A 192.0.2.1=999\n}", "weight must be 0..255"},
		{"compact weight on failover", []string{"example.org."}, "policy {\n failover www.example.org A 192.0.2.1=5\n}", "=WEIGHT only for weighted"},
		{"compact bad value", []string{"example.org."}, "policy {\n weighted www.example.org A not-an-address\n}", `not valid A RDATA "not-an-address"`},
		{"compact unknown type", []string{"example.org."}, "policy {\n weighted www.example.org BOGUS 192.0.2.1\n}", `unknown record type "BOGUS"`},
		{"compact DS", []string{"example.org."}, "policy {\n failover child.example.org DS \"12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E\"\n}", ""},
		{"compact TLSA weighted", []string{"example.org."}, "policy {\n weighted _443._tcp.example.org tlsa \"3 1 1 2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E=2\" \"3 1 0 3059301306=1\"\n}", ""},
		{"compact SSHFP", []string{"example.org."}, "policy {\n failover host.example.org SSHFP \"4 2 2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E\"\n}", ""},
		{"compact SPF with =", []string{"example.org."}, "policy {\n weighted example.org SPF \"\\\"v=spf1 -all\\\"=3\" v=spf1\n}", ""},
		{"compact NAPTR with @", []string{"example.org."}, "policy {\n failover 4.3.2.1.e164.example.org NAPTR \"100 10 \\\"u\\\" \\\"E2U+sip\\\" \\\"!^.*$!sip:info@example.org!\\\" .\"\n}", ""},
		{"compact bad DS", []string{"example.org."}, "policy {\n failover child.example.org DS \"12345 13 2 ABC\"\n}", `Testfile:2 - Error during parsing: failover child.example.org: not valid DS RDATA "12345 13 2 ABC": the digest "ABC" is not hexadecimal`},
		{"compact bad TLSA", []string{"example.org."}, "policy {\n weighted _443._tcp.example.org TLSA \"3 1 1\"\n}", `not valid TLSA RDATA "3 1 1": no certificate association data`},
		{"compact unquoted SPF", []string{"example.org."}, "policy {\n weighted example.org SPF \"v=spf1 -all\"\n}", "SPF text with spaces must be quoted"},
		{"compact type not served", []string{"example.org."}, "policy {\n weighted example.org DNSKEY \"257 3 13 AAAA\"\n}", `unknown record type "DNSKEY" (want A AAAA`},
		{"compact twice", []string{"example.org."}, "policy {\n weighted www.example.org A 192.0.2.1\n failover www.example.org A 192.0.2.2\n}", "defined twice"},
		{"compact dangling check", []string{"example.org."}, "policy {\n failover www.example.org A 192.0.2.1@nosuch\n}", `no health check named "nosuch"`},
		// Issue 12: the store is a bolt file or etcd, one syntax with route53api's.
		{"store file", nil, "policy {\n store " + filepath.Join(dir, "s.db") + "\n fallthrough\n}", ""},
		{"store etcd", nil, "policy {\n store etcd {\n endpoint http://127.0.0.1:2379\n prefix /dns/\n name pop1\n }\n fallthrough\n}", ""},
		{"store etcd defaults", nil, "policy {\n store etcd\n fallthrough\n}", ""},
		{"store twice", nil, "policy {\n store a.db\n store etcd\n}", "Testfile:3 - Error during parsing: store given twice"},
		{"store etcd bad endpoint", nil, "policy {\n store etcd {\n endpoint localhost:2379\n }\n}", `Testfile:3 - Error during parsing: store etcd: endpoint "localhost:2379" is not an etcd client URL`},
		{"store etcd unknown", nil, "policy {\n store etcd {\n path /skydns\n }\n}", `Testfile:3 - Error during parsing: store etcd: unknown property "path"`},
		{"store etcd and data", nil, "policy {\n store etcd\n data " + good + "\n}", "store and data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := caddy.NewTestController("dns", tc.config)
			if tc.keys != nil {
				c.ServerBlockKeys = tc.keys
			} else {
				c.ServerBlockKeys = []string{"example.net."}
			}
			err := setup(c)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got error %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestSetupOnce(t *testing.T) {
	c := caddy.NewTestController("dns", "policy {\n data testdata/zone.yaml\n}\npolicy {\n data testdata/zone.yaml\n}")
	if err := setup(c); err == nil {
		t.Fatal("two policy directives in one block accepted")
	}
}

// TestInlineLeaf: a compact value's =WEIGHT and @CHECK are split off only where
// they can be a weight and a check name, so SPF and NAPTR values keep their own.
func TestInlineLeaf(t *testing.T) {
	tests := []struct {
		kind, arg    string
		value, check string
		weight       int
		err          string
	}{
		{"weighted", "192.0.2.1=70@fra", "192.0.2.1", "fra", 70, ""},
		{"weighted", `"v=spf1 -all"=3`, `"v=spf1 -all"`, "", 3, ""},
		{"weighted", "v=spf1", "v=spf1", "", 1, ""},
		{"failover", `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.org!" .`, `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.org!" .`, "", 1, ""},
		{"failover", `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.org!" .@sip-check`, `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.org!" .`, "sip-check", 1, ""},
		{"failover", "192.0.2.1@", "", "", 0, "empty check name after @"},
		{"failover", "192.0.2.1=5", "", "", 0, "=WEIGHT only for weighted"},
		{"weighted", "192.0.2.1=256", "", "", 0, "weight must be 0..255"},
		{"weighted", "=4", "", "", 0, "empty value"},
	}
	for _, tc := range tests {
		n, err := inlineLeaf(tc.kind, tc.arg, policy.Pos{})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: %v, want %q", tc.kind, tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil || n.Value != tc.value || n.Check != tc.check || n.Weight != tc.weight {
			t.Errorf("%s %q: %+v %v, want value %q check %q weight %d", tc.kind, tc.arg, n, err, tc.value, tc.check, tc.weight)
		}
	}
}

package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Hex test values: a SHA-1 (40 digits), SHA-256 (64) and SHA-512 (128) digest.
const (
	hex40  = "09F6A01D2175742B257C6B98B7C72C44C4040683"
	hex64  = "2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E"
	hex128 = hex64 + hex64
)

// TestRdataTypes: NAPTR, SPF, DS, TLSA and SSHFP values as a data file has them,
// good and bad, with the error naming file, line and field.
func TestRdataTypes(t *testing.T) {
	tests := []struct {
		name, owner, typ, value string
		want                    string // "" accepted; else the error's text after "bad.yaml:4: "
	}{
		{"NAPTR", "sip", "NAPTR", `100 10 "S" "SIP+D2U" "" _sip._udp.example.net.`, ""},
		{"NAPTR regexp", "4.3.2.1.e164", "NAPTR", `100 10 "u" "E2U+sip" "!^.*$!sip:info@example.net!" .`, ""},
		{"NAPTR relative replacement", "sip", "NAPTR", `100 10 "S" "SIP+D2U" "" _sip._udp`, `zones.example.net.records.sip.NAPTR.value: NAPTR RDATA "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp" has a relative name: end names with "."`},
		{"NAPTR unquoted flags", "sip", "NAPTR", `100 10 S SIP+D2U "" _sip._udp.example.net.`, `zones.example.net.records.sip.NAPTR.value: not valid NAPTR RDATA "100 10 S SIP+D2U \"\" _sip._udp.example.net.": bad NAPTR Flags: "S"`},
		{"NAPTR short", "sip", "NAPTR", `100 10 "S"`, `zones.example.net.records.sip.NAPTR.value: not valid NAPTR RDATA "100 10 \"S\"": bad NAPTR Service`},
		{"SPF", "@", "SPF", `"v=spf1 -all"`, ""},
		{"SPF one word", "@", "SPF", `v=spf1`, ""},
		{"SPF unquoted spaces", "@", "SPF", `v=spf1 -all`, `zones.example.net.records.@.SPF.value: SPF text with spaces must be quoted (RFC 1035): '"v=spf1 -all"'`},
		{"DS SHA-256", "child", "DS", "12345 13 2 " + hex64, ""},
		{"DS SHA-1 lower case", "child", "DS", "12345 8 1 " + strings.ToLower(hex40), ""},
		{"DS no digest", "child", "DS", "12345 13 2", `zones.example.net.records.child.DS.value: not valid DS RDATA "12345 13 2": no digest`},
		{"DS not hex", "child", "DS", "12345 13 2 XYZ0", `zones.example.net.records.child.DS.value: not valid DS RDATA "12345 13 2 XYZ0": the digest "XYZ0" is not hexadecimal`},
		{"DS odd hex", "child", "DS", "12345 13 2 ABC", `not valid DS RDATA "12345 13 2 ABC": the digest "ABC" is not hexadecimal`},
		{"DS digest length", "child", "DS", "12345 13 2 " + hex40, `not valid DS RDATA "12345 13 2 ` + hex40 + `": the digest has 40 hex digits, digest type 2 has 64`},
		{"DS key tag", "child", "DS", "70000 13 2 " + hex64, `zones.example.net.records.child.DS.value: not valid DS RDATA "70000 13 2 ` + hex64 + `": bad DS KeyTag: "70000"`},
		{"TLSA SHA-256", "_443._tcp.www", "TLSA", "3 1 1 " + hex64, ""},
		{"TLSA SHA-512", "_443._tcp.www", "TLSA", "3 1 2 " + hex128, ""},
		{"TLSA full data", "_443._tcp.www", "TLSA", "3 1 0 3059301306072A8648CE3D020106", ""},
		{"TLSA no data", "_443._tcp.www", "TLSA", "3 1 1", `zones.example.net.records._443._tcp.www.TLSA.value: not valid TLSA RDATA "3 1 1": no certificate association data`},
		{"TLSA length", "_443._tcp.www", "TLSA", "3 1 1 " + hex128, "the certificate association data has 128 hex digits, matching type 1 has 64"},
		{"TLSA usage", "_443._tcp.www", "TLSA", "300 1 1 " + hex64, `not valid TLSA RDATA "300 1 1 ` + hex64 + `": bad TLSA Usage: "300"`},
		{"SSHFP SHA-256", "host", "SSHFP", "4 2 " + hex64, ""},
		{"SSHFP SHA-1", "host", "SSHFP", "1 1 " + hex40, ""},
		{"SSHFP not hex", "host", "SSHFP", "4 2 fingerprint", `zones.example.net.records.host.SSHFP.value: not valid SSHFP RDATA "4 2 fingerprint": the fingerprint "fingerprint" is not hexadecimal`},
		{"SSHFP no fingerprint", "host", "SSHFP", "4 2", "no fingerprint"},
		{"SSHFP algorithm", "host", "SSHFP", "400 2 " + hex64, `bad SSHFP Algorithm: "400"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := inZone("      "+quoteOwner(tc.owner)+":", "        "+tc.typ+": {value: '"+strings.ReplaceAll(tc.value, "'", "''")+"'}")
			d, _, err := Parse("bad.yaml", strings.NewReader(in))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkData(t, d)
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), "bad.yaml:5: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got  %q\nwant bad.yaml:5: …%s", err, tc.want)
			}
		})
	}
}

func quoteOwner(o string) string {
	if o == "@" {
		return `"@"`
	}
	return o
}

// TestRdataTypesRouted: each new type compiles and answers as a simple record set
// and under each rule the other non-address types take, with its own record type.
func TestRdataTypesRouted(t *testing.T) {
	values := map[string][2]string{
		"NAPTR": {`'100 10 "S" "SIP+D2U" "" _sip._udp.example.net.'`, `'100 20 "S" "SIP+D2T" "" _sip._tcp.example.net.'`},
		"SPF":   {`'"v=spf1 -all"'`, `'"v=spf1 mx -all"'`},
		"DS":    {"12345 13 2 " + hex64, "54321 8 1 " + hex40},
		"TLSA":  {"3 1 1 " + hex64, "2 0 1 " + hex64},
		"SSHFP": {"4 2 " + hex64, "1 1 " + hex40},
	}
	rules := map[string]func(a, b string) []string{
		"simple": func(a, b string) []string { return []string{"values: [" + a + ", " + b + "]"} },
		"weighted": func(a, b string) []string {
			return []string{"weighted:", "  - {weight: 1, value: " + a + "}", "  - {weight: 0, value: " + b + "}"}
		},
		"failover": func(a, b string) []string {
			return []string{"failover:", "  - {value: " + b + ", check: down}", "  - {value: " + a + "}"}
		},
		"geolocation": func(a, b string) []string {
			return []string{"geolocation:", "  - {country: DE, value: " + b + "}", "  - {default: true, value: " + a + "}"}
		},
		"multivalue": func(a, b string) []string {
			return []string{"multivalue:", "  - {value: " + a + "}", "  - {value: " + b + "}"}
		},
	}
	c := newChecks("down")
	c.down("down")
	for typ, v := range values {
		for rname, rule := range rules {
			t.Run(typ+"/"+rname, func(t *testing.T) {
				owner := "child" // a DS needs no NS to be served: the file plugin serves one anywhere
				lines := []string{"      " + owner + ":", "        " + typ + ":"}
				for _, l := range rule(v[0], v[1]) {
					lines = append(lines, "          "+l)
				}
				d, _, err := Parse("types.yaml", strings.NewReader(inZone(lines...)))
				if err != nil {
					t.Fatal(err)
				}
				snap, err := Compile(d, c.resolve, time.Unix(0, 0))
				if err != nil {
					t.Fatal(err)
				}
				qt := dns.StringToType[typ]
				mt := snap.Zone("child.example.net.").Lookup("child.example.net.", qt)
				if mt.Kind != Found {
					t.Fatalf("kind %d, want Found", mt.Kind)
				}
				vals, _ := answer(mt.Set.Tree, seeded())
				want := map[string]int{"simple": 2, "multivalue": 2}[rname]
				if want == 0 {
					want = 1
				}
				if len(vals) != want {
					t.Fatalf("answers %v, want %d", vals, want)
				}
				if rname != "simple" && rname != "multivalue" && vals[0] != strings.Trim(v[0], "'") {
					t.Errorf("answer %q, want %q (the rule's choice)", vals[0], strings.Trim(v[0], "'"))
				}
				for _, ep := range mt.Set.Tree.Endpoints {
					if ep.RR.Header().Rrtype != qt || dns.Len(ep.RR) == 0 {
						t.Errorf("endpoint %v is not %s", ep.RR, typ)
					}
					if _, err := dns.PackRR(ep.RR, make([]byte, 512), 0, nil, false); err != nil {
						t.Errorf("%v does not pack: %v", ep.RR, err)
					}
				}
			})
		}
	}
}

// TestLookupDS: a DS set belongs to the parent side of a zone cut (RFC 4035
// §3.1.4.1): a DS query for the cut's name is answered from this zone, every other
// type at or below the cut is a referral.
func TestLookupDS(t *testing.T) {
	in := inZone(
		"      \"@\": {DS: {value: 1 13 2 "+hex64+"}}",
		"      child:",
		"        NS: {value: ns1.child.example.org.}",
		"        DS: {value: 12345 13 2 "+hex64+"}",
		"      nods: {NS: {value: ns1.example.org.}}",
		"      leaf: {DS: {value: 2 13 2 "+hex64+"}}",
		"      deep.child: {A: {value: 192.0.2.1}}",
		"      inner.outer: {NS: {value: ns1.example.org.}}",
		"      outer: {NS: {value: ns2.example.org.}}",
	)
	d, _, err := Parse("ds.yaml", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Compile(d, newChecks().resolve, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	z := snap.Zone("example.net.")
	tests := []struct {
		qname string
		qtype uint16
		kind  Kind
		set   string // the label of the set answering, "" for none
	}{
		{"child.example.net.", dns.TypeDS, Found, "child.example.net./DS"},
		{"child.example.net.", dns.TypeNS, Delegation, "child.example.net./NS"},
		{"child.example.net.", dns.TypeA, Delegation, "child.example.net./NS"},
		{"deep.child.example.net.", dns.TypeDS, Delegation, "child.example.net./NS"},
		{"deep.child.example.net.", dns.TypeA, Delegation, "child.example.net./NS"},
		{"nods.example.net.", dns.TypeDS, NoRecords, ""},
		{"nods.example.net.", dns.TypeA, Delegation, "nods.example.net./NS"},
		{"example.net.", dns.TypeDS, Found, "example.net./DS"},
		{"leaf.example.net.", dns.TypeDS, Found, "leaf.example.net./DS"},
		{"nowhere.example.net.", dns.TypeDS, NXDomain, ""},
		// Below an outer cut, a DS for an inner cut's name is the outer cut's referral.
		{"inner.outer.example.net.", dns.TypeDS, Delegation, "outer.example.net./NS"},
		{"outer.example.net.", dns.TypeDS, NoRecords, ""},
	}
	for _, tc := range tests {
		mt := z.Lookup(tc.qname, tc.qtype)
		label := ""
		if mt.Set != nil {
			label = mt.Set.Label
		}
		if mt.Kind != tc.kind || label != tc.set {
			t.Errorf("%s %s: kind %d set %q, want %d %q", tc.qname, dns.TypeToString[tc.qtype], mt.Kind, label, tc.kind, tc.set)
		}
	}
}

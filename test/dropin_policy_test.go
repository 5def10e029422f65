package test

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"github.com/miekg/dns"
)

// TestDropInPolicyRecordTypes: the same records, served by stock CoreDNS's file
// plugin from a zone file and by coretraffic's policy plugin from a data file, give
// the same replies to NAPTR, SPF, DS, TLSA and SSHFP queries and to the zone cut
// cases of DS (RFC 4035 §3.1.4.1): rcode, AA, answer, authority and additional
// sections. One known difference is left out: file adds the apex NS set to the
// authority section of positive answers, policy does not, so the authority section
// is compared only when the answer section is empty (negative answers, referrals).
func TestDropInPolicyRecordTypes(t *testing.T) {
	dir := filepath.Join("testdata", "dropin", "rrtypes")
	start := func(bin, plugin, file string) *e2e.Server {
		d := t.TempDir()
		copyFile(t, filepath.Join(dir, file), filepath.Join(d, file))
		port := e2e.FreePort(t)
		corefile := fmt.Sprintf("example.org:%d {\n    bind 127.0.0.1\n    %s\n}\n", port, plugin)
		return e2e.Start(t, bin, corefile, d, fmt.Sprintf("127.0.0.1:%d", port))
	}
	stock := start(e2e.Stock(t), "file db.example.org", "db.example.org")
	ours := start(e2e.CoreTraffic(t), "policy {\n        data example.org.yaml\n    }", "example.org.yaml")

	for _, q := range []struct {
		name   string
		qtype  uint16
		expect string // in our reply, so that two empty replies cannot pass
	}{
		{"sip.example.org.", dns.TypeNAPTR, "SIP+D2T"},
		{"example.org.", dns.TypeSPF, `"v=spf1 -all"`},
		{"_443._tcp.www.example.org.", dns.TypeTLSA, "3 1 1 2bb183af"},
		{"host.example.org.", dns.TypeSSHFP, "1 1 09F6A01D"},
		{"child.example.org.", dns.TypeDS, "DS\t12345 13 2"},
		{"child.example.org.", dns.TypeNS, "glue ns1.child.example.org.\t300\tIN\tA\t192.0.2.53"},
		{"child.example.org.", dns.TypeA, "NS\tns.elsewhere.net."},
		{"x.child.example.org.", dns.TypeDS, "aa=false"},
		{"ns1.child.example.org.", dns.TypeA, "aa=false"},
		{"nods.example.org.", dns.TypeDS, "ns example.org.\t300\tIN\tSOA"},
		{"nods.example.org.", dns.TypeA, "ns nods.example.org."},
		{"example.org.", dns.TypeDS, "DS\t1 13 2"},
		{"leaf.example.org.", dns.TypeDS, "DS\t2 13 2"},
		{"leaf.example.org.", dns.TypeTLSA, "NOERROR aa=true"},
		{"nope.example.org.", dns.TypeDS, "NXDOMAIN"},
		{"sip.example.org.", dns.TypeTLSA, "ns example.org.\t300\tIN\tSOA"},
	} {
		t.Run(q.name+"/"+dns.TypeToString[q.qtype], func(t *testing.T) {
			want, err := sectionsOf(stock.Addr, q.name, q.qtype)
			if err != nil {
				t.Fatalf("stock: %v", err)
			}
			got, err := sectionsOf(ours.Addr, q.name, q.qtype)
			if err != nil {
				t.Fatalf("coretraffic: %v", err)
			}
			if want != got {
				t.Errorf("replies differ\n--- stock file ---\n%s\n--- coretraffic policy ---\n%s", want, got)
			}
			if !strings.Contains(got, q.expect) {
				t.Errorf("reply does not contain %q:\n%s", q.expect, got)
			}
		})
	}
}

// sectionsOf asks addr and returns the parts of the reply the comparison holds:
// rcode, AA, the answer section, the authority section when the answer is empty,
// and the additional section, each record on a line, sorted.
func sectionsOf(addr, name string, qtype uint16) (string, error) {
	m := new(dns.Msg).SetQuestion(name, qtype)
	c := &dns.Client{Timeout: 3 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		return "", err
	}
	lines := func(prefix string, rrs []dns.RR) []string {
		var out []string
		for _, rr := range rrs {
			out = append(out, prefix+" "+rr.String())
		}
		sort.Strings(out)
		return out
	}
	out := []string{fmt.Sprintf("%s aa=%v", dns.RcodeToString[r.Rcode], r.Authoritative)}
	out = append(out, lines("answer", r.Answer)...)
	if len(r.Answer) == 0 {
		out = append(out, lines("ns", r.Ns)...)
	}
	out = append(out, lines("glue", r.Extra)...)
	return strings.Join(out, "\n"), nil
}

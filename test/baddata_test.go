package test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/miekg/dns"
)

// Issue 15: data a user can produce never makes a served zone answer SERVFAIL, and
// every refusal names file, line and field — at start-up (exit non-zero) and on a
// data reload (the previous data keeps serving, queries flowing).

const badDataCorefile = `example.net:%d example.org:%d {
    bind 127.0.0.1
    policy {
        data data.yaml
        reload 200ms%s
    }
    prometheus 127.0.0.1:%d
}
`

const badDataGood = `zones:
  example.net:
    records:
      www:
        A: {value: %s}
      fo:
        A:
          failover:
            - {value: 192.0.2.10}
            - {value: 192.0.2.11}
`

// good is the good data file, www answering 192.0.2.1, with more lines appended.
func good(more string) string { return fmt.Sprintf(badDataGood, "192.0.2.1") + more }

// geoRecord is a geolocation record set whose first child matches on match (line 14).
func geoRecord(match string) string {
	return "      geo:\n        A:\n          geolocation:\n            - {" + match + ", value: 192.0.2.10}\n            - {default: true, value: 192.0.2.11}\n"
}

// badDataCases are data files refused at start-up and on reload, with what the
// refusal says.
var badDataCases = []struct {
	name, data, want string
}{
	{"empty file", "", "data.yaml:1: zones: the file defines no zones and no checks (the file is empty or only comments)"},
	{"only comments", "# nothing yet\n", "data.yaml:1: zones: the file defines no zones"},
	{"empty mapping", "{}\n", "data.yaml:1: zones: the file defines no zones and no checks ({} or zones: {})"},
	{"empty zones", "# v2\nzones: {}\n", "data.yaml:2: zones: the file defines no zones"},
	{"unknown country", good(geoRecord("country: XX")),
		`data.yaml:14: zones.example.net.records.geo.A.geolocation[0].country: unknown country code "XX": not in ISO 3166-1 alpha-2 (did you mean one of XK,`},
	{"unknown continent", good(geoRecord("continent: EO")),
		`data.yaml:14: zones.example.net.records.geo.A.geolocation[0].continent: unknown continent code "EO" (want AF AN AS EU NA OC SA) (did you mean EU?)`},
	{"unknown subdivision", good(geoRecord("subdivision: DE-HX")),
		`data.yaml:14: zones.example.net.records.geo.A.geolocation[0].subdivision: unknown subdivision code "DE-HX": not in ISO 3166-2 for Germany (did you mean one of DE-HB, DE-HE, DE-HH?)`},
	{"unknown key in a collection", "cidr_collections:\n  corp:\n    locations: {eu: 198.51.100.0/24}\n    bogus: 1\n" + good(""),
		"data.yaml:4: cidr_collections.corp.bogus: unknown key (a collection has locations or file)"},
	{"unknown key in all_down", good("          all_down:\n            value: 192.0.2.9\n            extra: 1\n"),
		"data.yaml:13: zones.example.net.records.fo.A.all_down.extra: unknown key (all_down's mapping is {value: RDATA})"},
	{"alias cycle", good("      a:\n        A: {alias: b}\n      b:\n        A: {alias: a}\n"),
		"data.yaml:14: zones.example.net.records.b.A.alias: cycle a.example.net. → b.example.net. → a.example.net."},
	{"missing check", strings.Replace(good(""), "- {value: 192.0.2.10}", "- {value: 192.0.2.10, check: nosuch}", 1),
		`data.yaml:9: zones.example.net.records.fo.A.failover[0].check: no health check named "nosuch"`},
	{"10 MB of garbage", string(garbageBytes(10 << 20)), "data.yaml:1: invalid YAML: invalid leading UTF-8 octet at byte offset 0"},
	{"zone dropped", "zones:\n  example.org:\n    records:\n      www: {A: {value: 198.51.100.1}}\n",
		"data.yaml:1: zones.example.net: zone example.net. is gone from the data (it was at line 2); a reload does not stop serving a zone unless allow_zone_removal is set"},
}

// garbageBytes is n random bytes from a fixed seed, the first one no UTF-8 text has.
func garbageBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(15, 15))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0] = 0xff
	return b
}

func writeData(t *testing.T, dir, data string) {
	t.Helper()
	tmp := filepath.Join(dir, "data.yaml.tmp")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "data.yaml")); err != nil {
		t.Fatal(err)
	}
}

func badDataConfig(t *testing.T, opts string) (corefile, addr string, metricsPort int) {
	port, metricsPort := e2e.FreePort(t), e2e.FreePort(t)
	return fmt.Sprintf(badDataCorefile, port, port, opts, metricsPort), fmt.Sprintf("127.0.0.1:%d", port), metricsPort
}

// TestPolicyBadDataAtStartup: each bad data file makes coretraffic exit non-zero
// naming file, line and field.
func TestPolicyBadDataAtStartup(t *testing.T) {
	bin := e2e.CoreTraffic(t)
	for _, tc := range badDataCases {
		if tc.name == "zone dropped" {
			continue // a reload rule: at start-up there is nothing running to drop
		}
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeData(t, dir, tc.data)
			corefile, _, _ := badDataConfig(t, "")
			s, err := e2e.Launch(t, bin, corefile, dir)
			if err != nil {
				t.Fatal(err)
			}
			code, err := s.Wait(30 * time.Second)
			if err != nil {
				t.Fatalf("%v\n%s", err, s.Output())
			}
			if code == 0 || !strings.Contains(s.Output(), "plugin/policy: "+tc.want) {
				t.Fatalf("exit %d, want non-zero and %q in:\n%s", code, tc.want, s.Output())
			}
		})
	}
}

// askPlain sends qname qtype and returns the reply; a transport error fails.
func askPlain(t *testing.T, addr, qname string, qtype uint16) *dns.Msg {
	t.Helper()
	r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(new(dns.Msg).SetQuestion(qname, qtype), addr)
	if err != nil {
		t.Fatalf("%s: %v", qname, err)
	}
	return r
}

// emptyZoneAnswer checks that qname answers NXDOMAIN with the zone's SOA and AA.
func emptyZoneAnswer(t *testing.T, addr, qname, zone string) {
	t.Helper()
	r := askPlain(t, addr, qname, dns.TypeA)
	if r.Rcode != dns.RcodeNameError || !r.Authoritative || len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA || r.Ns[0].Header().Name != zone {
		t.Errorf("%s: want NXDOMAIN, AA and the SOA of %s, got\n%v", qname, zone, r)
	}
}

// TestPolicyBadDataOnReload: under a steady query load, each bad file is refused on
// reload with one log line naming file, line and field and one rejection counted;
// www keeps its answer and no query fails. The block's zone without data
// (example.org.) answers as an empty zone throughout.
func TestPolicyBadDataOnReload(t *testing.T) {
	dir := t.TempDir()
	writeData(t, dir, fmt.Sprintf(badDataGood, "192.0.2.1"))
	corefile, addr, metricsPort := badDataConfig(t, "")
	s := e2e.Start(t, e2e.CoreTraffic(t), corefile, dir, addr)
	emptyZoneAnswer(t, addr, "www.example.org.", "example.org.")

	load := startLoad(t, addr)
	for i, tc := range badDataCases {
		writeData(t, dir, tc.data)
		waitFor(t, tc.name+" refused", 10*time.Second, func() bool { return strings.Count(s.Output(), "policy data rejected") > i })
		time.Sleep(300 * time.Millisecond) // a reload tick or more: one line per change, not per tick
		lines := strings.Split(grepLines(s.Output(), "policy data rejected"), "\n")
		if len(lines) != i+1 || !strings.Contains(lines[i], "policy data rejected, still serving the previous data: "+tc.want) {
			t.Fatalf("after %s: rejections logged\n%s\nwant %d, the last with %q", tc.name, strings.Join(lines, "\n"), i+1, tc.want)
		}
		if got := askA(t, addr, "www.example.net.", "192.0.2.0/24"); !oneOf(got, "192.0.2.1") {
			t.Fatalf("after %s: www.example.net. %v, want the previous 192.0.2.1", tc.name, got)
		}
	}
	writeData(t, dir, fmt.Sprintf(badDataGood, "192.0.2.2"))
	waitFor(t, "the fixed file served", 10*time.Second, func() bool { return oneOf(askA(t, addr, "www.example.net.", "192.0.2.0/24"), "192.0.2.2") })
	sent, failed := load.stop()
	t.Logf("%d queries during %d refused reloads, %d failed", sent, len(badDataCases), failed)
	if sent < 100 || failed != 0 {
		t.Errorf("%d of %d queries failed", failed, sent)
	}
	metrics := httpGetURL(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	want := regexp.MustCompile(fmt.Sprintf(`coredns_policy_reloads_total\{result="rejected",server="[^"]+"\} %d\n`, len(badDataCases)))
	if !want.MatchString(metrics) {
		t.Errorf("metrics lack %s:\n%s", want, grepLines(metrics, "coredns_policy_reloads"))
	}
	emptyZoneAnswer(t, addr, "www.example.org.", "example.org.")
}

// TestPolicyEmptyDataAllowed: with allow_empty and allow_zone_removal an emptied
// file is served: the block's zones answer as empty zones, not SERVFAIL; a good
// file brings the answers back.
func TestPolicyEmptyDataAllowed(t *testing.T) {
	dir := t.TempDir()
	writeData(t, dir, "")
	corefile, addr, _ := badDataConfig(t, "\n        allow_empty\n        allow_zone_removal")
	s := e2e.Start(t, e2e.CoreTraffic(t), corefile, dir, addr)
	emptyZoneAnswer(t, addr, "www.example.net.", "example.net.")

	writeData(t, dir, fmt.Sprintf(badDataGood, "192.0.2.1"))
	waitFor(t, "data served", 10*time.Second, func() bool { return askPlain(t, addr, "www.example.net.", dns.TypeA).Rcode == dns.RcodeSuccess })
	writeData(t, dir, "# emptied on purpose\n")
	waitFor(t, "emptied data served", 10*time.Second, func() bool {
		return askPlain(t, addr, "www.example.net.", dns.TypeA).Rcode == dns.RcodeNameError
	})
	emptyZoneAnswer(t, addr, "www.example.net.", "example.net.")
	if strings.Contains(s.Output(), "policy data rejected") {
		t.Errorf("allowed data rejected:\n%s", s.Output())
	}
}

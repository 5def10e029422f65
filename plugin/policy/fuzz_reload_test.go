package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// reloadSeed is the good data FuzzReload mutates: most rules, an alias, a
// collection, a wildcard and all_down with a value.
const reloadSeed = `cidr_collections:
  corp:
    locations: {eu: 198.51.100.0/24, us: [203.0.113.0/24]}
zones:
  example.net:
    ttl: 30
    soa: {serial: 7}
    records:
      "@":
        NS: {values: [ns1.example.net.]}
      ns1:
        A: {value: 192.0.2.53}
      www:
        A:
          sticky: true
          weighted:
            - {weight: 70, value: 192.0.2.1}
            - {weight: 30, value: 192.0.2.2}
      geo:
        A:
          all_down: {value: 192.0.2.9}
          geolocation:
            - {country: DE, value: 192.0.2.10}
            - {subdivision: US-VA, value: 192.0.2.12}
            - {continent: AS, value: 192.0.2.13}
            - {default: true, value: 192.0.2.11}
      apex:
        A: {alias: www}
      ip:
        A:
          ip:
            - {location: eu, value: 192.0.2.20}
            - {location: "*", value: 192.0.2.21}
          collection: corp
      fail:
        A: {failover: [{value: 192.0.2.30}, {value: 192.0.2.31}]}
      "*.wild":
        TXT: {value: '"wild"'}
      alias:
        CNAME: {value: www.example.net.}
`

// reloadNames are asked before and after every fuzzed reload.
var reloadNames = []string{"www.example.net.", "geo.example.net.", "apex.example.net.", "ip.example.net.", "fail.example.net.",
	"alias.example.net.", "x.wild.example.net.", "nx.example.net.", "example.net.", "www.example.org."}

// wellPlaced says whether a refusal names the data file, a line and a field, or
// is one of the document's own (the YAML decoder's, the top level's), which have
// no field.
func wellPlaced(err error, file string) bool {
	var pe *policy.ParseError
	if !errors.As(err, &pe) || pe.File != file || pe.Line < 1 {
		return false
	}
	for _, doc := range []string{"invalid YAML: ", "a data file holds one YAML document", "the top level must be a mapping"} {
		if strings.HasPrefix(pe.Msg, doc) {
			return true
		}
	}
	return pe.Path != ""
}

// FuzzReload: a mutation of good data is either refused with file:line: field, the
// previous answers kept, or accepted and served. No name of the block's zones
// answers SERVFAIL either way, and nothing panics (issue 15).
func FuzzReload(f *testing.F) {
	f.Add([]byte(reloadSeed))
	f.Add([]byte(""))
	f.Add([]byte("{}\n"))
	f.Add([]byte("zones: {}\n"))
	f.Add([]byte("# comment only\n"))
	f.Add([]byte(reloadSeed[:len(reloadSeed)/2]))
	f.Add([]byte(strings.Replace(reloadSeed, "country: DE", "country: XX", 1)))
	f.Add([]byte(strings.Replace(reloadSeed, "alias: www", "alias: apex", 1)))
	f.Add([]byte(strings.Replace(reloadSeed, "example.net:", "example.com:", 1)))
	f.Add([]byte(strings.Replace(reloadSeed, "    locations:", "    bogus: 1\n    locations:", 1)))
	f.Add([]byte(strings.Replace(reloadSeed, "{value: 192.0.2.9}", "{value: 192.0.2.9, extra: 1}", 1)))
	f.Add([]byte("\xff\xfe" + reloadSeed))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := startRuleServer(t, t.TempDir(), policy.ServeRules{}, reloadSeed)
		before := map[string]string{}
		for _, q := range reloadNames {
			before[q] = s.answer(t, q, dns.TypeA)
		}
		ld := s.p.snap.Load()
		s.write(t, string(data))
		_, _, err := s.l.load()
		s.l.reloadIfChanged(s.p)
		if err != nil {
			if !wellPlaced(err, s.file) {
				t.Fatalf("refusal without file:line: field: %v", err)
			}
			if s.p.snap.Load() != ld {
				t.Fatalf("refused (%v) but the data was swapped", err)
			}
			for _, q := range reloadNames {
				if got := s.answer(t, q, dns.TypeA); got != before[q] {
					t.Fatalf("after a refusal %s: %s, before %s", q, got, before[q])
				}
			}
			return
		}
		if s.p.snap.Load() == ld && string(data) != reloadSeed {
			t.Fatal("accepted but not swapped in")
		}
		asked := 0
		snap := s.p.snap.Load().Snap
		for _, o := range snap.Origins() {
			for _, set := range snap.Zone(o).Sets() {
				if asked++; asked > 200 {
					break
				}
				s.answer(t, set.Name, set.Type)
			}
		}
		for _, q := range reloadNames {
			s.answer(t, q, dns.TypeA)
		}
	})
}

// answer asks policy alone (from the test writer's fixed address: sticky weighted
// answers are stable) for qname and qtype, fails on SERVFAIL or no reply
// for a name of the block's zones, and returns the reply's rcode and answer in
// one comparable string (TTLs included: the data did not change).
func (s *ruleServer) answer(t *testing.T, qname string, qtype uint16) string {
	t.Helper()
	resp, code := serve(t, s.p, new(dns.Msg).SetQuestion(qname, qtype), nil)
	if resp == nil || resp.Rcode == dns.RcodeServerFailure || code == dns.RcodeServerFailure {
		t.Fatalf("%s %s: SERVFAIL or no reply (code %d): %v", qname, dns.TypeToString[qtype], code, resp)
	}
	var b strings.Builder
	b.WriteString(dns.RcodeToString[resp.Rcode])
	for _, rr := range resp.Answer {
		b.WriteString(" " + rr.String())
	}
	return b.String()
}

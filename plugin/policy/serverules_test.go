package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// goodData serves www.example.net. and geo.example.net.; the block of the tests is
// for example.net. and example.org. (the data lacks the latter).
const goodData = `zones:
  example.net:
    records:
      www:
        A: {value: 192.0.2.1}
      geo:
        A:
          geolocation:
            - {country: DE, value: 192.0.2.10}
            - {default: true, value: 192.0.2.11}
`

// ruleServer is a loader over one data file, started as OnStartup would start it,
// in a Policy that is the last plugin of its block (no next plugin).
type ruleServer struct {
	file string
	l    *loader
	p    *Policy
}

func startRuleServer(t testing.TB, dir string, rules policy.ServeRules, data string) *ruleServer {
	t.Helper()
	s := &ruleServer{file: filepath.Join(dir, "data.yaml")}
	s.write(t, data)
	s.l = &loader{files: []string{s.file}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name(), servers: []string{"dns://127.0.0.1:53"},
		rules: rules, origins: []string{"example.net.", "example.org."}}
	ld, set, err := s.l.load()
	if err != nil {
		t.Fatal(err)
	}
	s.p = &Policy{loader: s.l}
	s.l.start(s.p, ld, set)
	t.Cleanup(s.l.stop)
	return s
}

func (s *ruleServer) write(t testing.TB, data string) {
	t.Helper()
	if err := os.WriteFile(s.file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ask returns the reply to qname A from policy alone.
func (s *ruleServer) ask(t testing.TB, qname string) *dns.Msg {
	t.Helper()
	resp, _ := serve(t, s.p, new(dns.Msg).SetQuestion(qname, dns.TypeA), nil)
	if resp == nil {
		t.Fatalf("%s: no reply written", qname)
	}
	return resp
}

// TestReloadServeRules: a reload to data that serves nothing, or that drops a zone,
// is refused with file:line: field and one rejection counted, and the previous
// answers keep coming; with the opt-ins it is served, and the zones of the block
// that the data lacks answer as empty zones, never SERVFAIL (issue 15).
func TestReloadServeRules(t *testing.T) {
	dropNet := "zones:\n  example.org:\n    records:\n      www: {A: {value: 198.51.100.1}}\n"
	tests := []struct {
		name  string
		rules policy.ServeRules
		data  string
		want  string // the load error; "" = accepted
		// accepted: rcode of www.example.net. A afterwards
		rcode int
	}{
		{"truncated to nothing", policy.ServeRules{}, "", "data.yaml:1: zones: the file defines no zones and no checks (the file is empty or only comments)", 0},
		{"only comments", policy.ServeRules{}, "# deploy in progress\n", "data.yaml:1: zones: the file defines no zones", 0},
		{"empty mapping", policy.ServeRules{}, "{}\n", "data.yaml:1: zones: the file defines no zones and no checks ({} or zones: {})", 0},
		{"empty zones", policy.ServeRules{}, "zones: {}\n", "data.yaml:1: zones: the file defines no zones", 0},
		{"cut inside a record", policy.ServeRules{}, goodData[:60], "data.yaml:4: invalid YAML: did not find expected ',' or '}'", 0},
		{"zone dropped", policy.ServeRules{}, dropNet, "data.yaml:1: zones.example.net: zone example.net. is gone from the data (it was at line 2)", 0},
		{"zone dropped, empty allowed", policy.ServeRules{AllowEmpty: true}, "", "data.yaml:1: zones.example.net: zone example.net. is gone", 0},
		{"unknown country", policy.ServeRules{}, strings.Replace(goodData, "country: DE", "country: XX", 1), `data.yaml:9: zones.example.net.records.geo.A.geolocation[0].country: unknown country code "XX"`, 0},
		{"emptied with both opt-ins", policy.ServeRules{AllowEmpty: true, AllowZoneRemoval: true}, "", "", dns.RcodeNameError},
		{"zone dropped with removal allowed", policy.ServeRules{AllowZoneRemoval: true}, dropNet, "", dns.RcodeNameError},
		{"good change", policy.ServeRules{}, strings.Replace(goodData, "192.0.2.1}", "192.0.2.2}", 1), "", dns.RcodeSuccess},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startRuleServer(t, t.TempDir(), tc.rules, goodData)
			before := s.ask(t, "www.example.net.")
			if len(before.Answer) != 1 {
				t.Fatalf("before: %v", before)
			}
			rejected := rejections(t)
			s.write(t, tc.data)
			_, _, err := s.l.load() // what the reload below logs
			s.l.reloadIfChanged(s.p)
			after := s.ask(t, "www.example.net.")
			counted := rejections(t) - rejected
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("load error %v, want %q", err, tc.want)
				}
				if counted != 1 {
					t.Errorf("%v rejections counted, want 1", counted)
				}
				if after.Rcode != dns.RcodeSuccess || len(after.Answer) != 1 || after.Answer[0].String() != before.Answer[0].String() {
					t.Errorf("after the refusal: %v, want the previous answer %v", after, before.Answer)
				}
				return
			}
			if err != nil || counted != 0 {
				t.Fatalf("refused: %v (%v rejections)", err, counted)
			}
			if after.Rcode != tc.rcode || !after.Authoritative {
				t.Fatalf("after the reload: rcode %s (AA %v), want %s", dns.RcodeToString[after.Rcode], after.Authoritative, dns.RcodeToString[tc.rcode])
			}
			if tc.rcode == dns.RcodeNameError && (len(after.Ns) != 1 || after.Ns[0].Header().Rrtype != dns.TypeSOA) {
				t.Errorf("NXDOMAIN without the SOA: %v", after)
			}
		})
	}
}

// TestBlockZoneMissingFromData: a zone the block names that the data lacks answers
// as an empty authoritative zone when policy is the last plugin, and goes to the
// next plugin when there is one (as before).
func TestBlockZoneMissingFromData(t *testing.T) {
	s := startRuleServer(t, t.TempDir(), policy.ServeRules{}, goodData)
	for _, tc := range []struct {
		qname string
		qtype uint16
		rcode int
		soa   bool // SOA in authority
		ans   int
	}{
		{"www.example.org.", dns.TypeA, dns.RcodeNameError, true, 0},
		{"example.org.", dns.TypeA, dns.RcodeSuccess, true, 0},
		{"example.org.", dns.TypeSOA, dns.RcodeSuccess, false, 1},
		{"www.example.net.", dns.TypeA, dns.RcodeSuccess, false, 1},
	} {
		resp, _ := serve(t, s.p, new(dns.Msg).SetQuestion(tc.qname, tc.qtype), nil)
		if resp.Rcode != tc.rcode || !resp.Authoritative || len(resp.Answer) != tc.ans || tc.soa != (len(resp.Ns) == 1 && resp.Ns[0].Header().Rrtype == dns.TypeSOA) {
			t.Errorf("%s %s: %v", tc.qname, dns.TypeToString[tc.qtype], resp)
		}
	}
	next := &Policy{Next: nextAnswers{}, loader: s.l}
	next.snap.Store(s.p.snap.Load())
	if _, code := serve(t, next, new(dns.Msg).SetQuestion("www.example.org.", dns.TypeA), nil); code != dns.RcodeNotImplemented {
		t.Errorf("with a next plugin: code %d, want the next plugin's %d", code, dns.RcodeNotImplemented)
	}
}

// nextAnswers is a next plugin that answers NOTIMP without writing.
type nextAnswers struct{}

func (nextAnswers) ServeDNS(context.Context, dns.ResponseWriter, *dns.Msg) (int, error) {
	return dns.RcodeNotImplemented, nil
}

func (nextAnswers) Name() string { return "next" }

// rejections sums coredns_policy_reloads_total{result="rejected"} over servers.
func rejections(t testing.TB) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	go func() { reloads.Collect(ch); close(ch) }()
	sum := 0.0
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		for _, l := range pb.GetLabel() {
			if l.GetName() == "result" && l.GetValue() == "rejected" {
				sum += pb.GetCounter().GetValue()
			}
		}
	}
	return sum
}

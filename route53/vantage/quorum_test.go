package vantage

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/store"
)

// reports makes n reports of which the first healthy say healthy.
func reports(n, healthy int) []Report {
	out := make([]Report, n)
	for i := range out {
		out[i] = Report{Checker: fmt.Sprintf("c%d", i), Healthy: i < healthy}
	}
	return out
}

func TestQuorum(t *testing.T) {
	tests := []struct {
		name       string
		n, healthy int
		threshold  float64
		want       hc.Verdict
	}{
		{"no checkers: own probes decide", 0, 0, 0, hc.VerdictNone},
		{"1 of 6 is 16.7 %: down", 6, 1, 0, hc.VerdictUnhealthy},
		{"2 of 6 is 33 %: up", 6, 2, 0, hc.VerdictHealthy},
		{"0 of 6", 6, 0, 0, hc.VerdictUnhealthy},
		{"1 of 1", 1, 1, 0, hc.VerdictHealthy},
		{"0 of 1", 1, 0, 0, hc.VerdictUnhealthy},
		{"1 of 3 is 33 %: up", 3, 1, 0, hc.VerdictHealthy},
		{"1 of 5 is 20 %: up", 5, 1, 0, hc.VerdictHealthy},
		{"1 of 6 at threshold 16: up", 6, 1, 16, hc.VerdictHealthy},
		{"exactly the threshold is not more: 1 of 2 at 50", 2, 1, 50, hc.VerdictUnhealthy},
		{"9 of 50 is exactly 18 %: down", 50, 9, 0, hc.VerdictUnhealthy},
		{"10 of 50 is 20 %: up", 50, 10, 0, hc.VerdictHealthy},
		{"majority rule: 2 of 3 at 50", 3, 2, 50, hc.VerdictHealthy},
		{"all at 99.9", 4, 4, 99.9, hc.VerdictHealthy},
		{"3 of 4 at 99.9", 4, 3, 99.9, hc.VerdictUnhealthy},
	}
	for _, tc := range tests {
		if got := Quorum(reports(tc.n, tc.healthy), tc.threshold); got != tc.want {
			t.Errorf("%s: Quorum(%d of %d, %v) = %v, want %v", tc.name, tc.healthy, tc.n, tc.threshold, got, tc.want)
		}
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	rule := Rule{Stale: 5 * time.Second}
	web := checks.HealthCheckConfig{Type: checks.TypeHTTP}
	inverted := checks.HealthCheckConfig{Type: checks.TypeHTTP, Inverted: true}
	disabled := checks.HealthCheckConfig{Type: checks.TypeHTTP, Disabled: true}
	calculated := checks.HealthCheckConfig{Type: checks.TypeCalculated, ChildHealthChecks: []string{"web"}}
	regional := checks.HealthCheckConfig{Type: checks.TypeTCP, Regions: []string{"us-east-1", "eu-west-1", "sa-east-1"}}
	cfgs := map[string]checks.HealthCheckConfig{"web": web, "inv": inverted, "off": disabled, "calc": calculated, "reg": regional}

	alive := func(region string, age time.Duration) Alive { return Alive{Region: region, At: now.Add(-age)} }
	// Six checkers; one of them (c1) says healthy for every check.
	view := func() View {
		v := View{Alive: map[string]Alive{}, Reports: map[string][]Report{}}
		regions := []string{"us-east-1", "eu-west-1", "ap-southeast-1", "us-west-2", "sa-east-1", "us-west-1"}
		for i := range 6 {
			m := fmt.Sprintf("c%d", i)
			v.Alive[m] = alive(regions[i], time.Second)
			for _, id := range []string{"web", "inv", "off", "calc", "reg"} {
				v.Reports[id] = append(v.Reports[id], Report{Checker: m, Healthy: i == 1})
			}
		}
		return v
	}
	tests := []struct {
		name string
		self string
		edit func(*View)
		want map[string]hc.Verdict
	}{
		{"1 of 6 healthy: down; inverted gets the raw verdict (the engine inverts); disabled and calculated left alone",
			"c0", nil, map[string]hc.Verdict{"web": hc.VerdictUnhealthy, "inv": hc.VerdictUnhealthy, "off": hc.VerdictNone, "calc": hc.VerdictNone, "reg": hc.VerdictHealthy}},
		{"2 of 6 healthy: up", "c0", func(v *View) { v.Reports["web"][4].Healthy = true },
			map[string]hc.Verdict{"web": hc.VerdictHealthy}},
		{"an expired checker (no alive key) does not count: 1 of 5 is 20 %", "c0", func(v *View) { delete(v.Alive, "c5") },
			map[string]hc.Verdict{"web": hc.VerdictHealthy}},
		{"the healthy checker expired: 0 of 5", "c0", func(v *View) { delete(v.Alive, "c1") },
			map[string]hc.Verdict{"web": hc.VerdictUnhealthy}},
		{"cut off (own heartbeat older than Stale): own probes decide", "c0", func(v *View) { v.Alive["c0"] = alive("us-east-1", 6*time.Second) },
			map[string]hc.Verdict{"web": hc.VerdictNone, "inv": hc.VerdictNone, "reg": hc.VerdictNone}},
		{"own heartbeat not seen yet: own probes decide", "new", nil,
			map[string]hc.Verdict{"web": hc.VerdictNone}},
		{"own heartbeat at the staleness bound still counts", "c0", func(v *View) { v.Alive["c0"] = alive("us-east-1", 5*time.Second) },
			map[string]hc.Verdict{"web": hc.VerdictUnhealthy}},
		{"no reports on a check: own probes decide", "c0", func(v *View) { delete(v.Reports, "web") },
			map[string]hc.Verdict{"web": hc.VerdictNone}},
		{"Regions: only the listed regions' checkers count (c1 of 3)", "c0", func(v *View) { v.Reports["reg"][1].Healthy = false; v.Reports["reg"][4].Healthy = true },
			map[string]hc.Verdict{"reg": hc.VerdictHealthy}},
		{"Regions: a healthy checker outside them does not count", "c0", func(v *View) {
			for i := range v.Reports["reg"] {
				v.Reports["reg"][i].Healthy = i == 2 || i == 3
			}
		}, map[string]hc.Verdict{"reg": hc.VerdictUnhealthy}},
	}
	for _, tc := range tests {
		v := view()
		if tc.edit != nil {
			tc.edit(&v)
		}
		got := v.Decide(tc.self, now, rule, cfgs)
		if len(got) != len(cfgs) {
			t.Errorf("%s: %d verdicts for %d checks", tc.name, len(got), len(cfgs))
		}
		for id, w := range tc.want {
			if got[id] != w {
				t.Errorf("%s: %s = %v, want %v", tc.name, id, got[id], w)
			}
		}
	}
}

func TestDecode(t *testing.T) {
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	enc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	anns := []store.Announcement{
		{Member: "b", Key: "health/alive", Value: enc(Alive{Region: "eu-west-1", IP: "192.0.2.2", At: at})},
		{Member: "b", Key: "health/check/x", Value: enc(Report{Healthy: true, Status: "Success: HTTP Status Code 200, OK", Checked: at})},
		{Member: "a", Key: "health/check/x", Value: enc(Report{Status: "Failure: Connection refused. The endpoint is not listening on the port."})},
		{Member: "c", Key: "health/check/x", Value: []byte("{not json")},
		{Member: "c", Key: "health/alive", Value: []byte("[]")},
		{Member: "a", Key: "health/check/", Value: enc(Report{})}, // no ID
		{Member: "a", Key: "health/other", Value: []byte("ignored")},
	}
	v, errs := Decode(anns)
	if len(errs) != 2 {
		t.Errorf("errors %v, want 2 (c's report and alive key)", errs)
	}
	if al := v.Alive["b"]; al.Region != "eu-west-1" || !al.At.Equal(at) || len(v.Alive) != 1 {
		t.Errorf("alive %+v", v.Alive)
	}
	rs := v.Reports["x"]
	if len(rs) != 2 || rs[0].Checker != "a" || rs[1].Checker != "b" || !rs[1].Healthy || rs[0].Healthy || len(v.Reports) != 1 {
		t.Errorf("reports %+v", v.Reports)
	}
}

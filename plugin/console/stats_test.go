package console

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The sampler turns the policy plugin's answer counters into rates per record set
// and per answer, and keeps every series as long as the time axis.
func TestSamplerRates(t *testing.T) {
	reg := prometheus.NewRegistry()
	answers := prometheus.NewCounterVec(prometheus.CounterOpts{Name: answersMetric[:len(answersMetric)-len("_total")] + "_total"},
		[]string{"zone", "rrset", "endpoint"})
	reg.MustRegister(answers)
	sm := newSampler(reg, nil, time.Minute) // an hour is 60 samples
	t0 := time.Unix(1_800_000_000, 0)
	sm.sample(t0)
	answers.WithLabelValues("example.net.", "w.example.net./A", "a").Add(40)
	answers.WithLabelValues("example.net.", "w.example.net./A", "b").Add(10)
	sm.sample(t0.Add(5 * time.Second))
	answers.WithLabelValues("example.net.", "fo.example.net./A", "fra").Add(5) // a new series
	sm.sample(t0.Add(10 * time.Second))

	got := sm.series(100)
	if ts := got["t"].([]int64); len(ts) != 3 || ts[2]-ts[0] != 10 {
		t.Fatalf("t %v", ts)
	}
	want := map[string][]float64{
		"w.example.net./A":  {0, 10, 0},
		"fo.example.net./A": {0, 0, 1},
	}
	for _, s := range got["rrsets"].([]setSeries) {
		w, ok := want[s.Set]
		if !ok || len(s.QPS) != 3 {
			t.Fatalf("series %+v", s)
		}
		for i := range w {
			if math.Abs(s.QPS[i]-w[i]) > 1e-9 {
				t.Errorf("%s: %v, want %v", s.Set, s.QPS, w)
			}
		}
	}
	var a float64
	for _, s := range got["answers"].([]setSeries) {
		if s.Endpoint == "a" {
			a = s.QPS[1]
		}
	}
	if a != 8 {
		t.Errorf("answer a: %v/s, want 8", a)
	}
	if l := sm.latest(); l["rrsets"].(map[string]float64)["fo.example.net./A"] != 1 {
		t.Errorf("latest %+v", l)
	}
	// The window keeps at most an hour of samples.
	for i := range sm.size + 10 {
		sm.sample(t0.Add(time.Duration(11+i) * time.Second))
	}
	if got := sm.series(1 << 20); len(got["t"].([]int64)) != sm.size {
		t.Fatalf("%d samples kept, want %d", len(got["t"].([]int64)), sm.size)
	}
}

package policy

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/coretraffic/coretraffic/internal/inproc"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// gaugeSeries reads a server/zone gauge: value by "server zone".
func gaugeSeries(t *testing.T, g *prometheus.GaugeVec) map[string]float64 {
	t.Helper()
	ch := make(chan prometheus.Metric)
	go func() { g.Collect(ch); close(ch) }()
	out := map[string]float64{}
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		l := map[string]string{}
		for _, lp := range pb.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		out[l["server"]+" "+l["zone"]] = pb.GetGauge().GetValue()
	}
	return out
}

// Two policy blocks each have their own record_sets and last_load_timestamp_seconds
// series, by server and zone (with one unlabelled gauge the last loader won); a
// Corefile reload that removes a block removes its series and keeps the others.
func TestLoadMetricsByServerAndZone(t *testing.T) {
	dir := t.TempDir()
	one, two := filepath.Join(dir, "one.yaml"), filepath.Join(dir, "two.yaml")
	reviewWrite(t, one, "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1}\n      api:\n        A: {value: 192.0.2.2}\n")
	reviewWrite(t, two, "zones:\n  example.org:\n    records:\n      www:\n        A: {value: 192.0.2.3}\n")
	p1, p2 := reviewPort(t), reviewPort(t)
	block := func(zone string, port int, file string) string {
		return fmt.Sprintf("%s:%d {\n bind 127.0.0.1\n policy {\n  data %s\n }\n}\n", zone, port, file)
	}
	s1, s2 := fmt.Sprintf("dns://127.0.0.1:%d example.net.", p1), fmt.Sprintf("dns://127.0.0.1:%d example.org.", p2)
	inst := reviewStart(t, block("example.net", p1, one)+block("example.org", p2, two))
	defer func() { inproc.Stop(inst) }()

	sets := gaugeSeries(t, recordSets)
	if sets[s1] != 2 || sets[s2] != 1 {
		t.Errorf("record_sets %v, want %s = 2 and %s = 1", sets, s1, s2)
	}
	at := gaugeSeries(t, loadedAt)
	if at[s1] == 0 || at[s2] == 0 {
		t.Errorf("last_load_timestamp_seconds %v lacks a block", at)
	}

	next, err := inproc.Restart(inst, reviewInput(block("example.net", p1, one)))
	if err != nil {
		t.Fatal(err)
	}
	inst = next
	sets = gaugeSeries(t, recordSets)
	if _, ok := sets[s2]; ok || sets[s1] != 2 {
		t.Errorf("after removing the example.org block: record_sets %v, want only %s = 2", sets, s1)
	}
	if _, ok := gaugeSeries(t, loadedAt)[s2]; ok {
		t.Error("the removed block's last_load_timestamp_seconds series is still there")
	}
}

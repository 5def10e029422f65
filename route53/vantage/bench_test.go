package vantage

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/store"
)

// benchView is the presence view of checkers members each reporting n checks.
func benchView(n, checkers int) ([]store.Announcement, map[string]checks.HealthCheckConfig) {
	now := time.Now()
	var anns []store.Announcement
	cfgs := make(map[string]checks.HealthCheckConfig, n)
	for c := range checkers {
		m := fmt.Sprintf("pop-%d", c)
		b, _ := json.Marshal(Alive{Region: m, IP: "192.0.2.1", At: now})
		anns = append(anns, store.Announcement{Member: m, Key: aliveKey, Value: b})
		for i := range n {
			id := fmt.Sprintf("%08d-check", i)
			cfgs[id] = checks.HealthCheckConfig{Type: checks.TypeHTTP}
			b, _ := json.Marshal(Report{Region: m, IP: "192.0.2.1", Healthy: (i+c)%3 == 0,
				Status: "Success: HTTP Status Code 200, OK", Checked: now, Latency: time.Millisecond})
			anns = append(anns, store.Announcement{Member: m, Key: checkKey(id), Value: b})
		}
	}
	return anns, cfgs
}

// BenchmarkDecodeDecide is what one delivered view costs a replica: 1,000
// checks seen by 10 checkers, decoded (what did not change since the last
// view is not decoded again) then decided.
func BenchmarkDecodeDecide(b *testing.B) {
	anns, cfgs := benchView(1000, 10)
	rule := Rule{Stale: time.Minute}
	b.ReportAllocs()
	var d Decoder
	for b.Loop() {
		v, _ := d.Decode(anns)
		v.Decide("pop-0", time.Now(), rule, cfgs)
	}
}

// BenchmarkDecide is the decision alone over 1,000 checks and 10 checkers.
func BenchmarkDecide(b *testing.B) {
	anns, cfgs := benchView(1000, 10)
	v, _ := Decode(anns)
	rule := Rule{Stale: time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		v.Decide("pop-0", time.Now(), rule, cfgs)
	}
}

package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkLoad is a data load at scale, what a start-up or a reload pays: Parse
// and Compile of loadSets record sets (weighted, failover over weighted,
// multivalue and plain records, A and AAAA, every value checked), as
// bench/scale generates them. ns/set is the time per record set.
func BenchmarkLoad(b *testing.B) {
	const loadSets = 10000
	data := loadBenchData(loadSets)
	healthy := &fakeCheck{}
	up := func(string) (HealthSource, bool) { return healthy, true }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, _, err := Parse("load.yaml", strings.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		s, err := Compile(d, up, time.Unix(0, 0))
		if err != nil {
			b.Fatal(err)
		}
		if s.RecordSets() != loadSets {
			b.Fatalf("%d record sets, want %d", s.RecordSets(), loadSets)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/loadSets, "ns/set")
}

// loadBenchData writes n record sets of the kinds bench/scale/gen.go writes, half
// of them AAAA, with checks on every endpoint.
func loadBenchData(n int) string {
	var sb strings.Builder
	sb.WriteString("checks:\n")
	for i := range 100 {
		fmt.Fprintf(&sb, "  ep%d: {type: http, url: \"http://127.0.0.1:9901/ep%d\", interval: 10s, timeout: 2s}\n", i, i)
	}
	sb.WriteString("zones:\n  scale.test.:\n    ttl: 30\n    records:\n")
	for i := range n {
		typ, v := "A", func(j int) string { return fmt.Sprintf("10.%d.%d.%d", 16+j, i>>8&255, i&255) }
		if i%2 == 1 {
			typ, v = "AAAA", func(j int) string { return fmt.Sprintf("2001:db8:%x::%x", j, i) }
		}
		ck := func(j int) string { return fmt.Sprintf("ep%d", (i+j)%100) }
		var rule string
		switch i % 4 {
		case 0:
			rule = fmt.Sprintf("weighted: [{weight: 10, value: %s, check: %s}, {weight: 20, value: %s, check: %s}, {weight: 30, value: %s, check: %s}]",
				v(0), ck(0), v(1), ck(1), v(2), ck(2))
		case 1:
			rule = fmt.Sprintf("failover: [{weighted: [{weight: 70, value: %s, check: %s}, {weight: 30, value: %s, check: %s}]}, {value: %s, check: %s}]",
				v(0), ck(0), v(1), ck(1), v(2), ck(2))
		case 2:
			rule = fmt.Sprintf("max: 2, multivalue: [{value: %s, check: %s}, {value: %s, check: %s}, {value: %s, check: %s}]",
				v(0), ck(0), v(1), ck(1), v(2), ck(2))
		default:
			rule = "value: " + v(0)
		}
		fmt.Fprintf(&sb, "      r%d: {%s: {%s}}\n", i, typ, rule)
	}
	return sb.String()
}

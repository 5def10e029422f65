package trafficflow

import (
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/policy"
)

// BenchmarkParse reads and validates the format's combined example (geo → latency
// → two failovers, five endpoints).
func BenchmarkParse(b *testing.B) {
	src := []byte(combinedDoc(""))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstance is what serving an instance costs on top of Parse: translate
// and compile the record set.
func BenchmarkInstance(b *testing.B) {
	d, err := Parse([]byte(combinedDoc(`,"EvaluateTargetHealth":false`)))
	if err != nil {
		b.Fatal(err)
	}
	c := checks{}
	b.ReportAllocs()
	for b.Loop() {
		rs, err := RecordSet(d, "www.example.org.", 60, Options{})
		if err != nil {
			b.Fatal(err)
		}
		data := &policy.Data{Zones: []*policy.Zone{{Origin: "example.org.", Records: []*policy.RecordSet{rs}}}}
		if _, err := policy.Compile(data, Resolver(c.resolve), time.Unix(0, 0)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate is one answer of the translated combined example for a client
// with coordinates (a latency table lookup on the way).
func BenchmarkEvaluate(b *testing.B) {
	tree := compileDoc(b, combinedDoc(""), checks{}, Options{})
	out := make([]int32, tree.MaxAnswers())
	in := &policy.Input{Loc: ashburn}
	b.ReportAllocs()
	for b.Loop() {
		if r := tree.Evaluate(in, out); r.N != 1 {
			b.Fatal(r)
		}
	}
}

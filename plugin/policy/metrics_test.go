package policy

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// answerSeries reads coredns_policy_answers_total for one zone: value by
// "rrset endpoint".
func answerSeries(t testing.TB, zone string) map[string]float64 {
	t.Helper()
	ch := make(chan prometheus.Metric)
	go func() { answers.Collect(ch); close(ch) }()
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
		if l["zone"] == zone {
			out[l["rrset"]+" "+l["endpoint"]] = pb.GetCounter().GetValue()
		}
	}
	return out
}

// countersData writes a zone of n record sets of each kind: multivalue-like plain
// values (every endpoint answered), failover (the backup never while healthy) and
// weighted (one of three).
func countersData(t testing.TB, zone string, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "zones:\n  %s:\n    ttl: 30\n    soa: {serial: 1}\n    records:\n", zone)
	for i := range n {
		fmt.Fprintf(&b, "      v%d: {A: {values: [192.0.2.1, 192.0.2.2]}}\n", i)
		fmt.Fprintf(&b, "      f%d: {A: {failover: [{value: 192.0.2.10}, {value: 192.0.2.11}]}}\n", i)
		fmt.Fprintf(&b, "      w%d: {A: {weighted: [{weight: 1, value: 192.0.2.20}, {weight: 1, value: 192.0.2.21}, {weight: 1, value: 192.0.2.22}]}}\n", i)
	}
	path := filepath.Join(t.TempDir(), "counters.yaml")
	writeFile(t, path, b.String())
	return path
}

// tally counts the answers of r by the endpoint each record came from, as
// "rrset endpoint", the key answerSeries uses.
func tally(ld *loaded, zone string, r *dns.Msg, into map[string]float64) {
	z := ld.Snap.Zone(zone)
	for _, rr := range r.Answer {
		s := z.Set(rr.Header().Name, rr.Header().Rrtype)
		for _, ep := range s.Tree.Endpoints {
			if ep.RR == rr {
				into[s.Label+" "+ep.Label]++
			}
		}
	}
}

func clearSeries(t *testing.T, zone string) {
	answers.DeletePartialMatch(prometheus.Labels{"zone": zone})
	t.Cleanup(func() { answers.DeletePartialMatch(prometheus.Labels{"zone": zone}) })
}

// Answer counters are created on an endpoint's first answer, not at load: a load
// creates no series, answering creates exactly those of the endpoints answered, with
// their counts, and a reload keeps counting in the same series.
func TestAnswerCountersLazy(t *testing.T) {
	const zone = "counters.example.org."
	clearSeries(t, zone)
	p := newTestPolicy(t, nil, countersData(t, zone, 100))
	if got := answerSeries(t, zone); len(got) != 0 {
		t.Fatalf("load created %d answer series, want none", len(got))
	}

	want := map[string]float64{}
	ask := func(names ...string) {
		for _, name := range names {
			m := new(dns.Msg).SetQuestion(name+"."+zone, dns.TypeA)
			r, _ := serve(t, p, m, nil)
			if len(r.Answer) == 0 {
				t.Fatalf("%s: no answer", name)
			}
			tally(p.snap.Load(), zone, r, want)
		}
	}
	for range 5 {
		ask("v1", "f1", "w1", "w2")
	}
	ask("v2", "v2")
	// Explained answers count in no metric, and create no series.
	if _, err := answer.Explain(&p.snap.Load().Data, nil, nil, answer.Question{Name: "v3." + zone, Type: dns.TypeA}); err != nil {
		t.Fatal(err)
	}
	got := answerSeries(t, zone)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series after answers:\n got  %v\n want %v", got, want)
	}
	if _, ok := got["f1."+zone+"/A f1."+zone+"/A/1"]; ok {
		t.Fatalf("the failover backup was never answered but has a series: %v", got)
	}

	// A reload resolves nothing at load; the next answers count on.
	ld, _, err := p.loader.load()
	if err != nil {
		t.Fatal(err)
	}
	p.snap.Store(ld)
	if got := answerSeries(t, zone); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series after reload:\n got  %v\n want %v", got, want)
	}
	ask("v1", "f3")
	if got := answerSeries(t, zone); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series after reload and answers:\n got  %v\n want %v", got, want)
	}
}

// Many queries racing on the first answers of the same endpoints count every answer
// once (run with -race).
func TestAnswerCountersConcurrentFirstUse(t *testing.T) {
	const zone = "race.example.org."
	clearSeries(t, zone)
	const sets, workers, rounds = 20, 8, 10
	p := newTestPolicy(t, nil, countersData(t, zone, sets))
	ld := p.snap.Load()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		want  = map[string]float64{}
		start = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			mine := map[string]float64{}
			<-start
			for range rounds {
				for i := range sets {
					for _, k := range []string{"v", "f", "w"} {
						m := new(dns.Msg).SetQuestion(fmt.Sprintf("%s%d.%s", k, i, zone), dns.TypeA)
						r, _ := serve(t, p, m, nil)
						tally(ld, zone, r, mine)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range mine {
				want[k] += v
			}
		})
	}
	close(start)
	wg.Wait()
	got := answerSeries(t, zone)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series after concurrent answers:\n got  %v\n want %v", got, want)
	}
	var total float64
	for _, v := range got {
		total += v
	}
	if want := float64(workers * rounds * sets * (2 + 1 + 1)); total != want {
		t.Fatalf("%v answers counted, want %v", total, want)
	}
}

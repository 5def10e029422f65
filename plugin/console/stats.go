package console

import (
	"context"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/prometheus/client_golang/prometheus"
)

// answersMetric is the policy plugin's answer counter, by zone, record set and
// endpoint label.
const answersMetric = "coredns_policy_answers_total"

// maxWindow is the longest history kept and served.
const maxWindow = time.Hour

// maxSeries bounds the series of each kind (record sets, answers, checks): an
// hour at 5 s is 720 values, so 2000 series are ~12 MB. Series beyond it are not
// kept (the first ones seen stay); the plots are for the sets people look at, not
// for 100 000 of them.
const maxSeries = 2000

// seriesKey names one series: a record set, an answer (set + endpoint) or a check.
type seriesKey struct{ zone, set, endpoint string }

// sampler reads the answer counters and the checks' latency every step and keeps
// the last hour: rates per record set and per answer, latency per check.
type sampler struct {
	g      prometheus.Gatherer
	engine *hc.Engine
	step   time.Duration
	size   int

	mu      sync.Mutex
	t       []int64 // unix seconds of each sample, oldest first
	sets    map[seriesKey][]float64
	answers map[seriesKey][]float64
	latency map[string][]float64 // NaN: no successful probe
	last    map[seriesKey]float64
	lastAt  time.Time
}

func newSampler(g prometheus.Gatherer, e *hc.Engine, step time.Duration) *sampler {
	return &sampler{g: g, engine: e, step: step, size: int(maxWindow / step),
		sets: map[seriesKey][]float64{}, answers: map[seriesKey][]float64{}, latency: map[string][]float64{}, last: map[seriesKey]float64{}}
}

// run samples every step until ctx ends, telling the pages the newest values.
func (sm *sampler) run(ctx context.Context, h *hub) {
	tick := time.NewTicker(sm.step)
	defer tick.Stop()
	sm.sample(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			sm.sample(now)
			if h.count() > 0 {
				h.broadcast(event{name: "stats", data: sm.latest()})
			}
		}
	}
}

// counters reads the answer counters.
func (sm *sampler) counters() map[seriesKey]float64 {
	out := map[seriesKey]float64{}
	mfs, err := sm.g.Gather()
	if err != nil && len(mfs) == 0 {
		return out
	}
	for _, mf := range mfs {
		if mf.GetName() != answersMetric {
			continue
		}
		for _, m := range mf.GetMetric() {
			var k seriesKey
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "zone":
					k.zone = l.GetValue()
				case "rrset":
					k.set = l.GetValue()
				case "endpoint":
					k.endpoint = l.GetValue()
				}
			}
			out[k] += m.GetCounter().GetValue()
		}
	}
	return out
}

// sample appends one step: rates since the previous sample, latency now.
func (sm *sampler) sample(now time.Time) {
	cur := sm.counters()
	lat := map[string]float64{}
	if sm.engine != nil {
		for _, c := range sm.engine.Checks() {
			v := math.NaN()
			if c.Status != nil && c.Status.EWMA > 0 {
				v = float64(c.Status.EWMA) / float64(time.Millisecond)
			}
			lat[c.Name] = v
		}
	}
	sm.mu.Lock()
	defer sm.mu.Unlock()
	dt := now.Sub(sm.lastAt).Seconds()
	first := sm.lastAt.IsZero()
	setRate := map[seriesKey]float64{}
	ansRate := map[seriesKey]float64{}
	for k, v := range cur {
		r := 0.0
		if prev, ok := sm.last[k]; !first && dt > 0 {
			switch {
			case !ok || v < prev: // appeared since the last sample, or reset: counted from 0
				r = v / dt
			default:
				r = (v - prev) / dt
			}
		}
		ansRate[k] += r
		setRate[seriesKey{zone: k.zone, set: k.set}] += r
	}
	sm.last, sm.lastAt = cur, now
	n := len(sm.t)
	sm.t = push(sm.t, now.Unix(), sm.size)
	appendAll(sm.sets, setRate, n, sm.size)
	appendAll(sm.answers, ansRate, n, sm.size)
	for k := range lat {
		if _, ok := sm.latency[k]; !ok && len(sm.latency) < maxSeries {
			sm.latency[k] = nanSeries(n)
		}
	}
	for k, s := range sm.latency {
		v, ok := lat[k]
		if !ok {
			v = math.NaN()
		}
		sm.latency[k] = push(s, v, sm.size)
	}
}

// appendAll pushes each series' new value (0 when absent); a new series starts
// with zeros for the samples before it. n is the sample count before this one.
func appendAll(m map[seriesKey][]float64, vals map[seriesKey]float64, n, size int) {
	for k := range vals {
		if _, ok := m[k]; !ok && len(m) < maxSeries {
			m[k] = make([]float64, min(n, size))
		}
	}
	for k, s := range m {
		m[k] = push(s, vals[k], size)
	}
}

func nanSeries(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

func push[T any](s []T, v T, size int) []T {
	s = append(s, v)
	if len(s) > size {
		s = s[len(s)-size:]
	}
	return s
}

// nullable turns NaN into null for JSON.
func nullable(s []float64) []*float64 {
	out := make([]*float64, len(s))
	for i := range s {
		if !math.IsNaN(s[i]) {
			v := math.Round(s[i]*1000) / 1000
			out[i] = &v
		}
	}
	return out
}

func round(s []float64) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = math.Round(v*1000) / 1000
	}
	return out
}

type setSeries struct {
	Zone     string    `json:"zone"`
	Set      string    `json:"set"`
	Endpoint string    `json:"endpoint,omitempty"`
	QPS      []float64 `json:"qps"`
}

type latencySeries struct {
	Check string     `json:"check"`
	MS    []*float64 `json:"ms"`
}

// series is the last k samples (GET /api/stats).
func (sm *sampler) series(k int) map[string]any {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	k = min(k, len(sm.t))
	tail := func(s []float64) []float64 { return s[len(s)-k:] }
	sets, answers := []setSeries{}, []setSeries{}
	for key, s := range sm.sets {
		sets = append(sets, setSeries{Zone: key.zone, Set: key.set, QPS: round(tail(s))})
	}
	for key, s := range sm.answers {
		answers = append(answers, setSeries{Zone: key.zone, Set: key.set, Endpoint: key.endpoint, QPS: round(tail(s))})
	}
	lat := []latencySeries{}
	for name, s := range sm.latency {
		lat = append(lat, latencySeries{Check: name, MS: nullable(tail(s))})
	}
	sortSeries(sets)
	sortSeries(answers)
	sort.Slice(lat, func(i, j int) bool { return lat[i].Check < lat[j].Check })
	return map[string]any{"step": int(sm.step / time.Second), "t": append([]int64{}, sm.t[len(sm.t)-k:]...),
		"rrsets": sets, "answers": answers, "latency": lat}
}

func sortSeries(s []setSeries) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Set != b.Set {
			return a.Set < b.Set
		}
		return a.Endpoint < b.Endpoint
	})
}

// latest is the newest sample's non-zero values (the stats event).
func (sm *sampler) latest() map[string]any {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	sets, answers, lat := map[string]float64{}, map[string]float64{}, map[string]float64{}
	var t int64
	if n := len(sm.t); n > 0 {
		t = sm.t[n-1]
	}
	for k, s := range sm.sets {
		if v := s[len(s)-1]; v != 0 {
			sets[k.set] = math.Round(v*1000) / 1000
		}
	}
	for k, s := range sm.answers {
		if v := s[len(s)-1]; v != 0 {
			answers[k.set+"|"+k.endpoint] = math.Round(v*1000) / 1000
		}
	}
	for k, s := range sm.latency {
		if v := s[len(s)-1]; !math.IsNaN(v) {
			lat[k] = math.Round(v*1000) / 1000
		}
	}
	return map[string]any{"t": t, "rrsets": sets, "answers": answers, "latency": lat}
}

func (s *Server) statsSeries(w http.ResponseWriter, r *http.Request) {
	window := 15 * time.Minute
	if v := r.URL.Query().Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > maxWindow {
			writeError(w, http.StatusBadRequest, "bad_request", "window: want a duration up to 1h, like 15m")
			return
		}
		window = d
	}
	writeJSON(w, http.StatusOK, s.stats.series(int(window/s.cfg.Step)))
}

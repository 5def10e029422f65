package healthcheck

import (
	"errors"

	"github.com/coredns/coredns/plugin"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

var (
	probesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "probes_total",
		Help:      "Counter of health check probes by check type and result (ok, timeout, refused, tls, status, body, rcode, answer, not_serving, error, panic).",
	}, []string{"type", "result"})

	probeDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "probe_duration_seconds",
		Buckets:   plugin.TimeBuckets,
		Help:      "Histogram of the time health check probes take, by check type.",
	}, []string{"type"})

	transitionsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "transitions_total",
		Help:      "Counter of effective state changes of health checks, by check and new state (up, down).",
	}, []string{"check", "to"})

	overridesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "overrides_total",
		Help:      "Counter of operator overrides set through the status API, by check and state (up, down, none).",
	}, []string{"check", "state"})

	healthyDesc = prometheus.NewDesc(prometheus.BuildFQName(plugin.Namespace, pluginName, "healthy"),
		"1 when a health check is up (effective state, including inversion and overrides), 0 when it is down.",
		[]string{"check"}, nil)

	overriddenDesc = prometheus.NewDesc(prometheus.BuildFQName(plugin.Namespace, pluginName, "overridden"),
		"1 when an operator forces a health check up or down through the status API.",
		[]string{"check"}, nil)
)

func observeProbe(t hc.Type, r hc.Result) {
	probesTotal.WithLabelValues(string(t), string(r.Kind)).Inc()
	probeDuration.WithLabelValues(string(t)).Observe(r.Latency.Seconds())
}

func recordTransition(t hc.Transition) {
	for _, n := range t.Names {
		if t.Changed {
			transitionsTotal.WithLabelValues(n, upDown(t.Up)).Inc()
		}
		if t.OverrideChanged {
			s := t.Override.String()
			if s == "" {
				s = "none"
			}
			overridesTotal.WithLabelValues(n, s).Inc()
		}
	}
}

// stateCollector exports per-check 0/1 gauges from the engine's snapshots at scrape
// time, so removed checks disappear without bookkeeping.
type stateCollector struct{ e *hc.Engine }

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- healthyDesc
	ch <- overriddenDesc
}

func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	for _, info := range c.e.Checks() {
		up, forced := 0.0, 0.0
		if info.Status.Up {
			up = 1
		}
		if info.Status.Override != hc.OverrideNone {
			forced = 1
		}
		for _, n := range info.Names {
			ch <- prometheus.MustNewConstMetric(healthyDesc, prometheus.GaugeValue, up, n)
			ch <- prometheus.MustNewConstMetric(overriddenDesc, prometheus.GaugeValue, forced, n)
		}
	}
}

func registerStateCollector(e *hc.Engine) {
	err := prometheus.DefaultRegisterer.Register(stateCollector{e})
	var are prometheus.AlreadyRegisteredError
	if err != nil && !errors.As(err, &are) {
		log.Errorf("registering metrics: %v", err)
	}
}

var _ prometheus.Collector = stateCollector{}

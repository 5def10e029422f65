package policy

import (
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Labels are bounded by configuration (zones, record sets, endpoint labels), never by
// query names or clients.
var (
	answers = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "answers_total",
		Help:      "Answers given, by zone, record set and chosen endpoint.",
	}, []string{"zone", "rrset", "endpoint"})

	failOpen = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "fail_open_total",
		Help:      "Answers given as if every endpoint were healthy because none was.",
	}, []string{"zone"})

	failClosed = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "fail_closed_total",
		Help:      "Answers given by a node's all_down setting (an rcode) because none of its children was healthy.",
	}, []string{"zone"})

	reloads = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "reloads_total",
		Help:      "Loads of policy data, by result (ok, rejected).",
	}, []string{"result"})

	recordSets = promauto.NewGauge(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "record_sets",
		Help:      "Record sets in the policy data last loaded.",
	})

	loadedAt = promauto.NewGauge(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "last_load_timestamp_seconds",
		Help:      "When policy data was last loaded successfully (unix seconds).",
	})
)

// newCounter resolves an endpoint's answer counter on its first answer
// (answer.Data.NewCounter).
func newCounter(zone, rrset, endpoint string) answer.Counter {
	return answers.WithLabelValues(zone, rrset, endpoint)
}

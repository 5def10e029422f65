package console

import (
	"github.com/coredns/coredns/plugin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	logins = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "logins_total",
		Help:      "Console logins by result: ok, denied (wrong key or secret), limited (too many failures).",
	}, []string{"result"})

	streams = promauto.NewGauge(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "streams",
		Help:      "Console pages connected to the live event stream.",
	})

	edits = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "changes_total",
		Help:      "Change batches sent from the console, by kind (plan, apply, revert) and result (ok, refused).",
	}, []string{"kind", "result"})
)

package geo

import (
	"github.com/coredns/coredns/plugin"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	lookups = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "lookups_total",
		Help:      "Client location lookups by result: found, notfound (not in any database), error.",
	}, []string{"server", "result"})

	ecsFormErr = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "ecs_formerr_total",
		Help:      "Queries answered FORMERR for a malformed EDNS Client Subnet option.",
	}, []string{"server"})

	reloads = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "reloads_total",
		Help:      "Database files reloaded after a change.",
	}, []string{"database"})

	reloadFailures = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "reload_failures_total",
		Help:      "Changed database files refused (missing, corrupt, truncated, wrong type); the old database kept serving.",
	}, []string{"database"})

	loadTime = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "database_load_timestamp_seconds",
		Help:      "When the database in use was loaded, Unix time.",
	}, []string{"database"})

	buildTime = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "database_build_timestamp_seconds",
		Help:      "Build epoch from the metadata of the database in use, Unix time.",
	}, []string{"database"})
)

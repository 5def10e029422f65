package geo

import (
	"sync"
	"sync/atomic"

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
		Help:      "Database files reloaded after a change, by result: ok, or rejected (missing, corrupt, truncated, wrong type; the old database kept serving).",
	}, []string{"database", "result"})

	loadTime = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "last_load_timestamp_seconds",
		Help:      "When the database in use was loaded, Unix time.",
	}, []string{"database"})

	buildTime = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "database_build_timestamp_seconds",
		Help:      "Build epoch from the metadata of the database in use, Unix time.",
	}, []string{"database"})
)

// serverLookups are the lookups_total counters of one server.
type serverLookups struct {
	server                 string
	found, notFound, error prometheus.Counter
}

// lookupCounters caches the lookups_total counters per server, so a query
// costs a short scan and an Inc rather than WithLabelValues (hashing the label
// values, a lock and a map lookup). An instance serves the few addresses of
// its server block, so the list is tiny and written once per server.
type lookupCounters struct {
	list atomic.Pointer[[]*serverLookups] // copy on write
	mu   sync.Mutex                       // serialises writers
}

func (lc *lookupCounters) get(server string) *serverLookups {
	if p := lc.list.Load(); p != nil {
		for _, s := range *p {
			if s.server == server {
				return s
			}
		}
	}
	return lc.add(server)
}

func (lc *lookupCounters) add(server string) *serverLookups {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	var list []*serverLookups
	if p := lc.list.Load(); p != nil {
		list = *p
	}
	for _, s := range list {
		if s.server == server {
			return s
		}
	}
	s := &serverLookups{
		server:   server,
		found:    lookups.WithLabelValues(server, "found"),
		notFound: lookups.WithLabelValues(server, "notfound"),
		error:    lookups.WithLabelValues(server, "error"),
	}
	list = append(list[:len(list):len(list)], s)
	lc.list.Store(&list)
	return s
}

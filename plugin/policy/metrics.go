package policy

import (
	"net"
	"sync"
	"time"

	"github.com/coredns/coredns/core/dnsserver"
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
		Help:      "Policy data reloaded after a change, by server and result: ok, or rejected (the previous data kept serving).",
	}, []string{"server", "result"})

	recordSets = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "record_sets",
		Help:      "Record sets of each zone in the policy data last loaded, by server and zone.",
	}, []string{"server", "zone"})

	loadedAt = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "last_load_timestamp_seconds",
		Help:      "When the zone's policy data was last loaded successfully (unix seconds), by server and zone.",
	}, []string{"server", "zone"})
)

// newCounter resolves an endpoint's answer counter on its first answer
// (answer.Data.NewCounter).
func newCounter(zone, rrset, endpoint string) answer.Counter {
	return answers.WithLabelValues(zone, rrset, endpoint)
}

// serverLabels are the server label values of a block's servers, as
// metrics.WithServer gives them to geo's per-query metrics: transport://host:port.
func serverLabels(cfg *dnsserver.Config) []string {
	var out []string
	for _, h := range cfg.ListenHosts {
		addr, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(h, cfg.Port))
		if err != nil {
			continue
		}
		out = append(out, cfg.Transport+"://"+addr.String())
	}
	return out
}

// loadSeries remembers which loader last published each (server, zone) series: on
// a Corefile reload the new instance's block publishes before the old one stops, and
// the old one must not delete what the new one set.
var loadSeries = struct {
	sync.Mutex
	owner map[[2]string]*loader
}{owner: map[[2]string]*loader{}}

// publishLoad sets the zones' record_sets and last_load_timestamp_seconds series on
// every server of the block, dropping those of zones the data no longer has; a
// reload (not the load at start) also counts in reloads_total.
func (l *loader) publishLoad(ld *loaded, reload bool) {
	now := float64(time.Now().UnixNano()) / 1e9
	loadSeries.Lock()
	defer loadSeries.Unlock()
	fresh := map[[2]string]bool{}
	for _, server := range l.servers {
		if reload {
			reloads.WithLabelValues(server, "ok").Inc()
		}
		for _, o := range ld.Snap.Origins() {
			k := [2]string{server, o}
			fresh[k] = true
			loadSeries.owner[k] = l
			recordSets.WithLabelValues(server, o).Set(float64(ld.Snap.Zone(o).RecordSets))
			loadedAt.WithLabelValues(server, o).Set(now)
		}
	}
	for k, owner := range loadSeries.owner {
		if owner == l && !fresh[k] {
			dropSeries(k)
		}
	}
}

// unpublishLoad drops the series this loader still owns: its block is gone.
func (l *loader) unpublishLoad() {
	loadSeries.Lock()
	defer loadSeries.Unlock()
	for k, owner := range loadSeries.owner {
		if owner == l {
			dropSeries(k)
		}
	}
}

func dropSeries(k [2]string) {
	delete(loadSeries.owner, k)
	recordSets.DeleteLabelValues(k[0], k[1])
	loadedAt.DeleteLabelValues(k[0], k[1])
}

// rejected counts a refused reload on every server of the block.
func (l *loader) rejected() {
	for _, server := range l.servers {
		reloads.WithLabelValues(server, "rejected").Inc()
	}
}

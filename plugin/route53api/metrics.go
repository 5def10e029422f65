package route53api

import (
	"net/http"
	"time"

	"github.com/coredns/coredns/plugin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

var (
	requests = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "requests_total",
		Help:      "Route 53 API requests by operation and Route 53 error code (\"\" for success); requests refused before an operation (signature, rate, body size) count as operation \"Denied\".",
	}, []string{"operation", "code"})
	duration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "request_duration_seconds",
		Buckets:   plugin.TimeBuckets,
		Help:      "Time to answer a Route 53 API request, by operation (store commit included).",
	}, []string{"operation"})
	storeRevision = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "store_revision",
		Help:      "The latest revision of the store, by store file.",
	}, []string{"store"})
	servedRevision = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "served_revision",
		Help:      "The store revision this server serves in full, by store file: GetChange is INSYNC for changes at or below it. While a hosted zone is held it stays below the zone's first refused revision.",
	}, []string{"store"})
	heldZones = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: pluginName,
		Name:      "held_zones",
		Help:      "Hosted zones whose data in the store does not compile, by store file: each keeps its last good answers (or is not served) and holds served_revision back until fixed.",
	}, []string{"store"})
)

func observe(operation, code string, took time.Duration) {
	requests.WithLabelValues(operation, code).Inc()
	duration.WithLabelValues(operation).Observe(took.Seconds())
}

// denied logs and counts a refused request: who claimed to sign it and why, never
// a secret.
func denied(r *http.Request, accessKeyID string, err *apierr.Error) {
	requests.WithLabelValues("Denied", err.Code).Inc()
	log.Infof("refused %s %s from %s (access key %q): %s", r.Method, r.URL.Path, r.RemoteAddr, accessKeyID, err.Code)
}

// Package api is coretraffic's Route 53 API (2013-04-01, REST with XML) as an
// http.Handler: requests are authenticated with AWS Signature Version 4
// (route53/sigv4), decoded and validated by the route53 library, applied to the
// store in one transaction each, and answered with Route 53's documents and error
// codes. What the store holds reaches the query path through route53/replica; the
// replica's served revision is what GetChange reports as INSYNC.
//
// Served: hosted zones, record sets and changes (zones.go, records.go, changes.go),
// health checks (healthchecks.go), traffic policies and their instances
// (trafficpolicies.go, instances.go, decided by route53/trafficflow over tfState)
// and CIDR collections (cidr.go). Where each kind is stored is route53/catalog's.
//
// No CoreDNS imports: plugin/route53api gives it an address, a store and keys.
package api

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// Config is what a Server needs.
type Config struct {
	Store   store.Store
	Replica *replica.Replica // the local replica: INSYNC and health check status
	// Group, when set, is every live replica of the store: a change is INSYNC once
	// all of them serve it. Nil: once the local replica serves it.
	Group *replica.Group
	Keys  *sigv4.Keys
	Auth  sigv4.Options
	Zones route53.ZoneOptions
	// Traffic are the traffic policy quotas; zero: trafficflow.DefaultLimits.
	Traffic trafficflow.Limits
	// Region names this server's health checker in GetHealthCheckStatus.
	Region string
	// Logf reports refused requests (never secrets) and store failures; nil: silent.
	Logf func(format string, args ...any)
	// Now is the clock of change times; nil: time.Now.
	Now func() time.Time
	// ChangeRetention is how long the change log keeps a change (TrimChangeLog);
	// 0 keeps every change.
	ChangeRetention time.Duration
	// Observe, if set, is told of every request that reached an operation: its
	// name (Route 53's operation name), Route 53's error code or "" for success, and
	// how long it took. For metrics; it must not block.
	Observe func(operation, code string, took time.Duration)
}

// Server serves the Route 53 API.
type Server struct {
	cfg     Config
	handler http.Handler
	auth    *sigv4.Auth
}

// New returns the API server of cfg.
func New(cfg Config) *Server {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Traffic == (trafficflow.Limits{}) {
		cfg.Traffic = trafficflow.DefaultLimits
	}
	if cfg.Region == "" {
		cfg.Region = "local"
	}
	s := &Server{cfg: cfg}
	mux := http.NewServeMux()
	s.routes(mux)
	s.auth = sigv4.NewAuth(cfg.Keys, cfg.Auth)
	s.handler = s.auth.Wrap(mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetKeys replaces the access keys (a reload of the credentials file).
func (s *Server) SetKeys(keys *sigv4.Keys) { s.auth.SetKeys(keys) }

// op is one API operation: it answers with a document (status 200 unless it says
// otherwise) or an error.
type op func(r *http.Request) (status int, doc any, err *apierr.Error)

// located is a document answered with a Location header (the 201 of a Create).
type located struct {
	doc any
	loc string
}

const prefix = "/2013-04-01"

func (s *Server) routes(mux *http.ServeMux) {
	handle := func(pattern, name string, fn op) { mux.Handle(pattern, s.serve(name, fn)) }
	handle("POST "+prefix+"/hostedzone", "CreateHostedZone", s.createZone)
	handle("GET "+prefix+"/hostedzone", "ListHostedZones", s.listZones)
	handle("GET "+prefix+"/hostedzonesbyname", "ListHostedZonesByName", s.listZonesByName)
	handle("GET "+prefix+"/hostedzonecount", "GetHostedZoneCount", s.zoneCount)
	handle("GET "+prefix+"/hostedzone/{id}", "GetHostedZone", s.getZone)
	handle("DELETE "+prefix+"/hostedzone/{id}", "DeleteHostedZone", s.deleteZone)
	handle("POST "+prefix+"/hostedzone/{id}/rrset/", "ChangeResourceRecordSets", s.changeRecordSets)
	handle("POST "+prefix+"/hostedzone/{id}/rrset", "ChangeResourceRecordSets", s.changeRecordSets)
	handle("GET "+prefix+"/hostedzone/{id}/rrset", "ListResourceRecordSets", s.listRecordSets)
	handle("GET "+prefix+"/change/{id}", "GetChange", s.getChange)
	handle("POST "+prefix+"/healthcheck", "CreateHealthCheck", s.createHealthCheck)
	handle("GET "+prefix+"/healthcheck", "ListHealthChecks", s.listHealthChecks)
	handle("GET "+prefix+"/healthcheckcount", "GetHealthCheckCount", s.healthCheckCount)
	handle("GET "+prefix+"/healthcheck/{id}", "GetHealthCheck", s.getHealthCheck)
	handle("POST "+prefix+"/healthcheck/{id}", "UpdateHealthCheck", s.updateHealthCheck)
	handle("DELETE "+prefix+"/healthcheck/{id}", "DeleteHealthCheck", s.deleteHealthCheck)
	handle("GET "+prefix+"/healthcheck/{id}/status", "GetHealthCheckStatus", s.healthCheckStatus)
	s.trafficRoutes(handle)
	s.cidrRoutes(handle)
	handle("GET "+prefix+"/coretraffic/changes", "ListChanges", s.listChanges)
	handle("POST "+prefix+"/coretraffic/change/{id}/revert", "RevertChange", s.revertChange)
	mux.Handle("/", s.serve("Unsupported", func(r *http.Request) (int, any, *apierr.Error) {
		return 0, nil, apierr.New("InvalidAction", http.StatusBadRequest, "coretraffic does not serve %s %s (see the README's table of Route 53 operations)", r.Method, r.URL.Path)
	}))
}

// serve runs an operation and writes its answer.
func (s *Server) serve(name string, fn op) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := requestID(r)
		start := time.Now()
		status, doc, err := fn(r)
		if s.cfg.Observe != nil {
			code := ""
			if err != nil {
				code = err.Code
			}
			s.cfg.Observe(name, code, time.Since(start))
		}
		if err != nil {
			if err.Status >= 500 {
				s.cfg.Logf("%s %s: %v", r.Method, r.URL.Path, err)
			}
			err.Write(w, reqID)
			return
		}
		if l, ok := doc.(located); ok {
			w.Header().Set("Location", l.loc)
			doc = l.doc
		}
		body, merr := xml.Marshal(doc)
		if merr != nil {
			apierr.New("InternalFailure", http.StatusInternalServerError, "%v", merr).Write(w, reqID)
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-RequestId", reqID)
		w.WriteHeader(status)
		w.Write([]byte(xml.Header))
		w.Write(body)
	})
}

// requestID is the request's ID for answers: the one the auth middleware gave
// errors, else a new one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Amzn-RequestId"); id != "" {
		return id
	}
	return route53.NewID("R", nil)
}

// storeErr maps a store failure to Route 53's: unreachable → 503
// ServiceUnavailable (nothing was applied), else 500.
func storeErr(err error) *apierr.Error {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, store.ErrUnacknowledged) {
		return apierr.New("ServiceUnavailable", http.StatusServiceUnavailable,
			"the store became unavailable during the commit: the change is not acknowledged and may still be applied once the store is back (list the record sets to see): %v", err)
	}
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return apierr.New("ServiceUnavailable", http.StatusServiceUnavailable, "the store is unavailable; nothing was changed: %v", err)
	}
	return apierr.New("InternalFailure", http.StatusInternalServerError, "store: %v", err)
}

// caller is the access key ID that signed r.
func caller(r *http.Request) string {
	id, _ := sigv4.AccessKeyID(r.Context())
	return id
}

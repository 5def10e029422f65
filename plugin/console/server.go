package console

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what a Server needs.
type Config struct {
	Store   store.Store
	Replica *replica.Replica
	Engine  *hc.Engine
	Keys    *sigv4.Keys // the Route 53 API's access keys: the console's logins
	TLS     bool        // served over HTTPS: the session cookie is Secure
	// Locator returns how clients are placed for explain (the block's geo
	// directive), nil for none; nil Locator: never.
	Locator func() answer.Locator
	// Gatherer is where the answer counters are read from; nil: the default registry.
	Gatherer prometheus.Gatherer
	// Step is the stats sampling period; 0: 5 s.
	Step time.Duration
	Logf func(format string, args ...any)
	Now  func() time.Time
}

// Server is the console: the embedded page and its JSON API (API.md).
type Server struct {
	cfg      Config
	api      *api.Server // the Route 53 API's operations, for edits and the change log
	mux      *http.ServeMux
	sessions *sessions
	limiter  *loginLimiter
	hub      *hub
	stats    *sampler
	live     liveData
	trans    transitions

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	stopMu sync.Mutex
	unsubs []func()
}

// New returns the console of cfg; Start begins its background work.
func New(cfg Config) *Server {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Gatherer == nil {
		cfg.Gatherer = prometheus.DefaultGatherer
	}
	if cfg.Step <= 0 {
		cfg.Step = 5 * time.Second
	}
	if cfg.Locator == nil {
		cfg.Locator = func() answer.Locator { return nil }
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), sessions: newSessions(cfg.Now), limiter: newLoginLimiter(cfg.Now)}
	s.api = api.New(api.Config{Store: cfg.Store, Replica: cfg.Replica, Keys: cfg.Keys, Logf: cfg.Logf, Now: cfg.Now})
	s.hub = newHub()
	s.stats = newSampler(cfg.Gatherer, cfg.Engine, cfg.Step)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes()
	return s
}

// Start subscribes to health transitions and new revisions and starts the stats
// sampler: one goroutine for the whole console, whatever the number of pages open.
func (s *Server) Start() error {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.cfg.Engine != nil {
		s.unsubs = append(s.unsubs, s.cfg.Engine.Subscribe(s.onTransition))
	}
	if s.cfg.Replica != nil {
		s.unsubs = append(s.unsubs, s.cfg.Replica.Subscribe(s.onPublish))
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.stats.run(s.ctx, s.hub)
	}()
	return nil
}

// Stop ends the streams and the sampler and unsubscribes.
func (s *Server) Stop() {
	s.stopMu.Lock()
	unsubs := s.unsubs
	s.unsubs = nil
	s.stopMu.Unlock()
	for _, u := range unsubs {
		u()
	}
	s.cancel()
	s.hub.closeAll()
	s.wg.Wait()
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /login", s.serveLogin)
	m.HandleFunc("POST /api/login", s.login)
	m.HandleFunc("GET /api/session", s.session)
	m.Handle("POST /api/logout", s.mutating(s.logout))
	m.Handle("GET /api/zones", s.authed(s.zones))
	m.Handle("GET /api/zones/{zone}/rrsets", s.authed(s.recordSets))
	m.Handle("GET /api/tree", s.authed(s.tree))
	m.Handle("GET /api/map", s.authed(s.worldMap))
	m.Handle("GET /api/explain", s.authed(s.explain))
	m.Handle("GET /api/health", s.authed(s.health))
	m.Handle("GET /api/stats", s.authed(s.statsSeries))
	m.Handle("GET /api/changes", s.authed(s.changes))
	m.Handle("GET /api/changes/{id}", s.authed(s.change))
	m.Handle("POST /api/changes/{id}/revert", s.mutating(s.revert))
	m.Handle("POST /api/zones/{zone}/plan", s.mutating(s.plan))
	m.Handle("POST /api/zones/{zone}/apply", s.mutating(s.apply))
	m.Handle("GET /api/events", s.authed(s.events))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.sessions.from(r); !ok {
			writeError(w, http.StatusUnauthorized, "unauthenticated", "log in first")
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	m.HandleFunc("/", s.serveAsset)
}

// ServeHTTP implements http.Handler: every answer carries the security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", csp)
	if strings.HasPrefix(r.URL.Path, "/api/") && acceptsGzip(r) {
		w = gzipOK{w}
	}
	s.mux.ServeHTTP(w, r)
}

const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

var _ http.Handler = (*Server)(nil)

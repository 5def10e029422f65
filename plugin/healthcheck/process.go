package healthcheck

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	clog "github.com/coredns/coredns/plugin/pkg/log"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

var log = clog.NewWithPlugin(pluginName)

// proc is what exists once per process and must outlive caddy instances: the engine
// (so a reload does not restart unchanged checks) and the status listeners (so a
// reload does not drop the port). Caddy's instance storage is per instance — a reload
// makes a new, empty one — so it cannot hold these; everything per Corefile stays in
// instance storage (instanceKey).
type proc struct {
	engine *hc.Engine

	mu      sync.Mutex
	servers map[string]*statusServer
	pending *instance // started by the newest Corefile, not yet confirmed by the old one's shutdown
}

var process = sync.OnceValue(func() *proc {
	e := hc.New(hc.Options{OnProbe: observeProbe})
	e.Subscribe(onTransition)
	registerStateCollector(e)
	return &proc{engine: e, servers: map[string]*statusServer{}}
})

// Engine returns the process-wide health check engine. Other plugins (policy) register
// their own checks with Engine().Prepare(owner, specs), Start the Set in OnStartup and
// Close it in OnShutdown, and read state through Set.Handle.
func Engine() *hc.Engine { return process().engine }

func onTransition(t hc.Transition) {
	if t.Changed || t.OverrideChanged {
		recordTransition(t)
	}
	switch {
	case t.OverrideChanged && t.Override != hc.OverrideNone:
		log.Infof("check %s forced %s by an operator", t.Name, t.Override)
	case t.OverrideChanged:
		log.Infof("check %s: override cleared, now %s", t.Name, upDown(t.Up))
	case t.Changed && t.Up:
		log.Infof("check %s is up", t.Name)
	case t.Changed && t.Reason.Detail != "":
		log.Warningf("check %s is down: %s: %s", t.Name, t.Reason.Kind, t.Reason.Detail)
	case t.Changed:
		log.Warningf("check %s is down", t.Name)
	}
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func (p *proc) setPending(inst *instance) {
	p.mu.Lock()
	p.pending = inst
	p.mu.Unlock()
}

func (p *proc) clearPending(*instance) {
	p.mu.Lock()
	p.pending = nil
	p.mu.Unlock()
}

// takePending returns the instance started after old, if any, and forgets it.
func (p *proc) takePending(old *instance) *instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	inst := p.pending
	if inst == old {
		return nil
	}
	p.pending = nil
	return inst
}

// statusServer is one status API listener, shared by the instances that name its
// address; a reload takes a reference before the old instance drops its own, so the
// listener stays open across reloads.
type statusServer struct {
	addr  string
	srv   *http.Server
	ln    net.Listener
	refs  int
	token string // guarded by proc.mu
}

func (p *proc) acquireStatus(addr, token string) (*statusServer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.servers[addr]; ok {
		s.refs++
		s.token = token
		return s, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &statusServer{addr: addr, ln: ln, refs: 1, token: token}
	s.srv = &http.Server{
		Handler:           hc.StatusHandler(p.engine, func() string { return p.tokenOf(s) }),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Errorf("status API on %s: %v", addr, err)
		}
	}()
	p.servers[addr] = s
	return s, nil
}

func (p *proc) tokenOf(s *statusServer) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return s.token
}

func (p *proc) releaseStatus(s *statusServer) {
	p.mu.Lock()
	s.refs--
	last := s.refs == 0
	if last {
		delete(p.servers, s.addr)
	}
	p.mu.Unlock()
	if !last {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		log.Infof("status API on %s: shutdown: %v", s.addr, err)
	}
}

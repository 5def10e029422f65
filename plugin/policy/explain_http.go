package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

// The explain endpoint: GET /explain?name=www.example.net&type=A&ecs=192.0.2.0/24
// [&source=ADDR][&down=check1,check2][&format=text]. It answers from the running
// server's data and live health, through the same code that answers queries, and
// is off unless a policy block names an address (`explain ADDR`).

// startExplain opens (or joins) the block's explain endpoint, if it has one.
func (p *Policy) startExplain(cfg *dnsserver.Config) error {
	if p.explainAddr == "" {
		return nil
	}
	t := &explainTarget{p: p}
	if g, ok := cfg.Handler("geo").(interface {
		Locate(netip.Addr, *geo.ECS) (geo.Client, error)
	}); ok {
		t.locate = g.Locate
	}
	s, err := acquireExplain(p.explainAddr, t)
	if err != nil {
		return plugin.Error(pluginName, fmt.Errorf("%s: explain: %w", p.where, err))
	}
	p.explainSrv, p.explainTgt = s, t
	return nil
}

func (p *Policy) stopExplain() {
	if p.explainSrv != nil {
		releaseExplain(p.explainSrv, p.explainTgt)
		p.explainSrv, p.explainTgt = nil, nil
	}
}

// explainTarget is a policy block that serves explain questions: its data and how its
// block's geo directive places clients.
type explainTarget struct {
	p      *Policy
	locate locator
}

// explainServer is one explain listener, shared by the policy blocks that name its
// address and kept open across Corefile reloads: the new instance takes a reference
// before the old one drops its own, as the healthcheck status API does.
type explainServer struct {
	addr    string
	srv     *http.Server
	refs    int
	targets []*explainTarget // newest last
}

var explainServers = struct {
	sync.Mutex
	m map[string]*explainServer
}{m: map[string]*explainServer{}}

func acquireExplain(addr string, t *explainTarget) (*explainServer, error) {
	explainServers.Lock()
	defer explainServers.Unlock()
	if s, ok := explainServers.m[addr]; ok {
		s.refs++
		s.targets = append(s.targets, t)
		return s, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &explainServer{addr: addr, refs: 1, targets: []*explainTarget{t}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Errorf("explain on %s: %v", addr, err)
		}
	}()
	explainServers.m[addr] = s
	return s, nil
}

func releaseExplain(s *explainServer, t *explainTarget) {
	explainServers.Lock()
	s.refs--
	s.targets = slices.DeleteFunc(s.targets, func(x *explainTarget) bool { return x == t })
	last := s.refs == 0
	if last {
		delete(explainServers.m, s.addr)
	}
	explainServers.Unlock()
	if last {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.srv.Shutdown(ctx)
	}
}

// target returns the newest block whose data holds qname.
func (s *explainServer) target(qname string) (*explainTarget, *loaded) {
	explainServers.Lock()
	targets := slices.Clone(s.targets)
	explainServers.Unlock()
	for i := len(targets) - 1; i >= 0; i-- {
		if ld := targets[i].p.snap.Load(); ld != nil && ld.snap.Zone(qname) != nil {
			return targets[i], ld
		}
	}
	return nil, nil
}

func (s *explainServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/explain" {
		http.NotFound(w, r)
		return
	}
	q, err := parseQuestion(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t, ld := s.target(strings.ToLower(dns.Fqdn(q.Name)))
	if t == nil {
		http.Error(w, q.Name+" is in no policy zone served here", http.StatusNotFound)
		return
	}
	if err := checkDown(ld.downKeys(), q.Down); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	x, err := explain(ld, t.locate, t.p.Fall.Through, q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(x.String()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(x)
}

// parseQuestion reads a Question from the query string: name (required), type
// (default A), ecs, source (default: the ECS address, else 127.0.0.1), down.
func parseQuestion(r *http.Request) (Question, error) {
	v := r.URL.Query()
	q := Question{Name: v.Get("name"), Type: dns.TypeA}
	if q.Name == "" {
		return q, errors.New("name is required: /explain?name=www.example.net&type=A&ecs=192.0.2.0/24")
	}
	if t := v.Get("type"); t != "" {
		qt, ok := dns.StringToType[strings.ToUpper(t)]
		if !ok {
			return q, errors.New("type: unknown record type " + t)
		}
		q.Type = qt
	}
	if e := v.Get("ecs"); e != "" {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return q, errors.New("ecs: " + err.Error())
		}
		q.ECS = p
		q.Source = p.Addr()
	}
	if s := v.Get("source"); s != "" {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return q, errors.New("source: " + err.Error())
		}
		q.Source = a
	}
	if !q.Source.IsValid() {
		q.Source = netip.MustParseAddr("127.0.0.1")
	}
	if d := v.Get("down"); d != "" {
		q.Down = strings.Split(d, ",")
	}
	return q, nil
}

// Package kube runs health checks of type kubernetes: a Service is healthy while
// it has at least min_ready ready endpoints in its EndpointSlices. The state is
// watched through the apiserver with shared informers, not polled, and pushed into
// the healthcheck engine the moment it changes. It plugs into the engine as a
// healthcheck.Source, so client-go stays out of the core healthcheck package.
//
// Every check (and every other user of Clients) with the same apiserver
// configuration shares one client, and per namespace one informer factory.
package kube

import (
	"errors"
	"net/http"
	"strings"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// Options configure a Source.
type Options struct {
	// Errorf logs apiserver trouble, Infof its recovery: once per change, not per
	// retry.
	Errorf, Infof func(format string, args ...any)
	// NewClient builds the client of an apiserver; kubernetes.NewForConfig if nil.
	// Tests pass a fake clientset.
	NewClient func(*rest.Config) (kubernetes.Interface, error)
}

// Source is the healthcheck.Source of TypeKubernetes, and the registry of apiserver
// connections. It is safe for concurrent use; one per process.
type Source struct {
	errorf    func(string, ...any)
	infof     func(string, ...any)
	newClient func(*rest.Config) (kubernetes.Interface, error)
	wg        sync.WaitGroup

	mu       sync.Mutex
	clusters map[string]*cluster
}

// New returns a Source with no connection yet: connections open with the first
// check that needs them and close with the last.
func New(o Options) *Source {
	nop := func(string, ...any) {}
	if o.Errorf == nil {
		o.Errorf = nop
	}
	if o.Infof == nil {
		o.Infof = nop
	}
	if o.NewClient == nil {
		o.NewClient = func(c *rest.Config) (kubernetes.Interface, error) { return kubernetes.NewForConfig(c) }
	}
	return &Source{errorf: o.Errorf, infof: o.Infof, newClient: o.NewClient, clusters: map[string]*cluster{}}
}

// Open reads the check's apiserver configuration (kubeconfig, TLS files); errors
// name the field. Nothing starts until the engine starts the Watch.
func (s *Source) Open(spec *hc.Spec) (hc.Watch, error) {
	cfg := ConfigOf(spec)
	rc, err := cfg.REST()
	if err != nil {
		return nil, specErr(spec, err)
	}
	ns, name, _ := strings.Cut(spec.Service, "/")
	return &watch{src: s, cfg: cfg, rest: rc, want: Want{Namespace: ns, Name: name, Port: spec.Port, MinReady: spec.MinReady}}, nil
}

// specErr turns a configuration error into the engine's field error.
func specErr(spec *hc.Spec, err error) error {
	field := ""
	var fe *FieldError
	if errors.As(err, &fe) {
		field, err = fe.Field, fe.Err
	}
	line := spec.Pos.Line
	if l, ok := spec.Pos.Fields[field]; ok {
		line = l
	}
	path := "checks." + spec.Name
	if field != "" {
		path += "." + field
	}
	return &hc.Error{File: spec.Pos.File, Line: line, Path: path, Msg: err.Error()}
}

// Subscribe calls fn with the State of Service ns/name on the apiserver of cfg as
// soon as it is known and after every change, from one goroutine per apiserver; fn
// must not block long. The returned function ends the subscription and releases the
// connection when it was its last user.
func (s *Source) Subscribe(cfg Config, rc *rest.Config, ns, name string, fn func(State)) (cancel func(), err error) {
	c, err := s.acquire(cfg, rc)
	if err != nil {
		return nil, err
	}
	unsub := c.subscribe(ns, name, fn)
	var once sync.Once
	return func() {
		once.Do(func() {
			unsub()
			s.release(cfg)
		})
	}, nil
}

func (s *Source) acquire(cfg Config, rc *rest.Config) (*cluster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cfg.key()
	c := s.clusters[key]
	if c == nil {
		var cn *conn
		rc = rest.CopyConfig(rc)
		cn = newConn(func() { s.poke(key) })
		prev := rc.WrapTransport
		rc.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			if prev != nil {
				rt = prev(rt)
			}
			return cn.wrap(rt)
		}
		client, err := s.newClient(rc)
		if err != nil {
			return nil, err
		}
		c = newCluster(cfg.Name(), client, cn, s.errorf, s.infof, &s.wg)
		s.clusters[key] = c
	}
	c.refs++
	return c, nil
}

func (s *Source) release(cfg Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cfg.key()
	c := s.clusters[key]
	if c == nil {
		return
	}
	if c.refs--; c.refs == 0 {
		delete(s.clusters, key)
		c.close()
	}
}

// poke wakes the cluster of key after its reachability changed.
func (s *Source) poke(key string) {
	s.mu.Lock()
	c := s.clusters[key]
	s.mu.Unlock()
	if c != nil {
		c.markAll()
	}
}

// Wait waits for the goroutines of released connections to end (tests; with a
// connection still in use it waits for ever).
func (s *Source) Wait() { s.wg.Wait() }

// watch is one kubernetes check.
type watch struct {
	src  *Source
	cfg  Config
	rest *rest.Config
	want Want

	mu     sync.Mutex
	cancel func()
}

// Start subscribes to the Service. A client that cannot be built (bad TLS files'
// content) makes the check unknown, reported from a goroutine as Start must not
// report itself.
func (w *watch) Start(report func(hc.Result)) {
	cancel, err := w.src.Subscribe(w.cfg, w.rest, w.want.Namespace, w.want.Name, func(st State) {
		if st.Err != nil {
			report(hc.Result{Kind: hc.KindUnknown, Detail: st.Err.Error()})
			return
		}
		report(Judge(w.want, st.Service, st.Slices))
	})
	if err != nil {
		w.src.errorf("kubernetes %s: %v", w.cfg.Name(), err)
		go report(hc.Result{Kind: hc.KindUnknown, Detail: err.Error()})
		return
	}
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
}

// Stop ends the subscription; it does not wait for anything.
func (w *watch) Stop() {
	w.mu.Lock()
	cancel := w.cancel
	w.cancel = nil
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

var (
	_ hc.Source = (*Source)(nil)
	_ hc.Watch  = (*watch)(nil)
)

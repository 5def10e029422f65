package lifecycle

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/coredns/caddy"
	clog "github.com/coredns/coredns/plugin/pkg/log"
)

var log = clog.NewWithPlugin("lifecycle")

// Timeouts of every shared HTTP listener: a slow or idle client cannot hold a
// connection (and its goroutine) open for long.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 30 * time.Second
	// shutdownTimeout bounds how long the last release waits for requests in flight.
	shutdownTimeout = 5 * time.Second
)

// Mux is one instance's routes on one listen address. Every directive of the
// instance that names the address registers its routes on the same Mux (at setup);
// the listener serves the routes of the newest started instance that holds it, so a
// reload switches routes without closing the port, and a failed reload switches back.
type Mux struct {
	addr string
	mux  *http.ServeMux
	cert *tls.Certificate // nil: plain HTTP
}

type muxKey struct{ addr string }

// HTTP returns c's instance's Mux for addr (host:port), creating it on first use. The
// listener opens at the instance's startup — or is shared with the running instance
// if that one listens on addr — and is released when the instance stops, or its
// reload fails; the last release closes it.
func HTTP(c *caddy.Controller, addr string) *Mux {
	key := muxKey{addr}
	if m, ok := c.Get(key).(*Mux); ok {
		return m
	}
	m := &Mux{addr: addr, mux: http.NewServeMux()}
	c.Set(key, m)
	On(c, func() error { return listeners.acquire(m) }, func() { listeners.release(m) })
	return m
}

// UseTLS makes the address serve HTTPS with the certificate and key in PEM files,
// read now (so a bad file is a setup error). A reload that brings a new certificate
// serves it from then on, on the same listener; it cannot switch an address between
// HTTP and HTTPS.
func (m *Mux) UseTLS(certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	m.cert = &cert
	return nil
}

// Addr returns the listen address the Mux was made for.
func (m *Mux) Addr() string { return m.addr }

// Handle registers h for pattern (http.ServeMux syntax). Two directives that claim
// one pattern on one address is a Corefile error, returned rather than panicking.
func (m *Mux) Handle(pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", m.addr, r)
		}
	}()
	m.mux.Handle(pattern, h)
	return nil
}

// shared is one open listener and the instances' Muxes that hold it, newest last.
type shared struct {
	srv  *http.Server
	ln   net.Listener
	tls  bool   // HTTPS, with the newest Mux's certificate
	muxs []*Mux // guarded by listeners.mu
}

type listenerSet struct {
	mu sync.Mutex
	m  map[string]*shared
}

var listeners = &listenerSet{m: map[string]*shared{}}

func (ls *listenerSet) acquire(m *Mux) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if s, ok := ls.m[m.addr]; ok {
		if s.tls != (m.cert != nil) {
			return fmt.Errorf("%s serves %s already: a reload cannot switch it to %s (restart)", m.addr, scheme(s.tls), scheme(m.cert != nil))
		}
		s.muxs = append(s.muxs, m)
		return nil
	}
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return err
	}
	s := &shared{ln: ln, muxs: []*Mux{m}, tls: m.cert != nil}
	if s.tls {
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return ls.currentCert(s), nil
		}})
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ls.current(s).ServeHTTP(w, r) }),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Errorf("HTTP listener on %s: %v", m.addr, err)
		}
	}()
	ls.m[m.addr] = s
	return nil
}

// currentCert returns the certificate of the newest instance holding s.
func (ls *listenerSet) currentCert(s *shared) *tls.Certificate {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if len(s.muxs) == 0 {
		return nil
	}
	return s.muxs[len(s.muxs)-1].cert
}

func scheme(tls bool) string {
	if tls {
		return "HTTPS"
	}
	return "HTTP"
}

// current returns the routes of the newest instance holding s.
func (ls *listenerSet) current(s *shared) http.Handler {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if len(s.muxs) == 0 {
		return http.NotFoundHandler()
	}
	return s.muxs[len(s.muxs)-1].mux
}

func (ls *listenerSet) release(m *Mux) {
	ls.mu.Lock()
	s, ok := ls.m[m.addr]
	if !ok {
		ls.mu.Unlock()
		return
	}
	s.muxs = slices.DeleteFunc(s.muxs, func(x *Mux) bool { return x == m })
	last := len(s.muxs) == 0
	if last {
		delete(ls.m, m.addr)
	}
	ls.mu.Unlock()
	if !last {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		log.Infof("HTTP listener on %s: shutdown: %v", m.addr, err)
		s.srv.Close()
	}
	// Shutdown closes only the listeners Serve has registered: when the release
	// follows the acquire at once (a reload that fails right after its startup),
	// Serve's goroutine may not have run yet and would close the socket later, on its
	// own. Close it here, so the port is free when release returns.
	s.ln.Close()
}

// Listening returns the addresses with an open shared listener, sorted; tests use it
// to see that reloads leave none behind.
func Listening() []string {
	listeners.mu.Lock()
	defer listeners.mu.Unlock()
	out := make([]string, 0, len(listeners.m))
	for a := range listeners.m {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

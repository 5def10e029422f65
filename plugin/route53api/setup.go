// Package route53api is the route53api directive: it serves coretraffic's Route 53
// API (package route53/api) on an HTTP address, over the store file it names. Policy
// blocks that name the same store (`policy { store FILE }`) serve its hosted zones.
package route53api

import (
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/internal/controlplane"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	"github.com/coretraffic/coretraffic/internal/storespec"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
)

const pluginName = "route53api"

var log = clog.NewWithPlugin(pluginName)

func init() { plugin.Register(pluginName, setup) }

// config is one route53api block.
type config struct {
	addr        string
	store       storespec.Spec
	credentials string
	rate        float64
	burst       int
	maxBody     int64
	nameServers []string
	region      string
	cert, key   string // TLS certificate and key files; "" = plain HTTP
}

// setup parses the block and reads the credentials file, so every error surfaces
// now with its line; the store opens and the API starts serving at OnStartup.
func setup(c *caddy.Controller) error {
	cfg, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	keys, err := sigv4.LoadCredentials(cfg.credentials)
	if err != nil {
		return plugin.Error(pluginName, c.Errf("credentials: %v", err))
	}
	h := &handler{}
	mux := lifecycle.HTTP(c, cfg.addr)
	if cfg.cert != "" {
		if err := mux.UseTLS(cfg.cert, cfg.key); err != nil {
			return plugin.Error(pluginName, c.Errf("tls: %v", err))
		}
	}
	if err := mux.Handle("/", h); err != nil {
		return plugin.Error(pluginName, c.Errf("%v", err))
	}
	lifecycle.On(c, func() error {
		plane, err := controlplane.Acquire(cfg.store, pluginhc.Engine(), log.Warningf)
		if err != nil {
			return plugin.Error(pluginName, err)
		}
		h.plane = plane
		h.srv.Store(api.New(api.Config{
			Store: plane.Store, Replica: plane.Replica, Group: plane.Group, Keys: keys, Region: cfg.region,
			Auth:    sigv4.Options{MaxBody: cfg.maxBody, Rate: cfg.rate, Burst: cfg.burst, OnDeny: denied},
			Zones:   route53.ZoneOptions{NameServers: cfg.nameServers},
			Logf:    log.Warningf,
			Observe: observe,
		}))
		cancel := plane.Replica.Subscribe(func(p *replica.Published) {
			servedRevision.WithLabelValues(plane.Key).Set(float64(p.Revision))
			storeRevision.WithLabelValues(plane.Key).Set(float64(plane.Store.Revision()))
		})
		h.unsubscribe = cancel
		return nil
	}, func() {
		h.srv.Store(nil)
		if h.unsubscribe != nil {
			h.unsubscribe()
		}
		if h.plane != nil {
			h.plane.Release()
		}
	})
	return nil
}

// handler is the block's routes on the shared listener: the API once started.
type handler struct {
	srv         atomic.Pointer[api.Server]
	plane       *controlplane.Plane
	unsubscribe func()
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.srv.Load()
	if s == nil {
		apierr.New("ServiceUnavailable", http.StatusServiceUnavailable, "the API is starting or stopping").Write(w, "")
		return
	}
	s.ServeHTTP(w, r)
}

// parse reads:
//
//	route53api ADDRESS {
//	    store FILE | store etcd { ... }   (internal/storespec)
//	    credentials FILE
//	    rate REQUESTS_PER_SECOND [BURST]
//	    max_body BYTES
//	    nameservers NAME...
//	    region NAME
//	    tls CERT KEY
//	}
func parse(c *caddy.Controller) (*config, error) {
	cfg := &config{region: "local"}
	root := dnsserver.GetConfig(c).Root
	abs := func(f string) string {
		if !filepath.IsAbs(f) && root != "" {
			return filepath.Join(root, f)
		}
		return f
	}
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, plugin.ErrOnce
		}
		i++
		args := c.RemainingArgs()
		if len(args) != 1 {
			return nil, c.Errf("want one listen address (host:port), e.g. route53api 127.0.0.1:8053")
		}
		if _, _, err := net.SplitHostPort(args[0]); err != nil {
			return nil, c.Errf("%q is not a listen address (host:port): %v", args[0], err)
		}
		cfg.addr = args[0]
		for c.NextBlock() {
			if err := property(c, cfg, root, abs); err != nil {
				return nil, err
			}
		}
	}
	if cfg.store.IsZero() {
		return nil, c.Err("no store: give the store file (store FILE) or etcd (store etcd { ... })")
	}
	if cfg.credentials == "" {
		return nil, c.Err("no credentials: give the access keys file (credentials FILE)")
	}
	return cfg, nil
}

func property(c *caddy.Controller, cfg *config, root string, abs func(string) string) error {
	key := c.Val()
	if key == "store" { // its own syntax, a block perhaps
		if !cfg.store.IsZero() {
			return c.Err("store given twice")
		}
		spec, err := storespec.Parse(c, root)
		cfg.store = spec
		return err
	}
	args := c.RemainingArgs()
	one := func() (string, error) {
		if len(args) != 1 {
			return "", c.ArgErr()
		}
		return args[0], nil
	}
	switch key {
	case "credentials":
		f, err := one()
		cfg.credentials = abs(f)
		return err
	case "rate":
		if len(args) < 1 || len(args) > 2 {
			return c.ArgErr()
		}
		r, err := strconv.ParseFloat(args[0], 64)
		if err != nil || r <= 0 {
			return c.Errf("rate: %q is not a number of requests per second > 0", args[0])
		}
		cfg.rate = r
		if len(args) == 2 {
			b, err := strconv.Atoi(args[1])
			if err != nil || b < 1 {
				return c.Errf("rate: burst %q is not a number ≥ 1", args[1])
			}
			cfg.burst = b
		}
	case "max_body":
		v, err := one()
		if err != nil {
			return err
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 1024 {
			return c.Errf("max_body: %q is not a number of bytes ≥ 1024", v)
		}
		cfg.maxBody = n
	case "nameservers":
		if len(args) == 0 {
			return c.ArgErr()
		}
		for _, ns := range args {
			if _, ok := route53.NormalizeName(strings.ReplaceAll(ns, "{zone}", "example.org")); !ok {
				return c.Errf("nameservers: %q is not a domain name", ns)
			}
		}
		cfg.nameServers = args
	case "region":
		v, err := one()
		cfg.region = v
		return err
	case "tls":
		if len(args) != 2 {
			return c.ArgErr()
		}
		cfg.cert, cfg.key = abs(args[0]), abs(args[1])
	default:
		return c.Errf("unknown property %q", key)
	}
	return nil
}

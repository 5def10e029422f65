// Package console is the console directive: a web page for traffic policies served
// by the binary — zones, record sets, a record set's tree with live health, a world
// map of who is answered with what (now and under a what-if), explain, health
// checks, the change log, plots, and edits as Route 53 change batches shown as a
// diff before they are applied. The page's files are embedded (web/); API.md is the
// contract between them and this server.
//
// Only setup.go and metrics.go import CoreDNS: Server (server.go) is an http.Handler over a store,
// its replica and the health check engine, tested with httptest.
package console

import (
	"net"
	"net/netip"
	"path/filepath"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/sigv4"
)

const pluginName = "console"

var log = clog.NewWithPlugin(pluginName)

func init() { plugin.Register(pluginName, setup) }

// config is one console block.
type config struct {
	addr        string
	store       string
	credentials string
	cert, key   string // TLS certificate and key files; "" = plain HTTP
}

// setup parses the block and reads the credentials file, so every error surfaces
// now with its line; the store opens and the console serves at OnStartup.
func setup(c *caddy.Controller) error {
	cfg, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	keys, err := sigv4.LoadCredentials(cfg.credentials)
	if err != nil {
		return plugin.Error(pluginName, c.Errf("credentials: %v", err))
	}
	mux := lifecycle.HTTP(c, cfg.addr)
	if cfg.cert != "" {
		if err := mux.UseTLS(cfg.cert, cfg.key); err != nil {
			return plugin.Error(pluginName, c.Errf("tls: %v", err))
		}
	}
	h := &holder{}
	if err := mux.Handle("/", h); err != nil {
		return plugin.Error(pluginName, c.Errf("%v", err))
	}
	dcfg := dnsserver.GetConfig(c)
	lifecycle.On(c, func() error {
		p, err := acquirePlane(cfg.store)
		if err != nil {
			return plugin.Error(pluginName, err)
		}
		s := New(Config{Store: p.Store, Replica: p.Replica, Engine: pluginhc.Engine(), Keys: keys,
			TLS: cfg.cert != "", Locator: locator(dcfg), Logf: log.Warningf})
		if err := s.Start(); err != nil {
			p.Release()
			return plugin.Error(pluginName, err)
		}
		h.set(s, p.Release)
		return nil
	}, h.stop)
	return nil
}

// locator is how the geo directive of the console's server block places clients
// (as the policy plugin's explain does), or nil without one.
// Looked up per question: the block's plugin chain is built after setup.
func locator(cfg *dnsserver.Config) func() answer.Locator {
	return func() answer.Locator {
		if g, ok := cfg.Handler("geo").(interface {
			Locate(netip.Addr, *geo.ECS) (geo.Client, error)
		}); ok {
			return g.Locate
		}
		return nil
	}
}

// parse reads:
//
//	console ADDRESS {
//	    store FILE
//	    credentials FILE
//	    tls CERT KEY
//	}
func parse(c *caddy.Controller) (*config, error) {
	cfg := &config{}
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
			return nil, c.Errf("want one listen address (host:port), e.g. console 127.0.0.1:8443")
		}
		if _, _, err := net.SplitHostPort(args[0]); err != nil {
			return nil, c.Errf("%q is not a listen address (host:port): %v", args[0], err)
		}
		cfg.addr = args[0]
		for c.NextBlock() {
			if err := property(c, cfg, abs); err != nil {
				return nil, err
			}
		}
	}
	if cfg.store == "" {
		return nil, c.Err("no store: give the store file (store FILE), the one route53api serves")
	}
	if cfg.credentials == "" {
		return nil, c.Err("no credentials: give the access keys file (credentials FILE), the API's")
	}
	return cfg, nil
}

func property(c *caddy.Controller, cfg *config, abs func(string) string) error {
	key := c.Val()
	args := c.RemainingArgs()
	switch key {
	case "store", "credentials":
		if len(args) != 1 {
			return c.ArgErr()
		}
		if key == "store" {
			cfg.store = abs(args[0])
		} else {
			cfg.credentials = abs(args[0])
		}
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

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
	"net/netip"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/apiblock"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
)

const pluginName = "console"

var log = clog.NewWithPlugin(pluginName)

func init() { plugin.Register(pluginName, setup) }

// config is one console block.
type config = apiblock.Block

// setup parses the block and reads the credentials file, so every error surfaces
// now with its line; the store opens and the console serves at OnStartup.
func setup(c *caddy.Controller) error {
	cfg, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	h := &holder{}
	keys, err := cfg.Serve(c, h)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	dcfg := dnsserver.GetConfig(c)
	lifecycle.On(c, func() error {
		p, err := acquirePlane(cfg.Store)
		if err != nil {
			return plugin.Error(pluginName, err)
		}
		s := New(Config{Store: p.Store, Replica: p.Replica, Engine: pluginhc.Engine(), Keys: keys,
			TLS: cfg.Cert != "", Locator: locator(dcfg), Logf: log.Warningf})
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
//	    store FILE | store etcd { ... }   (internal/storespec; the route53api block's)
//	    credentials FILE
//	    tls CERT KEY
//	}
func parse(c *caddy.Controller) (*config, error) {
	return apiblock.Parse(c, "127.0.0.1:8443", nil)
}

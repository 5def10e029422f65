package policy

import (
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/internal/lifecycle"
	"github.com/coretraffic/coretraffic/internal/storespec"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

func init() { plugin.Register(pluginName, setup) }

// defaultReload is how often data files are checked for changes.
const defaultReload = 5 * time.Second

// setup parses the directive and loads and compiles all data once, so every error
// surfaces now with its file and line; it starts nothing: the loader is a lifecycle
// unit (internal/lifecycle), started at OnStartup and stopped at OnShutdown or when
// the reload that started it fails.
func setup(c *caddy.Controller) error {
	p, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	if p.store != nil {
		return setupStore(c, p)
	}
	ld, set, err := p.loader.load()
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	cfg := dnsserver.GetConfig(c)
	where := p.where
	lifecycle.On(c, func() error {
		// The chain is known now; reloads of the data are held to it as well.
		p.loader.check = func(s *policy.Snapshot) error { return checkChain(cfg, s) }
		p.loader.servers = serverLabels(cfg)
		if err := checkChain(cfg, ld.Snap); err != nil {
			return plugin.Error(pluginName, fmt.Errorf("%s - Error during setup: %w", where, err))
		}
		p.loader.start(p, ld, set)
		return nil
	}, p.loader.stop)
	if p.explainAddr != "" {
		if err := addExplain(c, cfg, p); err != nil {
			return plugin.Error(pluginName, fmt.Errorf("%s: explain: %w", where, err))
		}
	}
	cfg.AddPlugin(func(next plugin.Handler) plugin.Handler {
		p.Next = next
		return p
	})
	return nil
}

// setupStore wires a block that serves a control-plane store's hosted zones.
func setupStore(c *caddy.Controller, p *Policy) error {
	cfg := dnsserver.GetConfig(c)
	lifecycle.On(c, func() error {
		if err := p.store.start(p, cfg); err != nil {
			return plugin.Error(pluginName, fmt.Errorf("%s: %w", p.where, err))
		}
		return nil
	}, p.store.stop)
	cfg.AddPlugin(func(next plugin.Handler) plugin.Handler {
		p.Next = next
		return p
	})
	return nil
}

func parse(c *caddy.Controller) (*Policy, error) {
	p := &Policy{}
	l := &loader{interval: defaultReload, engine: pluginhc.Engine(), corefileChecks: pluginhc.Checks(c)}
	l.withKube(pluginhc.Kube())
	p.loader = l
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, plugin.ErrOnce
		}
		i++
		p.where = fmt.Sprintf("%s:%d", c.File(), c.Line())
		// Keys like example.org:53 and tls://example.org:853 name one zone twice.
		origins := slices.Compact(slices.Sorted(slices.Values(plugin.OriginsFromArgsOrServerBlock(c.RemainingArgs(), c.ServerBlockKeys))))
		inline := &inlineRecords{origins: origins}
		l.origins = origins
		root := dnsserver.GetConfig(c).Root
		for c.NextBlock() {
			if err := property(c, p, l, inline, root); err != nil {
				return nil, err
			}
		}
		if p.store != nil && (len(l.files) > 0 || len(inline.records) > 0) {
			return nil, storeExclusive(p.where)
		}
		if p.store == nil && len(l.files) == 0 && len(inline.records) == 0 {
			return nil, c.Err("no policy data: give a data file, a record (weighted, failover) or a store")
		}
		l.inline = inline.data()
		l.owner = fmt.Sprintf("policy:%s:%d", c.File(), c.Line())
	}
	return p, nil
}

func property(c *caddy.Controller, p *Policy, l *loader, inline *inlineRecords, root string) error {
	switch c.Val() {
	case "data":
		files := c.RemainingArgs()
		if len(files) == 0 {
			return c.ArgErr()
		}
		for _, f := range files {
			if !filepath.IsAbs(f) && root != "" {
				f = filepath.Join(root, f)
			}
			l.files = append(l.files, f)
		}
	case "reload":
		args := c.RemainingArgs()
		if len(args) != 1 {
			return c.ArgErr()
		}
		d, err := time.ParseDuration(args[0])
		if err != nil || d < 0 {
			return c.Errf("reload: %q is not a duration ≥ 0", args[0])
		}
		l.interval = d
	case "fallthrough":
		p.Fall.SetZonesFromArgs(c.RemainingArgs())
	case "explain":
		args := c.RemainingArgs()
		if len(args) != 1 || p.explainAddr != "" {
			return c.ArgErr()
		}
		if _, _, err := net.SplitHostPort(args[0]); err != nil {
			return c.Errf("explain: %q is not a listen address (host:port): %v", args[0], err)
		}
		p.explainAddr = args[0]
	case "store":
		if p.store != nil {
			return c.Err("store given twice")
		}
		spec, err := storespec.Parse(c, root)
		if err != nil {
			return err
		}
		p.store = &storeSource{spec: spec}
	case "allow_empty", "allow_zone_removal":
		if len(c.RemainingArgs()) != 0 {
			return c.ArgErr()
		}
		if c.Val() == "allow_empty" {
			l.rules.AllowEmpty = true
		} else {
			l.rules.AllowZoneRemoval = true
		}
	case "weighted", "failover":
		return inline.add(c)
	default:
		return c.Errf("unknown property %q", c.Val())
	}
	return nil
}

// checkChain refuses plugin combinations that would serve one client's answer to
// others: cache (its key has no client subnet) and loadbalance (it reorders or
// filters answers) above per-client policy answers (location-based, sticky or ip). It
// also requires geo when a rule needs the client's location; sticky rules do not
// need it, nor do ip rules (without geo they use the query's source address; with
// geo, the ECS client subnet, and the answer carries an ECS scope).
func checkChain(cfg *dnsserver.Config, snap *policy.Snapshot) error {
	usesGeo, perClient := false, false
	for _, o := range snap.Origins() {
		z := snap.Zone(o)
		usesGeo = usesGeo || z.UsesGeo
		perClient = perClient || z.UsesGeo || z.UsesClient
	}
	if !perClient {
		return nil
	}
	for _, bad := range []string{"cache", "loadbalance"} {
		if cfg.Handler(bad) != nil {
			return fmt.Errorf("%s in the server block %s would serve one client's per-client (location-based, sticky or ip) answer "+
				"to every client: remove it from this block (put policy zones in a block of their own)", bad, cfg.Zone+":"+cfg.Port)
		}
	}
	if usesGeo && cfg.Handler("geo") == nil {
		return fmt.Errorf("location-based rules (geolocation, geoproximity, latency) need the geo directive in the same server block")
	}
	return nil
}

// fqdnIn returns name as a lower-case FQDN and whether it lies in one of origins.
func fqdnIn(name string, origins []string) (string, string, bool) {
	name = strings.ToLower(dns.Fqdn(name))
	best := ""
	for _, o := range origins {
		if dns.IsSubDomain(o, name) && len(o) > len(best) {
			best = o
		}
	}
	return name, best, best != ""
}

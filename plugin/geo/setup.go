package geo

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	"github.com/coretraffic/coretraffic/internal/stack"
)

const (
	pluginName    = "geo"
	defaultReload = 30 * time.Second
	minReload     = time.Second
)

func init() { plugin.Register(pluginName, setup) }

// setup parses the directive and opens the databases into memory, so a bad
// file fails the Corefile with its line number. It starts nothing: the file
// watcher is a lifecycle unit (internal/lifecycle), started at OnStartup and stopped
// at OnShutdown or when the reload that started it fails.
func setup(c *caddy.Controller) error {
	g, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	lifecycle.On(c, g.OnStartup, func() { g.OnShutdown() })
	cfg := dnsserver.GetConfig(c)
	cfg.AddPlugin(func(next plugin.Handler) plugin.Handler {
		g.Next = next
		g.growStack = growsStack(cfg)
		return g
	})
	return nil
}

// growsStack says whether geo grows the query goroutine's stack (internal/stack)
// in a block: not when a plugin after it grows it itself (a stack.Grower: policy).
// It is asked while the chain is built, from its end, when every plugin after geo is
// registered.
func growsStack(cfg interface{ Handlers() []plugin.Handler }) bool {
	return stack.Needed(cfg.Handlers())
}

func parse(c *caddy.Controller) (*Geo, error) {
	g := &Geo{ecs: true, trustAll: true, interval: defaultReload, labels: defaultLabels, locationFuncs: newLocationCache()}
	root := dnsserver.GetConfig(c).Root
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, plugin.ErrOnce
		}
		i++
		paths := c.RemainingArgs()
		if len(paths) == 0 {
			return nil, c.ArgErr()
		}
		for j, p := range paths {
			if !filepath.IsAbs(p) && root != "" {
				paths[j] = filepath.Join(root, p)
			}
		}
		r, err := geo.NewReader(paths)
		if err != nil {
			return nil, c.Errf("%v", err)
		}
		g.reader = r
		if err := parseBlock(c, g); err != nil {
			return nil, err
		}
	}
	g.cacheLocations = slices.ContainsFunc(g.labels, func(l label) bool { return l.ofLocation != nil })
	return g, nil
}

func parseBlock(c *caddy.Controller, g *Geo) error {
	var sawECS, sawTrust, sawReload, sawVerify, sawLabels bool
	for c.NextBlock() {
		switch c.Val() {
		case "ecs":
			args := c.RemainingArgs()
			if sawECS || len(args) != 1 || (args[0] != "on" && args[0] != "off") {
				return c.Errf("ecs takes one argument, on or off, once")
			}
			sawECS, g.ecs = true, args[0] == "on"
		case "trust":
			args := c.RemainingArgs()
			if len(args) == 0 {
				return c.ArgErr()
			}
			if !sawTrust {
				g.trustAll, sawTrust = false, true
			}
			for _, a := range args {
				p, err := parsePrefix(a)
				if err != nil {
					return c.Errf("trust: %v", err)
				}
				g.trust = append(g.trust, p)
			}
		case "reload":
			args := c.RemainingArgs()
			if sawReload || len(args) != 1 {
				return c.Errf("reload takes one duration, once")
			}
			sawReload = true
			d, err := time.ParseDuration(args[0])
			if err != nil || d < 0 || (d > 0 && d < minReload) {
				return c.Errf("reload: invalid duration %q: 0 disables reloading, else at least %s", args[0], minReload)
			}
			g.interval = d
		case "verify":
			if sawVerify || len(c.RemainingArgs()) != 0 {
				return c.Errf("verify takes no arguments and appears once")
			}
			sawVerify = true
			if err := g.reader.VerifyAll(); err != nil {
				return c.Errf("%v", err)
			}
		case "labels":
			if sawLabels {
				return c.Errf("labels appears once")
			}
			sawLabels = true
			l, err := parseLabels(c.RemainingArgs())
			if err != nil {
				return c.Errf("labels: %v", err)
			}
			g.labels = l
		default:
			return c.Errf("unknown property %q", c.Val())
		}
	}
	if sawTrust && !g.ecs {
		return c.Errf("trust is meaningless with ecs off")
	}
	return nil
}

// parseLabels turns the labels property's arguments into the labels to set:
// label names from allLabels, or the single word all or none.
func parseLabels(args []string) ([]label, error) {
	if len(args) == 0 {
		return nil, errors.New("want one or more label names, all, or none")
	}
	if len(args) == 1 {
		switch args[0] {
		case "none":
			return nil, nil
		case "all":
			return allLabels, nil
		}
	}
	var ls []label
	for _, a := range args {
		i := slices.IndexFunc(allLabels, func(l label) bool { return l.name == a })
		if i < 0 {
			return nil, fmt.Errorf("unknown label %q (labels are named as in the README, e.g. geo/country/code; or all or none alone)", a)
		}
		if slices.ContainsFunc(ls, func(l label) bool { return l.name == a }) {
			return nil, fmt.Errorf("label %q listed twice", a)
		}
		ls = append(ls, allLabels[i])
	}
	return ls, nil
}

// parsePrefix accepts a CIDR or a bare address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p != p.Masked() {
			return netip.Prefix{}, &prefixError{s}
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			return netip.PrefixFrom(a.Unmap(), p.Bits()-96), nil
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, &prefixError{s}
	}
	a = geo.Canonical(a)
	return netip.PrefixFrom(a, a.BitLen()), nil
}

type prefixError struct{ s string }

// Error implements error.
func (e *prefixError) Error() string {
	return "invalid network " + strconv.Quote(e.s) + ": want an address or a masked CIDR such as 192.0.2.0/24"
}

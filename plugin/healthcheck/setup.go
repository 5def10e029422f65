package healthcheck

import (
	"path/filepath"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

const pluginName = "healthcheck"

func init() { plugin.Register(pluginName, setup) }

// block is what one healthcheck directive declares.
type block struct {
	specs  []hc.Spec
	status string // listen address of the status API
	token  string // bearer token that allows overrides
	line   int
}

// setup parses one healthcheck block and adds it to the Corefile's checks. It starts
// nothing: the checks and the status listener start in OnStartup.
func setup(c *caddy.Controller) error {
	b, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	inst := instanceFor(c)
	if err := inst.add(c, b); err != nil {
		return plugin.Error(pluginName, err)
	}
	h := &HealthCheck{inst: inst}
	dnsserver.GetConfig(c).AddPlugin(func(next plugin.Handler) plugin.Handler {
		h.Next = next
		return h
	})
	return nil
}

// parse reads:
//
//	healthcheck [FILE...] {
//	    check NAME TYPE [TARGET] [FIELD=VALUE...]
//	    file FILE...
//	    status ADDRESS
//	    token TOKEN
//	}
func parse(c *caddy.Controller) (*block, error) {
	b := &block{}
	root := dnsserver.GetConfig(c).Root
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, plugin.ErrOnce
		}
		i++
		b.line = c.Line()
		for _, f := range c.RemainingArgs() {
			if err := b.addFile(root, f); err != nil {
				return nil, err
			}
		}
		for c.NextBlock() {
			if err := b.property(c, root); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

func (b *block) property(c *caddy.Controller, root string) error {
	switch c.Val() {
	case "check":
		s, err := hc.Inline(c.File(), c.Line(), c.RemainingArgs())
		if err != nil {
			return err
		}
		b.specs = append(b.specs, s)
	case "file":
		args := c.RemainingArgs()
		if len(args) == 0 {
			return c.ArgErr()
		}
		for _, f := range args {
			if err := b.addFile(root, f); err != nil {
				return err
			}
		}
	case "status":
		args := c.RemainingArgs()
		if len(args) != 1 || b.status != "" {
			return c.ArgErr()
		}
		b.status = args[0]
	case "token":
		args := c.RemainingArgs()
		if len(args) != 1 || b.token != "" || args[0] == "" {
			return c.ArgErr()
		}
		b.token = args[0]
	default:
		return c.Errf("unknown property '%s'", c.Val())
	}
	return nil
}

func (b *block) addFile(root, f string) error {
	if !filepath.IsAbs(f) && root != "" {
		f = filepath.Join(root, f)
	}
	specs, err := hc.ParseFile(f)
	if err != nil {
		return err
	}
	b.specs = append(b.specs, specs...)
	return nil
}

// Package route53api is the route53api directive: it serves coretraffic's Route 53
// API (package route53/api) on an HTTP address, over the store file it names. Policy
// blocks that name the same store (`policy { store FILE }`) serve its hosted zones.
package route53api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/plugin"
	clog "github.com/coredns/coredns/plugin/pkg/log"

	"github.com/coretraffic/coretraffic/internal/apiblock"
	"github.com/coretraffic/coretraffic/internal/controlplane"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
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
	*apiblock.Block // address, store, credentials, tls
	rate            float64
	burst           int
	maxBody         int64
	nameServers     []string
	region          string
	changeLog       time.Duration // how long the change log keeps a change; 0: forever
}

// trimEvery is how often the change log is trimmed to its retention.
const trimEvery = time.Hour

// setup parses the block and reads the credentials file, so every error surfaces
// now with its line; the store opens and the API starts serving at OnStartup.
func setup(c *caddy.Controller) error {
	cfg, err := parse(c)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	h := &handler{}
	keys, err := cfg.Serve(c, h)
	if err != nil {
		return plugin.Error(pluginName, err)
	}
	lifecycle.On(c, func() error {
		plane, err := controlplane.Acquire(cfg.Store, pluginhc.Engine(), log.Warningf)
		if err != nil {
			return plugin.Error(pluginName, err)
		}
		h.plane = plane
		srv := api.New(api.Config{
			Store: plane.Store, Replica: plane.Replica, Group: plane.Group, Keys: keys, Region: cfg.region,
			Auth:            sigv4.Options{MaxBody: cfg.maxBody, Rate: cfg.rate, Burst: cfg.burst, OnDeny: denied},
			Zones:           route53.ZoneOptions{NameServers: cfg.nameServers},
			Logf:            log.Warningf,
			Observe:         observe,
			ChangeRetention: cfg.changeLog,
		})
		h.srv.Store(srv)
		ctx, stop := context.WithCancel(context.Background())
		trimmed := make(chan struct{})
		go func() { defer close(trimmed); srv.KeepChangeLog(ctx, trimEvery, log.Infof) }()
		// Stopped before the plane is released: no trim runs on a closed store.
		h.stopTrim = func() { stop(); <-trimmed }
		cancel := plane.Replica.Subscribe(func(p *replica.Published) {
			servedRevision.WithLabelValues(plane.Key).Set(float64(p.Served))
			heldZones.WithLabelValues(plane.Key).Set(float64(len(p.Held)))
			storeRevision.WithLabelValues(plane.Key).Set(float64(plane.Store.Revision()))
		})
		h.unsubscribe = cancel
		return nil
	}, func() {
		if h.stopTrim != nil {
			h.stopTrim()
		}
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
	stopTrim    func()
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
//	    change_log DURATION|forever
//	    tls CERT KEY
//	}
func parse(c *caddy.Controller) (*config, error) {
	cfg := &config{region: "local", changeLog: api.DefaultChangeRetention}
	b, err := apiblock.Parse(c, "127.0.0.1:8053", func(key string, args []string) error { return property(c, cfg, key, args) })
	if err != nil {
		return nil, err
	}
	cfg.Block = b
	return cfg, nil
}

// property reads the API's own properties.
func property(c *caddy.Controller, cfg *config, key string, args []string) error {
	one := func() (string, error) {
		if len(args) != 1 {
			return "", c.ArgErr()
		}
		return args[0], nil
	}
	switch key {
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
	case "change_log":
		v, err := one()
		if err != nil {
			return err
		}
		d, perr := retention(v)
		if perr != nil {
			return c.Errf("change_log: %v", perr)
		}
		cfg.changeLog = d
	default:
		return apiblock.ErrUnknown
	}
	return nil
}

// retention reads change_log's argument: "forever", or an age (route53.ParseAge:
// "90d", "2w", "720h") of at least an hour and at most 36500 days.
func retention(v string) (time.Duration, error) {
	if v == "forever" {
		return 0, nil
	}
	const most = 36500 * 24 * time.Hour
	d, ok := route53.ParseAge(v)
	switch {
	case strings.HasSuffix(v, "d") && (!ok || d < 24*time.Hour || d > most):
		return 0, fmt.Errorf("%q is not a number of days 1..36500", v)
	case !ok || d < time.Hour || d > most:
		return 0, fmt.Errorf("%q is not forever, days (90d) or a duration of at least 1h", v)
	}
	return d, nil
}

// Package apiblock parses what the control plane's HTTP directives share — the
// route53api directive and the console:
//
//	NAME ADDRESS {
//	    store FILE | store etcd { ... }   (internal/storespec)
//	    credentials FILE
//	    tls CERT KEY
//	    ...                                (the directive's own properties)
//	}
//
// so that the two read the listen address, the store, the access keys and TLS alike,
// with the same errors.
package apiblock

import (
	"errors"
	"net"
	"net/http"
	"path/filepath"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/internal/lifecycle"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/route53/sigv4"
)

// Block is what the directives share.
type Block struct {
	Addr        string         // host:port to listen on
	Store       storespec.Spec // the control-plane store
	Credentials string         // the access keys file (sigv4.LoadCredentials)
	Cert, Key   string         // TLS certificate and key files; "" = plain HTTP
}

// Parse reads the directive c is at, which may appear once per server block.
// Relative files are taken from the Corefile's root. A property Parse does not
// know goes to own with its arguments (c at its key, for errors); a nil own, or
// own returning ErrUnknown, makes it an unknown property at its line.
func Parse(c *caddy.Controller, example string, own func(key string, args []string) error) (*Block, error) {
	b := &Block{}
	root := dnsserver.GetConfig(c).Root
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, plugin.ErrOnce
		}
		i++
		args := c.RemainingArgs()
		if len(args) != 1 {
			return nil, c.Errf("want one listen address (host:port), e.g. %s %s", c.Val(), example)
		}
		if _, _, err := net.SplitHostPort(args[0]); err != nil {
			return nil, c.Errf("%q is not a listen address (host:port): %v", args[0], err)
		}
		b.Addr = args[0]
		for c.NextBlock() {
			if err := b.property(c, root, own); err != nil {
				return nil, err
			}
		}
	}
	if b.Store.IsZero() {
		return nil, c.Err("no store: give the store file (store FILE) or etcd (store etcd { ... })")
	}
	if b.Credentials == "" {
		return nil, c.Err("no credentials: give the access keys file (credentials FILE)")
	}
	return b, nil
}

// ErrUnknown is what a directive's own property function returns for a key it
// does not know either.
var ErrUnknown = errors.New("unknown property")

func (b *Block) property(c *caddy.Controller, root string, own func(string, []string) error) error {
	key := c.Val()
	if key == "store" { // its own syntax, a block perhaps
		if !b.Store.IsZero() {
			return c.Err("store given twice")
		}
		spec, err := storespec.Parse(c, root)
		b.Store = spec
		return err
	}
	abs := func(f string) string {
		if !filepath.IsAbs(f) && root != "" {
			return filepath.Join(root, f)
		}
		return f
	}
	args := c.RemainingArgs()
	switch key {
	case "credentials":
		if len(args) != 1 {
			return c.ArgErr()
		}
		b.Credentials = abs(args[0])
	case "tls":
		if len(args) != 2 {
			return c.ArgErr()
		}
		b.Cert, b.Key = abs(args[0]), abs(args[1])
	default:
		err := ErrUnknown
		if own != nil {
			err = own(key, args)
		}
		if err == ErrUnknown {
			return c.Errf("unknown property %q", key)
		}
		return err
	}
	return nil
}

// Serve reads the block's access keys and sets up its listener (TLS when
// configured) with h on "/", so a bad credentials or key file fails at setup
// with its line; the listener opens at start-up (internal/lifecycle).
func (b *Block) Serve(c *caddy.Controller, h http.Handler) (*sigv4.Keys, error) {
	keys, err := sigv4.LoadCredentials(b.Credentials)
	if err != nil {
		return nil, c.Errf("credentials: %v", err)
	}
	mux := lifecycle.HTTP(c, b.Addr)
	if b.Cert != "" {
		if err := mux.UseTLS(b.Cert, b.Key); err != nil {
			return nil, c.Errf("tls: %v", err)
		}
	}
	if err := mux.Handle("/", h); err != nil {
		return nil, c.Errf("%v", err)
	}
	return keys, nil
}

// Package storespec is the Corefile syntax of a control-plane store, shared by every
// directive that names one (route53api, policy), so the same tokens mean the same
// store everywhere:
//
//	store FILE              the embedded bbolt store in FILE
//	store etcd [{
//	    endpoint URL...     etcd client URLs (default http://localhost:2379)
//	    prefix PREFIX       key prefix, ending in "/" (default /coretraffic/)
//	    tls [CERT KEY] [CA] client certificate and/or the CA that verifies etcd
//	    credentials USER PASSWORD
//	    snapshot FILE       local copy to start from when etcd is unreachable
//	    name NAME           this replica's member name (default host, PID, random)
//	}]
//
// The names follow CoreDNS's etcd plugin (endpoint, tls, credentials) where they
// mean the same; prefix is this store's own key prefix, not the plugin's path.
// A bolt file literally named "etcd" is written ./etcd.
package storespec

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coredns/caddy"
)

// Defaults of an etcd block that leaves them out.
const (
	DefaultEndpoint = "http://localhost:2379"
	DefaultPrefix   = "/coretraffic/"
)

// Spec is one store as a Corefile names it: a bolt file or an etcd cluster.
type Spec struct {
	// File is the bolt store file (absolute when the Corefile has a root); "" for etcd.
	File string
	// Etcd is set for an etcd store.
	Etcd *Etcd
}

// Etcd is an etcd store's connection and local settings.
type Etcd struct {
	Endpoints         []string
	Prefix            string
	CertFile, KeyFile string // client certificate, both or neither
	CAFile            string // verifies the servers; "" = system roots
	Username          string
	Password          string
	// Snapshot is the local copy of the data written as it serves and read at start
	// when etcd cannot be reached; "" = none (unreachable etcd fails the start).
	Snapshot string
	// Name is this replica's presence member name; "" = a default.
	Name string
}

// Key names the store's data: the bolt file, or etcd's endpoints and prefix. It is
// what logs and metric labels show; it never holds a secret.
func (s Spec) Key() string {
	if s.Etcd == nil {
		return s.File
	}
	eps := slices.Sorted(slices.Values(s.Etcd.Endpoints))
	return "etcd:" + strings.Join(eps, ",") + s.Etcd.Prefix
}

// ID identifies the store with all its settings: directives whose specs have the
// same ID share one open store in a process. It holds the password; never show it.
func (s Spec) ID() string {
	if s.Etcd == nil {
		return "file\x00" + s.File
	}
	e := s.Etcd
	return strings.Join([]string{"etcd", s.Key(), e.CertFile, e.KeyFile, e.CAFile, e.Username, e.Password, e.Snapshot, e.Name}, "\x00")
}

// IsZero reports whether no store was given.
func (s Spec) IsZero() bool { return s.File == "" && s.Etcd == nil }

// Parse reads a store property; c is at its "store" token. Relative files are taken
// from root (the Corefile's root directive) when it is set. Errors name the line.
func Parse(c *caddy.Controller, root string) (Spec, error) {
	abs := func(f string) string {
		if !filepath.IsAbs(f) && root != "" {
			return filepath.Join(root, f)
		}
		return f
	}
	args := c.RemainingArgs()
	if len(args) != 1 {
		return Spec{}, c.Errf("store: want a file (store FILE) or etcd (store etcd { ... }), got %d arguments", len(args))
	}
	// RemainingArgs stopped before a "{" on this line, if any. The block is read
	// token by token: inside the directive's own block, NextBlock would take the
	// directive's next line for this block's first property when there is no "{".
	block := c.NextArg()
	if args[0] != "etcd" {
		if block {
			return Spec{}, c.Errf("store %s: a store file takes no block (for etcd write store etcd { ... })", args[0])
		}
		return Spec{File: abs(args[0])}, nil
	}
	e := &Etcd{}
	line := c.Line() // of the endpoints, once the block has set them
	if block {
		var err error
		if line, err = etcdBlock(c, e, abs); err != nil {
			return Spec{}, err
		}
	}
	if len(e.Endpoints) == 0 {
		e.Endpoints = []string{DefaultEndpoint}
	}
	if e.Prefix == "" {
		e.Prefix = DefaultPrefix
	}
	tls := e.CertFile != "" || e.CAFile != ""
	for _, ep := range e.Endpoints {
		if strings.HasPrefix(ep, "https://") == tls {
			continue
		}
		// Errf would name the line the block ends on; name the endpoint's.
		msg := fmt.Sprintf("store etcd: endpoint %s is https://: give tls (at least the CA file)", ep)
		if tls {
			msg = fmt.Sprintf("store etcd: endpoint %s is not https:// but tls is given", ep)
		}
		return Spec{}, fmt.Errorf("%s:%d - Error during parsing: %s", c.File(), line, msg)
	}
	return Spec{Etcd: e}, nil
}

// etcdBlock reads the block after "store etcd {" up to its "}", and returns the
// line of its endpoint property (the store's line when it has none).
func etcdBlock(c *caddy.Controller, e *Etcd, abs func(string) string) (int, error) {
	line := c.Line()
	seen := map[string]bool{}
	for {
		if !c.Next() {
			return 0, c.EOFErr()
		}
		prop := c.Val()
		switch {
		case prop == "}":
			return line, nil
		case prop == "{":
			return 0, c.Errf("store etcd: unexpected {")
		case seen[prop]:
			return 0, c.Errf("store etcd: %s given twice", prop)
		case prop == "endpoint":
			line = c.Line()
		}
		seen[prop] = true
		if err := property(c, e, prop, abs); err != nil {
			return 0, err
		}
	}
}

// property reads one line of an etcd block.
func property(c *caddy.Controller, e *Etcd, prop string, abs func(string) string) error {
	args := c.RemainingArgs()
	switch prop {
	case "endpoint":
		if len(args) == 0 {
			return c.ArgErr()
		}
		for _, ep := range args {
			u, err := url.Parse(ep)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
				return c.Errf("store etcd: endpoint %q is not an etcd client URL (http:// or https://host:port)", ep)
			}
		}
		e.Endpoints = args
	case "prefix":
		if len(args) != 1 {
			return c.ArgErr()
		}
		if !strings.HasSuffix(args[0], "/") || strings.ContainsAny(args[0], " \x00") {
			return c.Errf("store etcd: prefix %q must end in \"/\" (e.g. /coretraffic/)", args[0])
		}
		e.Prefix = args[0]
	case "tls":
		return parseTLS(c, e, args, abs)
	case "credentials":
		if len(args) != 2 || args[0] == "" {
			return c.Errf("store etcd: credentials wants 2 arguments, user name and password")
		}
		e.Username, e.Password = args[0], args[1]
	case "snapshot":
		if len(args) != 1 {
			return c.ArgErr()
		}
		e.Snapshot = abs(args[0])
		if dir := filepath.Dir(e.Snapshot); !isDir(dir) {
			return c.Errf("store etcd: snapshot %s: directory %s does not exist", e.Snapshot, dir)
		}
	case "name":
		if len(args) != 1 {
			return c.ArgErr()
		}
		if strings.ContainsAny(args[0], "/\x00") {
			return c.Errf("store etcd: name %q must not contain \"/\"", args[0])
		}
		e.Name = args[0]
	default:
		return c.Errf("store etcd: unknown property %q", prop)
	}
	return nil
}

// parseTLS reads tls as CoreDNS's etcd plugin does: CA; CERT KEY; or CERT KEY CA.
// The files must be readable now, so a typo fails with its line.
func parseTLS(c *caddy.Controller, e *Etcd, args []string, abs func(string) string) error {
	switch len(args) {
	case 1:
		e.CAFile = abs(args[0])
	case 2:
		e.CertFile, e.KeyFile = abs(args[0]), abs(args[1])
	case 3:
		e.CertFile, e.KeyFile, e.CAFile = abs(args[0]), abs(args[1]), abs(args[2])
	default:
		return c.Errf("store etcd: tls wants CA, CERT KEY, or CERT KEY CA (%d arguments given)", len(args))
	}
	for _, f := range []string{e.CertFile, e.KeyFile, e.CAFile} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return c.Errf("store etcd: tls: %v", err)
		}
	}
	return nil
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// String is the Key, for logs.
func (s Spec) String() string { return s.Key() }

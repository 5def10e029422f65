package kube

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// conn tracks whether the apiserver answers our requests, per namespace and
// resource (services, endpointslices: RBAC may allow one namespace and not
// another), from the HTTP exchanges themselves: it sits in the client's
// transport, so it sees the list, the watch and every retry of the informers without
// depending on how they retry. A transport error, 401, 403 or 5xx marks the resource
// failing with that reason; a 2xx clears it. Other statuses (404, 410, 429) say
// nothing about reachability.
type conn struct {
	mu      sync.Mutex
	errs    map[string]error // by "namespace/resource"
	stalled map[string]bool  // those of errs that an informer retries with backoff: unreachable, 5xx
	// refusedSince: the first 401 or 403 after an outage, by resource (setRefused).
	refusedSince map[string]time.Time
	notify       func() // called after the first error changed (not under mu)
}

func newConn(notify func()) *conn {
	return &conn{errs: map[string]error{}, stalled: map[string]bool{}, refusedSince: map[string]time.Time{}, notify: notify}
}

// wrap is a rest.Config WrapTransport.
func (c *conn) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper{c: c, next: rt}
}

type roundTripper struct {
	c    *conn
	next http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	res2 := resourceOf(req.URL.Path)
	if res2 == "" {
		return res, err
	}
	switch {
	case err != nil:
		if req.Context().Err() != nil {
			return res, err // we cancelled it (an informer stopping)
		}
		var u *url.Error
		if errors.As(err, &u) {
			err = u.Err // without the URL, whose query changes at every retry
		}
		t.c.setStalled(res2, fmt.Errorf("apiserver unreachable: %w", err))
	case res.StatusCode == http.StatusUnauthorized:
		t.c.setRefused(res2, fmt.Errorf("apiserver refused the credentials (401 Unauthorized): check the token or client certificate"))
	case res.StatusCode == http.StatusForbidden:
		t.c.setRefused(res2, fmt.Errorf("forbidden (403): the account may not list and watch %s; see the RBAC in the healthcheck README", res2))
	case res.StatusCode >= 500:
		t.c.setStalled(res2, fmt.Errorf("apiserver error: %s", res.Status))
	case res.StatusCode < 300:
		t.c.set(res2, nil)
	}
	return res, err
}

// resourceOf names the namespace and watched resource a request is for
// (".../namespaces/NS/services"), or "".
func resourceOf(path string) string {
	ns := ""
	if _, rest, ok := strings.Cut(path, "/namespaces/"); ok {
		ns, _, _ = strings.Cut(rest, "/")
	}
	for _, r := range []string{"endpointslices", "services"} {
		if strings.HasSuffix(path, "/"+r) || strings.Contains(path, "/"+r+"/") {
			return ns + "/" + r
		}
	}
	return ""
}

// set records the outcome of a request for resource: nil clears its error.
func (c *conn) set(resource string, err error) { c.record(resource, err, plain) }

// setStalled records an error the apiserver's absence or trouble caused (a
// transport error, a 5xx), after which client-go's informers retry with a growing
// backoff, up to a minute: revive restarts them once /readyz answers again.
func (c *conn) setStalled(resource string, err error) { c.record(resource, err, unreachable) }

// setRefused records a 401 or 403. Right after an outage (within refusalGrace of
// the first refusal that follows one) these are the returning apiserver's
// authenticator and authorizer caches still filling, not a verdict: the resource
// stays stalled, so revive lists it again rather than leave the informer to back
// off for up to a minute. Otherwise they are what they say.
func (c *conn) setRefused(resource string, err error) { c.record(resource, err, refusal) }

// refusalGrace is how long refusals after an outage count as the apiserver's
// start-up (a kube-apiserver answered 403 for about 5 s after /readyz said ready,
// on a loaded machine, while its RBAC caches synced).
const refusalGrace = 30 * time.Second

// outcome is the kind of a request's result record notes.
type outcome int

const (
	plain       outcome = iota // an answer, or an error that says nothing about reachability
	unreachable                // unreachable or 5xx: informers back off (setStalled)
	refusal                    // 401 or 403 (setRefused)
)

// record notes the outcome of a request for resource: err (nil clears it) of kind how.
func (c *conn) record(resource string, err error, how outcome) {
	c.mu.Lock()
	before := c.allLocked()
	if err == nil {
		delete(c.errs, resource)
	} else {
		c.errs[resource] = err
	}
	stalled := err != nil && how == unreachable
	if err != nil && how == refusal {
		since, ok := c.refusedSince[resource]
		if !ok && c.stalled[resource] {
			since, ok = time.Now(), true
			c.refusedSince[resource] = since
		}
		stalled = ok && time.Since(since) < refusalGrace
	} else {
		delete(c.refusedSince, resource)
	}
	if stalled {
		c.stalled[resource] = true
	} else {
		delete(c.stalled, resource)
	}
	after := c.allLocked()
	c.mu.Unlock()
	if before != after && c.notify != nil {
		c.notify()
	}
}

// err is the reason namespace ns of the apiserver cannot be used now, or nil.
func (c *conn) err(ns string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range []string{"endpointslices", "services"} {
		if err := c.errs[ns+"/"+r]; err != nil {
			return fmt.Errorf("%s in %s: %w", r, ns, err)
		}
	}
	return nil
}

// allLocked is every failing namespace and resource with its reason, sorted.
func (c *conn) allLocked() string {
	keys := make([]string, 0, len(c.errs))
	for k, err := range c.errs {
		keys = append(keys, k+": "+err.Error())
	}
	slices.Sort(keys)
	return strings.Join(keys, "; ")
}

// all is allLocked for logs.
func (c *conn) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.allLocked()
}

// stalledSpaces are the namespaces with a stalled resource, sorted.
func (c *conn) stalledSpaces() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var nss []string
	for r := range c.stalled {
		ns, _, _ := strings.Cut(r, "/")
		if !slices.Contains(nss, ns) {
			nss = append(nss, ns)
		}
	}
	slices.Sort(nss)
	return nss
}

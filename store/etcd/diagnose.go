package etcdstore

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// probeTimeout bounds each step of an endpoint's diagnosis.
const probeTimeout = time.Second

// diagnose looks at the endpoints a client could not use and returns the first
// reason that is a configuration error rather than an outage: a TLS handshake the
// endpoint refuses (unknown authority, no or a bad client certificate) or a TLS
// endpoint dialled without TLS. gRPC retries those quietly until the deadline,
// which alone says only "no answer". Nil when every endpoint looks merely down or
// slow.
func diagnose(opts Options) error {
	tc, err := tlsConfig(opts.CertFile, opts.KeyFile, opts.CAFile)
	if err != nil {
		return err
	}
	useTLS := opts.CertFile != "" || opts.KeyFile != "" || opts.CAFile != ""
	for _, ep := range opts.Endpoints {
		hostport, scheme := splitEndpoint(ep)
		if scheme == "unix" || scheme == "unixs" {
			continue
		}
		var why error
		if useTLS || scheme == "https" {
			why = handshake(hostport, tc)
		} else {
			why = speaksTLS(hostport)
		}
		if why != nil {
			return &ConfigError{Endpoint: ep, Err: why}
		}
	}
	return nil
}

// ConfigError is an endpoint that answers but refuses this client's settings:
// no outage that waiting or a local snapshot would help with.
type ConfigError struct {
	Endpoint string
	Err      error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("etcd endpoint %s: %v", e.Endpoint, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// splitEndpoint returns an endpoint's host:port and scheme ("" without one).
func splitEndpoint(ep string) (hostport, scheme string) {
	if !strings.Contains(ep, "://") {
		return ep, ""
	}
	u, err := url.Parse(ep)
	if err != nil {
		return ep, ""
	}
	return u.Host, u.Scheme
}

// handshake runs a TLS handshake with hostport as the client would, and reads
// briefly after it: under TLS 1.3 a server that rejects the client certificate
// says so only after the client has finished its side.
func handshake(hostport string, base *tls.Config) error {
	conn, err := net.DialTimeout("tcp", hostport, probeTimeout)
	if err != nil {
		return nil // down, not misconfigured
	}
	defer conn.Close()
	tc := base.Clone()
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		tc.ServerName = host
	}
	tc.NextProtos = []string{"h2"}
	c := tls.Client(conn, tc)
	c.SetDeadline(time.Now().Add(probeTimeout))
	if err := c.Handshake(); err != nil {
		if isTimeout(err) {
			return nil
		}
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.SetReadDeadline(time.Now().Add(probeTimeout / 4))
	var b [1]byte
	if _, err := c.Read(b[:]); err != nil && !isTimeout(err) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("TLS: %w", err)
	}
	return nil
}

// speaksTLS reports an endpoint dialled in plain text that completes a TLS
// handshake: it wants the store block's tls settings (and https://).
func speaksTLS(hostport string) error {
	conn, err := net.DialTimeout("tcp", hostport, probeTimeout)
	if err != nil {
		return nil
	}
	defer conn.Close()
	// Only to learn whether the endpoint talks TLS at all: nothing is sent past
	// the handshake.
	c := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}}) //nolint:gosec
	c.SetDeadline(time.Now().Add(probeTimeout))
	if c.Handshake() != nil {
		return nil
	}
	return errors.New("speaks TLS: use https:// and give the store block `tls [CERT KEY] [CA]`")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

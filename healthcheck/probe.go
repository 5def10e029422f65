package healthcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
)

// prober runs one probe. It must return by the time ctx is done; the runner measures
// latency and stamps the time.
type prober interface {
	probe(ctx context.Context) Result
}

// newProber builds the prober for a normalized, validated Spec. It loads TLS files,
// so its errors carry the field that named them.
// Every probe dials from source when it is valid.
func newProber(s *Spec, source netip.Addr) (prober, error) {
	switch s.Type {
	case TypeHTTP, TypeHTTPS:
		p, err := newHTTPProber(s)
		if err == nil {
			p.dialer.LocalAddr = localAddr(source)
		}
		return p, err
	case TypeTCP:
		return &tcpProber{target: s.Target, dialer: net.Dialer{Timeout: s.ConnectTimeout, KeepAlive: -1, LocalAddr: localAddr(source)}}, nil
	case TypeDNS:
		return newDNSProber(s, source), nil
	case TypeGRPC:
		return newGRPCProber(s, source)
	}
	return nil, fmt.Errorf("no prober for type %q", s.Type)
}

// localAddr is the dialer's LocalAddr for source: nil (the system's choice)
// when source is the zero Addr.
func localAddr(source netip.Addr) net.Addr {
	if !source.IsValid() {
		return nil
	}
	return &net.TCPAddr{IP: source.AsSlice(), Zone: source.Zone()}
}

// tlsConfig builds the client TLS configuration of s; serverName is used when s has
// no SNI.
func tlsConfig(s *Spec, serverName string) (*tls.Config, error) {
	c := &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: s.TLSSkipVerify, // #nosec G402 -- explicit opt-out by the operator.
		MinVersion:         tls.VersionTLS12,
	}
	if s.SNI != "" {
		c.ServerName = s.SNI
	}
	if s.CA != "" {
		pem, err := os.ReadFile(s.CA)
		if err != nil {
			return nil, s.fieldErr("ca", "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, s.fieldErr("ca", "no PEM certificates in %s", s.CA)
		}
		c.RootCAs = pool
	}
	if s.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(s.ClientCert, s.ClientKey)
		if err != nil {
			return nil, s.fieldErr("client_cert", "%v", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// tcpProber connects and closes.
type tcpProber struct {
	target string
	dialer net.Dialer
}

func (p *tcpProber) probe(ctx context.Context) Result {
	conn, err := p.dialer.DialContext(ctx, "tcp", p.target)
	if err != nil {
		return failure(ctx, err)
	}
	conn.Close()
	return Result{OK: true, Kind: KindOK}
}

// failure turns an error into a failed Result with a kind and a short reason.
func failure(ctx context.Context, err error) Result {
	return Result{Kind: classify(ctx, err), Detail: shorten(err.Error())}
}

// classify maps an error to a Kind.
func classify(ctx context.Context, err error) Kind {
	var (
		netErr  net.Error
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		host    x509.HostnameError
		verify  *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.As(err, &recErr), errors.As(err, &alert), errors.As(err, &unknown),
		errors.As(err, &invalid), errors.As(err, &host), errors.As(err, &verify):
		return KindTLS
	case errors.Is(err, context.DeadlineExceeded), ctx.Err() != nil,
		errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	case strings.Contains(err.Error(), "connection refused"):
		return KindRefused
	case strings.Contains(err.Error(), "tls:"), strings.Contains(err.Error(), "x509:"):
		return KindTLS
	}
	return KindError
}

// shorten keeps reasons readable in the status API and logs.
func shorten(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

var (
	_ prober = (*tcpProber)(nil)
	_ prober = (*httpProber)(nil)
	_ prober = (*dnsProber)(nil)
	_ prober = (*grpcProber)(nil)
)

package healthcheck

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// maxHeaderBytes bounds what a probe reads before the body: an endpoint that sends
// headers forever costs this much and no more.
const maxHeaderBytes = 64 << 10

// httpProber speaks just enough HTTP/1.1 for a health check, on a fresh connection
// per probe ("Connection: close", as Route 53's checkers test connecting too): one
// prebuilt request, the status line and headers bounded by maxHeaderBytes, and the
// body read only when there is something to match, at most MatchLimit bytes.
// Redirects are not followed. No http.Transport: no pool, no per-connection
// goroutines, no per-check state beyond the request bytes.
type httpProber struct {
	s       *Spec
	dialTo  string // host:port to connect to
	request []byte
	tls     *tls.Config
	dialer  net.Dialer
	match   []byte
}

var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

func newHTTPProber(s *Spec) (*httpProber, error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return nil, s.fieldErr("url", "%v", err)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	host := u.Hostname()
	if s.Address != "" {
		host = s.Address
	}
	p := &httpProber{s: s, dialTo: net.JoinHostPort(host, port), dialer: net.Dialer{Timeout: s.ConnectTimeout, KeepAlive: -1}}
	hostHeader := u.Host
	if s.Host != "" {
		hostHeader = s.Host
	}
	if s.Type == TypeHTTPS {
		sn := u.Hostname()
		if s.Host != "" {
			sn, _, _ = cutPort(s.Host)
		}
		if p.tls, err = tlsConfig(s, sn); err != nil {
			return nil, err
		}
	}
	p.request = buildRequest(s.Method, u.RequestURI(), hostHeader, s.Headers)
	if s.Match != "" {
		p.match = []byte(s.Match)
	}
	return p, nil
}

func buildRequest(method, uri, host string, headers []Header) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, uri, host)
	has := func(name string) bool {
		for _, h := range headers {
			if strings.EqualFold(h.Name, name) {
				return true
			}
		}
		return false
	}
	if !has("User-Agent") {
		b.WriteString("User-Agent: coretraffic-healthcheck\r\n")
	}
	if method == http.MethodPost && !has("Content-Length") {
		b.WriteString("Content-Length: 0\r\n")
	}
	for _, h := range headers {
		if strings.EqualFold(h.Name, "Host") || strings.EqualFold(h.Name, "Connection") {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("Connection: close\r\n\r\n")
	return b.Bytes()
}

func cutPort(hostport string) (string, string, bool) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, "", false
	}
	return h, p, true
}

func (p *httpProber) probe(ctx context.Context) Result {
	conn, err := p.connect(ctx)
	if err != nil {
		return failure(ctx, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	if _, err := conn.Write(p.request); err != nil {
		return failure(ctx, err)
	}
	lr := &io.LimitedReader{R: conn, N: maxHeaderBytes}
	br := readers.Get().(*bufio.Reader)
	br.Reset(lr)
	defer func() { br.Reset(nil); readers.Put(br) }()
	resp, err := http.ReadResponse(br, &http.Request{Method: p.s.Method})
	if err != nil {
		if lr.N == 0 {
			return Result{Kind: KindError, Detail: "response headers too long"}
		}
		return failure(ctx, err)
	}
	if !p.expected(resp.StatusCode) {
		return Result{Kind: KindStatus, Code: resp.StatusCode, Detail: fmt.Sprintf("status %d", resp.StatusCode)}
	}
	if p.match == nil {
		return Result{OK: true, Kind: KindOK, Code: resp.StatusCode}
	}
	lr.N = int64(p.s.MatchLimit) + int64(br.Buffered()) + 8<<10 // chunk framing
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(p.s.MatchLimit)))
	if bytes.Contains(body, p.match) {
		return Result{OK: true, Kind: KindOK, Code: resp.StatusCode}
	}
	if err != nil && err != io.ErrUnexpectedEOF {
		return failure(ctx, err)
	}
	return Result{Kind: KindBody, Code: resp.StatusCode,
		Detail: fmt.Sprintf("%q not in the first %d bytes", p.s.Match, p.s.MatchLimit)}
}

// connect dials (and for https, handshakes) within ConnectTimeout.
func (p *httpProber) connect(ctx context.Context) (net.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, p.s.ConnectTimeout)
	defer cancel()
	conn, err := p.dialer.DialContext(cctx, "tcp", p.dialTo)
	if err != nil || p.tls == nil {
		return conn, err
	}
	tc := tls.Client(conn, p.tls)
	if err := tc.HandshakeContext(cctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

func (p *httpProber) expected(code int) bool {
	for _, r := range p.s.Expect {
		if code >= r.Lo && code <= r.Hi {
			return true
		}
	}
	return false
}

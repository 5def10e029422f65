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
	"time"
)

// maxHeaderBytes bounds what a probe reads before the body: an endpoint that sends
// headers forever costs this much and no more.
const maxHeaderBytes = 64 << 10

// httpProber speaks just enough HTTP/1.1 for a health check, by default on a fresh
// connection per probe ("Connection: close", as Route 53's checkers test connecting
// too; keepalive reuses one): one prebuilt request, the status line and headers
// bounded by maxHeaderBytes, and the body read only when there is something to
// match (at most MatchLimit bytes) or a connection to keep.
// Redirects are not followed. No http.Transport: no pool, no per-connection
// goroutines, no per-check state beyond the request bytes.
type httpProber struct {
	s       *Spec
	dialTo  string // host:port to connect to
	request []byte
	tls     *tls.Config
	dialer  net.Dialer
	match   []byte

	mu   sync.Mutex
	idle net.Conn // keepalive: the connection of the last probe
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
	p.request = buildRequest(s.Method, u.RequestURI(), hostHeader, s.Headers, s.KeepAlive)
	if s.Match != "" {
		p.match = []byte(s.Match)
	}
	return p, nil
}

func buildRequest(method, uri, host string, headers []Header, keepalive bool) []byte {
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
	if !keepalive {
		b.WriteString("Connection: close\r\n")
	}
	b.WriteString("\r\n")
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
	if c := p.takeIdle(); c != nil {
		res, keep, stale := p.exchange(ctx, c)
		if !stale || ctx.Err() != nil {
			p.release(ctx, c, keep)
			return res
		}
		c.Close() // the server closed the idle connection: retry on a fresh one
	}
	c, err := p.connect(ctx)
	if err != nil {
		return failure(ctx, err)
	}
	res, keep, _ := p.exchange(ctx, c)
	p.release(ctx, c, keep)
	return res
}

// takeIdle returns the connection kept from the last probe (keepalive only).
func (p *httpProber) takeIdle() net.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.idle
	p.idle = nil
	return c
}

// release keeps c for the next probe when keepalive is on, the response was read
// completely and the check is not stopping; otherwise it closes c.
func (p *httpProber) release(ctx context.Context, c net.Conn, keep bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !keep || !p.s.KeepAlive || ctx.Err() != nil {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	p.idle = c
}

// closeIdle closes the kept connection; the runner calls it when the check stops,
// after cancelling the probes' context.
func (p *httpProber) closeIdle() {
	if c := p.takeIdle(); c != nil {
		c.Close()
	}
}

// exchange sends the request on c and reads the answer. keep says c may carry
// another request; stale says c failed before any byte of a response came back.
func (p *httpProber) exchange(ctx context.Context, c net.Conn) (res Result, keep, stale bool) {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if d, ok := ctx.Deadline(); ok {
		c.SetDeadline(d)
	}
	if _, err := c.Write(p.request); err != nil {
		return failure(ctx, err), false, true
	}
	lr := &io.LimitedReader{R: c, N: maxHeaderBytes}
	br := readers.Get().(*bufio.Reader)
	br.Reset(lr)
	defer func() { br.Reset(nil); readers.Put(br) }()
	h, err := p.readHead(br)
	if err != nil {
		if lr.N == 0 {
			return Result{Kind: KindError, Detail: "response headers too long"}, false, false
		}
		return failure(ctx, err), false, lr.N == maxHeaderBytes
	}
	res = Result{OK: true, Kind: KindOK, Code: h.code}
	if !p.expected(h.code) {
		res = Result{Kind: KindStatus, Code: h.code, Detail: fmt.Sprintf("status %d", h.code)}
	}
	if h.body == nil {
		return res, false, false
	}
	lr.N = int64(p.s.MatchLimit) + int64(br.Buffered()) + drainLimit + 8<<10 // + chunk framing
	if res.OK && p.match != nil {
		found, err := contains(h.body, p.match, p.s.MatchLimit)
		switch {
		case found:
		case err != nil && err != io.EOF && err != io.ErrUnexpectedEOF:
			return failure(ctx, err), false, false
		default:
			res = Result{Kind: KindBody, Code: h.code,
				Detail: fmt.Sprintf("%q not in the first %d bytes", p.s.Match, p.s.MatchLimit)}
		}
	}
	if !p.s.KeepAlive || !h.reusable {
		return res, false, false
	}
	n, err := io.Copy(io.Discard, io.LimitReader(h.body, drainLimit+1))
	if err != nil || n > drainLimit {
		return res, false, false
	}
	if h.chunked && skipTrailer(br) != nil {
		return res, false, false
	}
	return res, br.Buffered() == 0, false
}

// connect dials (and for https, handshakes) within ConnectTimeout: the dialer
// bounds the connect, a deadline the handshake.
func (p *httpProber) connect(ctx context.Context) (net.Conn, error) {
	conn, err := p.dialer.DialContext(ctx, "tcp", p.dialTo)
	if err != nil || p.tls == nil {
		return conn, err
	}
	deadline := time.Now().Add(p.s.ConnectTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	tc := tls.Client(conn, p.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
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

package healthcheck

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
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
	code, body, err := p.readHead(br)
	if err != nil {
		if lr.N == 0 {
			return Result{Kind: KindError, Detail: "response headers too long"}
		}
		return failure(ctx, err)
	}
	if !p.expected(code) {
		return Result{Kind: KindStatus, Code: code, Detail: fmt.Sprintf("status %d", code)}
	}
	if p.match == nil {
		return Result{OK: true, Kind: KindOK, Code: code}
	}
	lr.N = int64(p.s.MatchLimit) + int64(br.Buffered()) + 8<<10 // + chunk framing
	found, err := contains(body, p.match, p.s.MatchLimit)
	if found {
		return Result{OK: true, Kind: KindOK, Code: code}
	}
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return failure(ctx, err)
	}
	return Result{Kind: KindBody, Code: code,
		Detail: fmt.Sprintf("%q not in the first %d bytes", p.s.Match, p.s.MatchLimit)}
}

var errMalformed = errors.New("malformed HTTP response")

// readHead reads the status line and, when the body matters, the headers; it
// returns the status code and a reader of the decoded body. Nothing is allocated
// for the headers: a check only needs the framing.
func (p *httpProber) readHead(br *bufio.Reader) (int, io.Reader, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, nil, errMalformed
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 {
		return 0, nil, errMalformed
	}
	if p.match == nil {
		return code, nil, nil
	}
	chunked, length := false, int64(-1)
	for {
		line, err = br.ReadSlice('\n')
		for err == bufio.ErrBufferFull { // a header longer than the buffer: skip it
			_, err = br.ReadSlice('\n')
			line = nil
		}
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Content-Length")):
			if n, err := strconv.ParseInt(string(value), 10, 64); err == nil && n >= 0 {
				length = n
			}
		}
	}
	switch {
	case p.s.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified:
		return code, bytes.NewReader(nil), nil
	case chunked:
		return code, httputil.NewChunkedReader(br), nil
	case length >= 0:
		return code, io.LimitReader(br, length), nil
	}
	return code, br, nil
}

var matchBufs = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// contains reports whether match occurs in the first limit bytes of r, reading
// through a pooled buffer and keeping len(match)-1 bytes between reads.
func contains(r io.Reader, match []byte, limit int) (bool, error) {
	bp := matchBufs.Get().(*[]byte)
	defer matchBufs.Put(bp)
	buf := *bp
	keep := len(match) - 1
	if keep >= len(buf)/2 {
		b, err := io.ReadAll(io.LimitReader(r, int64(limit)))
		return bytes.Contains(b, match), err
	}
	carry, read := 0, 0
	for read < limit {
		n, err := r.Read(buf[carry:min(len(buf), carry+limit-read)])
		read += n
		if bytes.Contains(buf[:carry+n], match) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if carry+n > keep {
			copy(buf, buf[carry+n-keep:carry+n])
			carry = keep
		} else {
			carry += n
		}
	}
	return false, nil
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

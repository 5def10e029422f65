package healthcheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
)

// httpProber sends one request per probe on a fresh connection (no keep-alive, as
// Route 53: a probe tests connecting too), never follows redirects, and reads at most
// MatchLimit bytes of the body, only when there is something to match.
type httpProber struct {
	s      *Spec
	client *http.Client
	match  []byte
}

func newHTTPProber(s *Spec) (*httpProber, error) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return nil, s.fieldErr("url", "%v", err)
	}
	dialer := &net.Dialer{Timeout: s.ConnectTimeout}
	tr := &http.Transport{
		Proxy:                  nil,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		TLSHandshakeTimeout:    s.ConnectTimeout,
		ResponseHeaderTimeout:  s.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	if s.Address != "" {
		addr := s.Address
		tr.DialContext = func(ctx context.Context, network, hostport string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(hostport)
			if err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort(addr, port))
		}
	} else {
		tr.DialContext = dialer.DialContext
	}
	if s.Type == TypeHTTPS {
		sn := u.Hostname()
		if s.Host != "" {
			sn, _, _ = cutPort(s.Host)
		}
		if tr.TLSClientConfig, err = tlsConfig(s, sn); err != nil {
			return nil, err
		}
	}
	p := &httpProber{s: s, client: &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
	if s.Match != "" {
		p.match = []byte(s.Match)
	}
	return p, nil
}

func cutPort(hostport string) (string, string, bool) {
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, "", false
	}
	return h, p, true
}

func (p *httpProber) probe(ctx context.Context) Result {
	req, err := http.NewRequestWithContext(ctx, p.s.Method, p.s.URL, nil)
	if err != nil {
		return Result{Kind: KindError, Detail: shorten(err.Error())}
	}
	req.Header.Set("User-Agent", "coretraffic-healthcheck")
	for _, h := range p.s.Headers {
		req.Header.Set(h.Name, h.Value)
	}
	if p.s.Host != "" {
		req.Host = p.s.Host
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return failure(ctx, err)
	}
	defer resp.Body.Close()
	if !p.expected(resp.StatusCode) {
		return Result{Kind: KindStatus, Code: resp.StatusCode, Detail: fmt.Sprintf("status %d", resp.StatusCode)}
	}
	if p.match == nil {
		return Result{OK: true, Kind: KindOK, Code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(p.s.MatchLimit)))
	if bytes.Contains(body, p.match) {
		return Result{OK: true, Kind: KindOK, Code: resp.StatusCode}
	}
	if err != nil {
		return failure(ctx, err)
	}
	return Result{Kind: KindBody, Code: resp.StatusCode,
		Detail: fmt.Sprintf("%q not in the first %d bytes", p.s.Match, p.s.MatchLimit)}
}

func (p *httpProber) expected(code int) bool {
	for _, r := range p.s.Expect {
		if code >= r.Lo && code <= r.Hi {
			return true
		}
	}
	return false
}

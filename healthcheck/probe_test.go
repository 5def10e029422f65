package healthcheck

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// testHandler serves the endpoint behaviours the probers must survive.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "all is OK here") })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	mux.HandleFunc("/204", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/500", http.StatusFound) })
	mux.HandleFunc("/host", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Host+" "+r.Header.Get("X-Probe")) })
	mux.HandleFunc("/late-match", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 6000)+"OK")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		f := w.(http.Flusher)
		for r.Context().Err() == nil {
			if _, err := io.WriteString(w, strings.Repeat("z", 1024)); err != nil {
				return
			}
			f.Flush()
		}
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for _, part := range []string{strings.Repeat("a", 3000), "O", "K", strings.Repeat("b", 3000)} {
			io.WriteString(w, part)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	return mux
}

// probe builds a check from fields and probes it once.
func probe(t *testing.T, typ Type, positional string, fields ...string) Result {
	t.Helper()
	args := append([]string{"t", string(typ), positional}, fields...)
	s, err := Inline("test", 1, args)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProber(&s, netip.Addr{})
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{spec: &s, prober: p}
	return r.safeProbe(context.Background())
}

func TestHTTPProbe(t *testing.T) {
	srv := httptest.NewServer(testHandler())
	defer srv.Close()
	tests := []struct {
		path   string
		fields []string
		want   Kind
		code   int
	}{
		{"/ok", nil, KindOK, 200},
		{"/ok", []string{"match=OK"}, KindOK, 200},
		{"/ok", []string{"match=NOPE"}, KindBody, 200},
		{"/late-match", []string{"match=OK"}, KindBody, 200},
		{"/late-match", []string{"match=OK", "match_limit=7000"}, KindOK, 200},
		{"/500", nil, KindStatus, 500},
		{"/500", []string{"expect=500"}, KindOK, 500},
		{"/204", []string{"expect=200"}, KindStatus, 204},
		{"/redirect", nil, KindOK, 302},
		{"/redirect", []string{"expect=200-299"}, KindStatus, 302},
		{"/host", []string{"host=www.example.org", "header=X-Probe: yes", "match=www.example.org yes"}, KindOK, 200},
		{"/ok", []string{"method=HEAD"}, KindOK, 200},
		{"/stream", []string{"match=OK", "timeout=1s", "interval=2s"}, KindBody, 200},
		{"/stream", nil, KindOK, 200},
		{"/chunked", []string{"match=OK"}, KindOK, 200},
		{"/chunked", []string{"match=aO"}, KindOK, 200},
		{"/chunked", []string{"match=Kb"}, KindOK, 200},
		{"/chunked", []string{"match=OK", "match_limit=3001"}, KindBody, 200},
		{"/chunked", []string{"match=OK", "match_limit=3002"}, KindOK, 200},
		{"/ok", []string{"match=OK", "method=HEAD"}, KindBody, 200},
		{"/hang", []string{"timeout=300ms", "interval=1s"}, KindTimeout, 0},
	}
	for _, tc := range tests {
		t.Run(tc.path+strings.Join(tc.fields, ","), func(t *testing.T) {
			r := probe(t, TypeHTTP, srv.URL+tc.path, tc.fields...)
			if r.Kind != tc.want || r.Code != tc.code || r.OK != (tc.want == KindOK) {
				t.Errorf("got %+v, want %s %d", r, tc.want, tc.code)
			}
			if r.Latency > 1500*time.Millisecond {
				t.Errorf("probe took %s", r.Latency)
			}
		})
	}
}

func TestHTTPProbeAddress(t *testing.T) {
	srv := httptest.NewServer(testHandler())
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	r := probe(t, TypeHTTP, "http://www.example.org:"+port+"/host", "address=127.0.0.1", "match=www.example.org:"+port)
	if !r.OK {
		t.Errorf("got %+v", r)
	}
}

func TestHTTPSProbe(t *testing.T) {
	srv := httptest.NewUnstartedServer(testHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	tests := []struct {
		name   string
		url    string
		fields []string
		want   Kind
	}{
		{"self-signed rejected", srv.URL + "/ok", nil, KindTLS},
		{"explicit opt-out", srv.URL + "/ok", []string{"tls_skip_verify=true"}, KindOK},
		{"trusted CA", srv.URL + "/ok", []string{"ca=" + ca}, KindOK},
		{"trusted CA, SNI name in cert", "https://example.com:" + port + "/ok", []string{"ca=" + ca, "address=127.0.0.1"}, KindOK},
		{"trusted CA, wrong SNI", srv.URL + "/ok", []string{"ca=" + ca, "sni=wrong.example.net"}, KindTLS},
		{"status through TLS", srv.URL + "/500", []string{"ca=" + ca}, KindStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := probe(t, TypeHTTPS, tc.url, tc.fields...); r.Kind != tc.want {
				t.Errorf("got %+v, want %s", r, tc.want)
			}
		})
	}
}

// rawServer accepts TCP connections and hands each to fn.
func rawServer(t *testing.T, fn func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fn(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestHostileEndpoints(t *testing.T) {
	garbage := rawServer(t, func(c net.Conn) { io.WriteString(c, strings.Repeat("\x16garbage\r\n", 100)) })
	silent := rawServer(t, func(c net.Conn) { time.Sleep(3 * time.Second) })
	endlessHeaders := rawServer(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\n")
		for {
			if _, err := io.WriteString(c, "X-Forever: "+strings.Repeat("y", 1000)+"\r\n"); err != nil {
				return
			}
		}
	})
	tests := []struct {
		name string
		typ  Type
		url  string
		want Kind
	}{
		{"garbage TLS", TypeHTTPS, "https://" + garbage + "/", KindTLS},
		{"garbage HTTP", TypeHTTP, "http://" + garbage + "/", KindError},
		{"accepts, never answers (http)", TypeHTTP, "http://" + silent + "/", KindTimeout},
		{"endless headers, status only", TypeHTTP, "http://" + endlessHeaders + "/", KindOK},
		{"accepts, never answers (https)", TypeHTTPS, "https://" + silent + "/", KindTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := probe(t, tc.typ, tc.url, "timeout=400ms", "interval=1s")
			if r.Kind != tc.want {
				t.Errorf("got %+v, want %s", r, tc.want)
			}
			if r.Latency > 700*time.Millisecond {
				t.Errorf("took %s, more than the timeout", r.Latency)
			}
		})
	}
	if r := probe(t, TypeHTTP, "http://"+endlessHeaders+"/", "match=OK"); r.Kind != KindError || r.Detail != "response headers too long" {
		t.Errorf("endless headers, body matched: %+v", r)
	}
}

func TestTCPProbe(t *testing.T) {
	addr := rawServer(t, func(net.Conn) {})
	if r := probe(t, TypeTCP, addr); !r.OK {
		t.Errorf("listening: %+v", r)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	if r := probe(t, TypeTCP, closed); r.Kind != KindRefused {
		t.Errorf("closed: %+v", r)
	}
}

func TestContains(t *testing.T) {
	long := strings.Repeat("x", 20000) + "NEEDLE" + strings.Repeat("y", 100)
	tests := []struct {
		body  string
		match string
		limit int
		want  bool
	}{
		{long, "NEEDLE", 20006, true},
		{long, "NEEDLE", 20005, false},
		{long, "xNEEDLEy", 30000, true},
		{long, "nope", 30000, false},
		{"short", "short", 5, true},
		{strings.Repeat("z", 9000) + "END", strings.Repeat("z", 5000) + "END", 10000, true},
	}
	for i, tc := range tests {
		for _, r := range []io.Reader{strings.NewReader(tc.body), iotest.OneByteReader(strings.NewReader(tc.body)), iotest.HalfReader(strings.NewReader(tc.body))} {
			if got, _ := contains(r, []byte(tc.match), tc.limit); got != tc.want {
				t.Errorf("%d (%T): got %v, want %v", i, r, got, tc.want)
			}
		}
	}
}

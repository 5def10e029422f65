package test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"github.com/miekg/dns"
)

// Health check timing of the policy end-to-end data: a dead endpoint flips within
// interval × fall + timeout; answers follow within that plus the TTL.
const (
	checkInterval = 1 * time.Second
	checkFall     = 2
	checkTimeout  = 500 * time.Millisecond
	answerTTL     = 1 * time.Second
)

const policyData = `checks:
  fra-1: {type: http, url: "http://%[1]s/health", interval: 1s, timeout: 500ms, rise: 1, fall: 2}
  fra-2: {type: http, url: "http://%[2]s/health", interval: 1s, timeout: 500ms, rise: 1, fall: 2}
  iad-1: {type: http, url: "http://%[3]s/health", interval: 1s, timeout: 500ms, rise: 1, fall: 2}
zones:
  example.net:
    ttl: 1
    records:
      www:
        A:
          geolocation:
            - continent: EU
              failover:
                - weighted:
                    - {weight: 50, value: 192.0.2.10, check: fra-1}
                    - {weight: 50, value: 192.0.2.11, check: fra-2}
                - {value: 198.51.100.10, check: iad-1}
            - continent: NA
              value: 198.51.100.10
              check: iad-1
            - default: true
              value: %[4]s
        AAAA:
          failover:
            - {value: "2001:db8:1::10", check: fra-1}
            - {value: "2001:db8:2::10", check: iad-1}
      big:
        TXT:
          values:
            - '"%[5]s"'
            - '"%[6]s"'
            - '"%[7]s"'
`

const policyCorefile = `example.net:%d {
    bind 127.0.0.1
    metadata
    geo %s/geo/testdata/demo-city.mmdb %s/geo/testdata/demo-asn.mmdb
    policy {
        data policy.yaml
        reload 200ms
    }
    prometheus 127.0.0.1:%d
    log . "GEO {/geo/country/code} {/geo/city/name} {name} {rcode}"
    errors
}
`

// TestPolicyEndToEnd runs the real binary with geo, health checks against real HTTP
// servers and a policy tree; it asks from several countries with ECS (miekg and
// kdig), kills and restarts endpoints, and reloads the data under load.
func TestPolicyEndToEnd(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fra1, fra2, iad := startEndpoint(t), startEndpoint(t), startEndpoint(t)
	dir := t.TempDir()
	writePolicy := func(defaultValue string) {
		data := fmt.Sprintf(policyData, fra1.addr, fra2.addr, iad.addr, defaultValue,
			strings.Repeat("a", 200), strings.Repeat("b", 200), strings.Repeat("c", 200))
		if err := os.WriteFile(filepath.Join(dir, "policy.yaml.tmp"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "policy.yaml.tmp"), filepath.Join(dir, "policy.yaml")); err != nil {
			t.Fatal(err)
		}
	}
	writePolicy("203.0.113.10")
	port, metricsPort := e2e.FreePort(t), e2e.FreePort(t)
	s := e2e.Start(t, e2e.CoreTraffic(t), fmt.Sprintf(policyCorefile, port, root, root, metricsPort), dir, fmt.Sprintf("127.0.0.1:%d", port))

	eu := func() []string { return askA(t, s.Addr, "www.example.net.", "192.0.2.0/24") }
	waitFor(t, "EU answer from the Frankfurt pool", 10*time.Second, func() bool { return oneOf(eu(), "192.0.2.10", "192.0.2.11") })

	t.Run("geolocation with ECS", func(t *testing.T) {
		for _, tc := range []struct{ subnet, want string }{
			{"192.0.2.0/24", "192.0.2.1"}, // prefix of .10/.11 (weighted)
			{"198.51.100.0/24", "198.51.100.10"},
			{"203.0.113.0/24", "203.0.113.10"},
			{"2001:db8:3::/48", "203.0.113.10"},
		} {
			got := askA(t, s.Addr, "www.example.net.", tc.subnet)
			if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
				t.Errorf("from %s: got %v, want %s…", tc.subnet, got, tc.want)
			}
		}
		out := runTool(t, "kdig", "@127.0.0.1", "-p", fmt.Sprint(port), "www.example.net", "A", "+subnet=198.51.100.0/24")
		if !strings.Contains(out, "198.51.100.10") || !strings.Contains(out, "CLIENT-SUBNET: 198.51.100.0/24/24") {
			t.Errorf("kdig from US: want 198.51.100.10 with ECS scope /24:\n%s", out)
		}
		if !strings.Contains(s.Output(), "GEO JP Tokyo www.example.net. NOERROR") {
			t.Errorf("log lacks the geo metadata line for the Tokyo query:\n%s", s.Output())
		}
	})

	t.Run("truncation: UDP without EDNS gets TC, TCP the whole answer", func(t *testing.T) {
		m := new(dns.Msg).SetQuestion("big.example.net.", dns.TypeTXT)
		r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(m, s.Addr)
		if err != nil || !r.Truncated || !r.Authoritative {
			t.Fatalf("UDP: err %v, reply %v; want TC and AA", err, r)
		}
		r, _, err = (&dns.Client{Net: "tcp", Timeout: 2 * time.Second}).Exchange(m, s.Addr)
		if err != nil || r.Truncated || len(r.Answer) != 3 {
			t.Fatalf("TCP: err %v, reply %v; want all 3 TXT records", err, r)
		}
	})

	t.Run("failover when both Frankfurt servers die, back on recovery", func(t *testing.T) {
		fra1.stop()
		fra2.stop()
		killed := time.Now()
		bound := checkInterval*checkFall + checkTimeout + answerTTL
		waitFor(t, "EU moved to Ashburn", bound+2*time.Second, func() bool { return oneOf(eu(), "198.51.100.10") })
		moved := time.Since(killed)
		t.Logf("answers moved %v after the kill (bound interval×fall+timeout+TTL = %v)", moved, bound)
		if moved > bound+time.Second {
			t.Errorf("moved after %v, bound %v", moved, bound)
		}
		fra1.start(t)
		fra2.start(t)
		waitFor(t, "EU back on Frankfurt", 5*time.Second, func() bool { return oneOf(eu(), "192.0.2.10", "192.0.2.11") })
	})

	t.Run("reload under load: good then broken file, zero failed queries", func(t *testing.T) {
		load := startLoad(t, s.Addr)
		writePolicy("203.0.113.99")
		waitFor(t, "reloaded default answer", 5*time.Second, func() bool {
			return oneOf(askA(t, s.Addr, "www.example.net.", "203.0.113.0/24"), "203.0.113.99")
		})
		if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte("zones:\n  example.net:\n    records:\n      www:\n        A: {weight: 5}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "rejection logged", 5*time.Second, func() bool { return strings.Contains(s.Output(), "policy data rejected") })
		time.Sleep(500 * time.Millisecond)
		if got := askA(t, s.Addr, "www.example.net.", "203.0.113.0/24"); !oneOf(got, "203.0.113.99") {
			t.Errorf("after a broken file: %v, want the previous data (203.0.113.99)", got)
		}
		sent, failed := load.stop()
		t.Logf("%d queries during the reloads, %d failed", sent, failed)
		if sent < 100 || failed != 0 {
			t.Errorf("%d of %d queries failed during reloads", failed, sent)
		}
		if n := strings.Count(s.Output(), "policy data rejected"); n != 1 {
			t.Errorf("broken file logged %d times, want once", n)
		}
		metrics := httpGetURL(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
		if !strings.Contains(metrics, fmt.Sprintf(`coredns_policy_reloads_total{result="rejected",server="dns://127.0.0.1:%d"} 1`, port)) {
			t.Errorf("metrics lack one rejected reload:\n%s", grepLines(metrics, "coredns_policy"))
		}
	})

	t.Run("Corefile reload (SIGUSR1) under load", func(t *testing.T) {
		writePolicy("203.0.113.77")
		waitFor(t, "data reloaded", 5*time.Second, func() bool {
			return oneOf(askA(t, s.Addr, "www.example.net.", "203.0.113.0/24"), "203.0.113.77")
		})
		load := startLoad(t, s.Addr)
		corefile := filepath.Join(dir, "Corefile")
		b, err := os.ReadFile(corefile)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(corefile, []byte(strings.Replace(string(b), "GEO ", "GEO2 ", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the new Corefile serving", 10*time.Second, func() bool {
			askA(t, s.Addr, "www.example.net.", "203.0.113.0/24")
			return strings.Contains(s.Output(), "GEO2 JP Tokyo")
		})
		time.Sleep(300 * time.Millisecond)
		sent, failed := load.stop()
		t.Logf("%d queries during the Corefile reload, %d failed", sent, failed)
		if failed != 0 {
			t.Errorf("%d of %d queries failed during the Corefile reload", failed, sent)
		}
		if got := askA(t, s.Addr, "www.example.net.", "192.0.2.0/24"); !oneOf(got, "192.0.2.10", "192.0.2.11") {
			t.Errorf("after the Corefile reload the EU answer is %v: health state lost?", got)
		}
	})
}

// askA asks for name's A records with an ECS option for subnet; it returns the
// addresses, or fails the test on a transport error or a non-NOERROR answer.
func askA(t *testing.T, addr, name, subnet string) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	m.SetEdns0(1232, false)
	ip, ipnet, err := net.ParseCIDR(subnet)
	if err != nil {
		t.Fatal(err)
	}
	bits, _ := ipnet.Mask.Size()
	ecs := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(bits), Address: ip}
	if ip.To4() == nil {
		ecs.Family = 2
	}
	m.IsEdns0().Option = append(m.IsEdns0().Option, ecs)
	r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(m, addr)
	if err != nil {
		t.Fatalf("query %s from %s: %v", name, subnet, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		t.Fatalf("query %s from %s: %s", name, subnet, dns.RcodeToString[r.Rcode])
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out
}

// oneOf: got is non-empty and every value is one of want.
func oneOf(got []string, want ...string) bool {
	if len(got) == 0 {
		return false
	}
	for _, g := range got {
		ok := false
		for _, w := range want {
			ok = ok || g == w
		}
		if !ok {
			return false
		}
	}
	return true
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// endpoint is an HTTP health target that can be killed and restarted on its port.
type endpoint struct {
	addr string
	mu   sync.Mutex
	srv  *http.Server
}

func startEndpoint(t *testing.T) *endpoint {
	e := &endpoint{addr: fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))}
	e.start(t)
	t.Cleanup(e.stop)
	return e
}

func (e *endpoint) start(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })}
	go srv.Serve(l)
	e.mu.Lock()
	e.srv = srv
	e.mu.Unlock()
}

func (e *endpoint) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
}

// load sends queries back to back until stopped, counting failures (timeouts,
// errors, rcodes other than NOERROR, empty answers).
type load struct {
	cancel       context.CancelFunc
	done         chan struct{}
	sent, failed atomic.Int64
}

func startLoad(t *testing.T, addr string) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		c := &dns.Client{Timeout: 2 * time.Second}
		m := new(dns.Msg).SetQuestion("www.example.net.", dns.TypeA)
		for ctx.Err() == nil {
			r, _, err := c.Exchange(m, addr)
			l.sent.Add(1)
			if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
				l.failed.Add(1)
			}
		}
	}()
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *load) stop() (sent, failed int64) {
	l.cancel()
	<-l.done
	return l.sent.Load(), l.failed.Load()
}

func httpGetURL(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestPolicyRefusesPerClientHazards: cache (its key has no client subnet) or
// loadbalance in a block whose policy answers depend on the client is a start-up
// error, as is a geolocation rule without geo to locate the client.
func TestPolicyRefusesPerClientHazards(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := "zones:\n  example.net:\n    records:\n      www:\n        A:\n          geolocation:\n            - {country: DE, value: 192.0.2.1}\n            - {default: true, value: 192.0.2.2}\n"
	if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	geoLine := fmt.Sprintf("geo %s/geo/testdata/demo-city.mmdb", root)
	for _, tc := range []struct{ name, extra, want string }{
		{"cache", geoLine + "\n    cache 30", "cache in the server block"},
		{"loadbalance", geoLine + "\n    loadbalance", "loadbalance in the server block"},
		{"no geo", "", "location-based rules (geolocation, geoproximity, latency) need the geo directive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			corefile := fmt.Sprintf("example.net:%d {\n    bind 127.0.0.1\n    %s\n    policy {\n        data %s/policy.yaml\n    }\n}\n", e2e.FreePort(t), tc.extra, dir)
			out := exitOutput(t, e2e.CoreTraffic(t), corefile)
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

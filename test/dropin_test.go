package test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"github.com/miekg/dns"
)

// TestDropIn is the proof that coretraffic replaces stock CoreDNS without changing
// anything: stock CoreDNS v1.15.0 (built from this module's graph) and our binary run
// side by side on the same everyday Corefile, get the same queries, and must give the
// same answers, rcodes, logs, metrics, /health and /ready.
func TestDropIn(t *testing.T) {
	upstream := startUpstream(t)
	stock := startDropIn(t, e2e.Stock(t), upstream)
	ours := startDropIn(t, e2e.CoreTraffic(t), upstream)

	for i, q := range dropInCorpus {
		t.Run(q.name, func(t *testing.T) {
			id := uint16(1000 + i)
			want, werr := q.send(stock.Addr, id)
			got, gerr := q.send(ours.Addr, id)
			if (werr != nil) != (gerr != nil) {
				t.Fatalf("stock error %v, ours %v", werr, gerr)
			}
			if werr != nil {
				return // both failed the same way (a malformed packet may get no reply)
			}
			if want != got {
				t.Errorf("answers differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", want, got)
			}
			if q.expect != "" && !strings.Contains(got, q.expect) {
				t.Errorf("answer does not contain %q:\n%s", q.expect, got)
			}
		})
	}

	t.Run("health and ready", func(t *testing.T) {
		for _, port := range []string{"HEALTH", "READY"} {
			want := httpGet(t, stock, port, "/"+strings.ToLower(port))
			got := httpGet(t, ours, port, "/"+strings.ToLower(port))
			if want != got || !strings.HasPrefix(got, "200 ") {
				t.Errorf("%s: stock %q, ours %q", port, want, got)
			}
		}
	})
	t.Run("metrics", func(t *testing.T) {
		want := httpGet(t, stock, "METRICS", "/metrics")
		got := httpGet(t, ours, "METRICS", "/metrics")
		compareMetrics(t, want, got)
	})
	t.Run("log", func(t *testing.T) {
		// log writes after the reply is sent: give the last lines a moment to land.
		var want, got []string
		for range 20 {
			want, got = queryLog(stock.Output()), queryLog(ours.Output())
			if len(want) == len(got) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(want) < len(dropInCorpus)/2 {
			t.Fatalf("stock logged only %d queries:\n%s", len(want), stock.Output())
		}
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("query logs differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	})
}

// dropInServer is a running server with the ports its Corefile was given.
type dropInServer struct {
	*e2e.Server
	ports map[string]int
}

func startDropIn(t *testing.T, bin string, upstream string) dropInServer {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"db.example.org", "hosts"} {
		copyFile(t, filepath.Join("testdata", "dropin", f), filepath.Join(dir, f))
	}
	ports := map[string]int{}
	corefile := readFile(t, filepath.Join("testdata", "dropin", "Corefile"))
	for _, name := range []string{"PORT", "METRICS", "HEALTH", "READY"} {
		ports[name] = e2e.FreePort(t)
		corefile = strings.ReplaceAll(corefile, "@"+name+"@", fmt.Sprint(ports[name]))
	}
	_, up, _ := net.SplitHostPort(upstream)
	corefile = strings.ReplaceAll(corefile, "@UPSTREAM@", up)
	s := e2e.Start(t, bin, corefile, dir, fmt.Sprintf("127.0.0.1:%d", ports["PORT"]))
	return dropInServer{Server: s, ports: ports}
}

// startUpstream runs the resolver `forward` sends to: *.example.com answers A
// 198.51.100.1, nx.example.com is NXDOMAIN.
func startUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		q := r.Question[0]
		switch {
		case q.Name == "nx.example.com.":
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			rr, _ := dns.NewRR(q.Name + " 300 IN A 198.51.100.1")
			m.Answer = append(m.Answer, rr)
		}
		if opt := r.IsEdns0(); opt != nil {
			m.SetEdns0(opt.UDPSize(), opt.Do())
		}
		w.WriteMsg(m)
	})
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return pc.LocalAddr().String()
}

func httpGet(t *testing.T, s dropInServer, port, path string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	var last error
	for range 50 { // ready turns OK once every plugin reports ready
		resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", s.ports[port], path))
		if err != nil {
			last = err
			time.Sleep(100 * time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			last = fmt.Errorf("status %d", resp.StatusCode)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		return fmt.Sprintf("%d %s", resp.StatusCode, body)
	}
	t.Fatalf("GET %s on %s: %v", path, port, last)
	return ""
}

// compareMetrics checks that every metric family stock exports exists in ours, and
// that the deterministic counters (requests, responses, cache, forward) are equal:
// both servers saw the same queries.
func compareMetrics(t *testing.T, stock, ours string) {
	t.Helper()
	ourFamilies := map[string]bool{}
	for _, line := range strings.Split(ours, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			ourFamilies[strings.Fields(name)[0]] = true
		}
	}
	for _, line := range strings.Split(stock, "\n") {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok && !ourFamilies[strings.Fields(name)[0]] {
			t.Errorf("metric family %s missing from coretraffic", strings.Fields(name)[0])
		}
	}
	want, got := countersOf(stock), countersOf(ours)
	if len(want) == 0 {
		t.Fatalf("no request counters in stock metrics:\n%s", stock)
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("counters differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

var deterministicCounters = regexp.MustCompile(`^coredns_(dns_requests_total|dns_responses_total|cache_(requests_total|hits_total|misses_total|entries)|forward_requests_total|forward_responses_total|dns_request_size_bytes_count|dns_response_size_bytes_count)\{`)

// serverLabel differs between the two servers only by their port.
var serverLabel = regexp.MustCompile(`server="dns://127\.0\.0\.1:\d+"`)

func countersOf(metrics string) []string {
	var out []string
	for _, line := range strings.Split(metrics, "\n") {
		if deterministicCounters.MatchString(line) {
			out = append(out, serverLabel.ReplaceAllString(line, `server="dns://127.0.0.1:PORT"`))
		}
	}
	sort.Strings(out)
	return out
}

// queryLog returns the log plugin's lines with the parts that differ between two runs
// (client port, duration) removed, sorted.
var logLine = regexp.MustCompile(`\[INFO\] 127\.0\.0\.1:\d+ - (\d+ ".*") (\S+ \S+ \d+) [0-9.]+s`)

func queryLog(output string) []string {
	var out []string
	for _, m := range logLine.FindAllStringSubmatch(output, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	sort.Strings(out)
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, []byte(readFile(t, from)), 0o644); err != nil {
		t.Fatal(err)
	}
}

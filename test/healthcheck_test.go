package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// Health check timing of this test: a dead endpoint must be down within
// interval × fall + timeout.
const (
	hcInterval = time.Second
	hcFall     = 2
	hcTimeout  = 500 * time.Millisecond
	hcBound    = hcInterval*hcFall + hcTimeout
)

const hcCorefile = `.:%[1]d {
    bind 127.0.0.1
    healthcheck {
        check web http http://%[2]s/health interval=1s timeout=500ms rise=1 fall=2 match=OK
        %[6]s
        status 127.0.0.1:%[3]d
        token s3cret
    }
    prometheus 127.0.0.1:%[4]d
    ready 127.0.0.1:%[5]d
    whoami
}
`

// hcEndpoint serves /health on addr ("127.0.0.1:0" picks a port) until stopped.
func hcEndpoint(t *testing.T, addr string) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "OK")
	})}
	go srv.Serve(ln)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			srv.Close()
		}
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}

type hcView struct {
	Name   string    `json:"name"`
	Up     bool      `json:"up"`
	Probed bool      `json:"probed"`
	Since  time.Time `json:"since"`
	Last   []struct {
		Result string `json:"result"`
	} `json:"last_results"`
}

func hcStatus(t *testing.T, statusAddr, name string) (hcView, bool) {
	t.Helper()
	resp, err := http.Get("http://" + statusAddr + "/checks/" + name)
	if err != nil {
		return hcView{}, false
	}
	defer resp.Body.Close()
	var v hcView
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&v) != nil {
		return hcView{}, false
	}
	return v, true
}

func hcFetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func hcWait(t *testing.T, what string, d time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timeout after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestHealthCheckEndToEnd runs the real binary with a Corefile that checks a local
// HTTP server, kills the server and reads the status API and the metrics until the
// check is down, brings it back, reloads (good and bad Corefiles) and drains it.
func TestHealthCheckEndToEnd(t *testing.T) {
	web, kill := hcEndpoint(t, "127.0.0.1:0")
	port, statusPort, metricsPort, readyPort := e2e.FreePort(t), e2e.FreePort(t), e2e.FreePort(t), e2e.FreePort(t)
	status := fmt.Sprintf("127.0.0.1:%d", statusPort)
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	corefile := func(extra string) string {
		return fmt.Sprintf(hcCorefile, port, web, statusPort, metricsPort, readyPort, extra)
	}
	dir := t.TempDir()
	s := e2e.Start(t, e2e.CoreTraffic(t), corefile(""), dir, fmt.Sprintf("127.0.0.1:%d", port))

	hcWait(t, "web probed and up", 10*time.Second, func() bool { v, ok := hcStatus(t, status, "web"); return ok && v.Probed && v.Up })
	hcWait(t, "ready", 5*time.Second, func() bool {
		return hcFetch(t, fmt.Sprintf("http://127.0.0.1:%d/ready", readyPort)) == "OK"
	})
	hcWait(t, "healthy metric", 5*time.Second, func() bool {
		return strings.Contains(hcFetch(t, metricsURL), `coredns_healthcheck_healthy{check="web"} 1`)
	})

	// Kill the endpoint; the check goes down within interval × fall + timeout.
	kill()
	took := hcWait(t, "web down", 10*time.Second, func() bool { v, ok := hcStatus(t, status, "web"); return ok && !v.Up })
	t.Logf("endpoint death → check down in %s (bound %s)", took.Round(time.Millisecond), hcBound)
	if took > hcBound+500*time.Millisecond { // + status polling and a loaded machine
		t.Errorf("down after %s, bound %s", took, hcBound)
	}
	if v, _ := hcStatus(t, status, "web"); len(v.Last) == 0 || v.Last[0].Result != "refused" {
		t.Errorf("last result %+v, want refused", v.Last)
	}
	hcWait(t, "metrics of the transition", 5*time.Second, func() bool {
		m := hcFetch(t, metricsURL)
		return strings.Contains(m, `coredns_healthcheck_healthy{check="web"} 0`) &&
			strings.Contains(m, `coredns_healthcheck_transitions_total{check="web",to="down"} 1`) &&
			regexp.MustCompile(`coredns_healthcheck_probes_total\{result="refused",type="http"\} [1-9]`).MatchString(m)
	})
	if !strings.Contains(s.Output(), "check web is down: refused") {
		t.Errorf("no transition log line:\n%s", s.Output())
	}

	// Back on the same address: up after one success (rise 1).
	_, _ = hcEndpoint(t, web)
	hcWait(t, "web up again", 5*time.Second, func() bool { v, _ := hcStatus(t, status, "web"); return v.Up })
	before, _ := hcStatus(t, status, "web")

	// Reload with one more check: web keeps running (same since), db starts.
	writeCorefile(t, dir, corefile("check db tcp "+web))
	if err := s.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	hcWait(t, "db after reload", 10*time.Second, func() bool { v, ok := hcStatus(t, status, "db"); return ok && v.Probed })
	if after, _ := hcStatus(t, status, "web"); !after.Since.Equal(before.Since) || !after.Up {
		t.Errorf("reload restarted web: since %s → %s", before.Since, after.Since)
	}

	// A bad reload is refused with file:line:field; the running checks stay.
	writeCorefile(t, dir, corefile("check bad http http://127.0.0.1/ interval=1s timeout=2s"))
	s.Signal(syscall.SIGUSR1)
	hcWait(t, "the reload error", 10*time.Second, func() bool {
		return strings.Contains(s.Output(), "checks.bad.timeout: must be shorter than interval 1s")
	})
	if _, ok := hcStatus(t, status, "db"); !ok {
		t.Error("old configuration gone after a bad reload")
	}

	// Drain through the status API, with and without the token.
	req, _ := http.NewRequest(http.MethodPut, "http://"+status+"/checks/web/override", strings.NewReader(`{"state":"down"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("override without token: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ = http.NewRequest(http.MethodPut, "http://"+status+"/checks/web/override", strings.NewReader(`{"state":"down"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("override: %v %v", resp, err)
	}
	resp.Body.Close()
	if v, _ := hcStatus(t, status, "web"); v.Up {
		t.Error("web up after a forced down")
	}
	hcWait(t, "overridden metric", 5*time.Second, func() bool {
		return strings.Contains(hcFetch(t, metricsURL), `coredns_healthcheck_overridden{check="web"} 1`)
	})
}

func writeCorefile(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "Corefile"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

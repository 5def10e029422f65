package test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// TestCorefileExample runs Corefile.example as `make run` does, from the repo root,
// with only its fixed ports swapped for free ones, and queries it with dig and kdig
// over UDP and TCP as the README tells a new user to.
func TestCorefileExample(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	corefile := readFile(t, filepath.Join(root, "Corefile.example"))
	port := e2e.FreePort(t)
	explainPort := e2e.FreePort(t)
	replace := map[string]int{":1053": port, ":9153": e2e.FreePort(t), ":8080": e2e.FreePort(t), ":8181": e2e.FreePort(t),
		":8053": e2e.FreePort(t), ":8054": explainPort}
	for from, to := range replace {
		if !strings.Contains(corefile, from) {
			t.Fatalf("Corefile.example no longer uses %s; update this test", from)
		}
		corefile = strings.ReplaceAll(corefile, from, fmt.Sprintf(":%d", to))
	}
	// make run starts demo/endpoints for the health checks to probe; here each
	// endpoint is a real HTTP server on a free port, named in a copy of the data,
	// so that the answers do not depend on how soon the checks find nobody there.
	data := readFile(t, filepath.Join(root, "demo", "policy.yaml"))
	for _, port := range []string{"9001", "9002", "9003", "9004"} {
		from := "127.0.0.1:" + port
		if !strings.Contains(data, from) {
			t.Fatalf("demo/policy.yaml no longer checks %s; update this test", from)
		}
		data = strings.ReplaceAll(data, from, healthyEndpoint(t))
	}
	dataPath := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(dataPath, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(corefile, "data demo/policy.yaml") {
		t.Fatal("Corefile.example no longer reads demo/policy.yaml; update this test")
	}
	corefile = strings.ReplaceAll(corefile, "data demo/policy.yaml", "data "+dataPath)

	// Run from the repo root so the relative data paths resolve exactly as in make run.
	s := e2e.StartIn(t, e2e.CoreTraffic(t), corefile, root, fmt.Sprintf("127.0.0.1:%d", port))

	tests := []struct {
		tool string
		args []string
		want string
	}{
		{"dig", []string{"www.example.org", "A", "+short"}, "192.0.2.10"},
		{"kdig", []string{"www.example.org", "AAAA", "+tcp", "+short"}, "2001:db8::10"},
		{"kdig", []string{"docs.example.org", "A", "+short"}, "192.0.2.10"},
		{"dig", []string{"nosuch.example.org", "A"}, "status: NXDOMAIN"},
	}
	for _, tc := range tests {
		t.Run(tc.tool+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			out := runTool(t, tc.tool, append([]string{"@127.0.0.1", "-p", fmt.Sprint(port)}, tc.args...)...)
			if !strings.Contains(out, tc.want) {
				t.Errorf("%s output lacks %q:\n%s\n--- server ---\n%s", tc.tool, tc.want, out, s.Output())
			}
		})
	}

	// The README's explain line.
	body := httpGetBody(t, fmt.Sprintf("http://127.0.0.1:%d/explain?name=www.example.net&ecs=203.0.113.0/24&format=text", explainPort))
	if !strings.Contains(body, "203.0.113.10") || !strings.Contains(body, "[geolocation]") {
		t.Errorf("explain of Corefile.example:\n%s", body)
	}
}

// healthyEndpoint serves 200 on /health, like a healthy demo/endpoints
// address, until the test ends; it returns its address.
func healthyEndpoint(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func httpGetBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d %v\n%s", url, resp.StatusCode, err, b)
	}
	return string(b)
}

// runTool runs a Debian DNS tool; `make deps` installs them.
func runTool(t *testing.T, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s not installed: run `make deps` (knot-dnsutils, bind9-dnsutils)", tool)
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return string(out)
}

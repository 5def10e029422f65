package test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// consoleDemo is demo/route53's data (demo/policy.yaml's www tree written as Route 53
// writes nested policies: record sets joined by aliases) imported into the server
// with `coredns import`, its four health checks probing HTTP servers of the test.
// Geolocation → failover → weighted: Europe goes to Frankfurt (fra-1 70, fra-2 30)
// falling over to Ashburn; North America to Ashburn then Frankfurt; California and
// Asia to Tokyo then Ashburn; everyone else gets every healthy site (multivalue).
type consoleDemo struct {
	zoneID string
	checks map[string]string // site (fra-1, fra-2, iad-1, tyo-1) → health check ID
	stop   map[string]func() // site → stop its HTTP server
}

// consoleLeaves are the endpoint nodes (SetIdentifiers) the www tree must draw.
var consoleLeaves = []string{"fra-1", "fra-2", "eu-secondary", "na-primary", "na-secondary",
	"ca-primary", "ca-secondary", "as-primary", "as-secondary", "mv-fra", "mv-iad", "mv-tyo"}

// The demo's check IDs and ports in demo/route53/healthchecks.json.
var demoChecks = map[string]struct{ id, port string }{
	"fra-1": {"d0000000-0000-4000-8000-000000000001", "9001"}, "fra-2": {"d0000000-0000-4000-8000-000000000002", "9002"},
	"iad-1": {"d0000000-0000-4000-8000-000000000003", "9003"}, "tyo-1": {"d0000000-0000-4000-8000-000000000004", "9004"},
}

func importConsoleDemo(t *testing.T, bin, root, api, creds, profile string) *consoleDemo {
	t.Helper()
	d := &consoleDemo{checks: map[string]string{}, stop: map[string]func(){}}
	raw, err := os.ReadFile(filepath.Join(root, "demo", "route53", "healthchecks.json"))
	if err != nil {
		t.Fatal(err)
	}
	checks := string(raw)
	old := map[string]string{} // demo check ID → site
	for site, c := range demoChecks {
		addr, stop := hcEndpoint(t, "127.0.0.1:0")
		d.stop[site] = stop
		_, port, _ := net.SplitHostPort(addr)
		from := fmt.Sprintf(`"Port": %s,`, c.port)
		if strings.Count(checks, from) != 1 {
			t.Fatalf("demo/route53/healthchecks.json: want one %s for %s", from, site)
		}
		checks = strings.Replace(checks, from, fmt.Sprintf(`"Port": %s,`, port), 1)
		old[c.id] = site
	}
	file := filepath.Join(t.TempDir(), "healthchecks.json")
	if err := os.WriteFile(file, []byte(checks), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "import", "-endpoint", api, "-credentials", creds, "-profile", profile, "-wait",
		"-checks", file, filepath.Join(root, "demo", "route53", "example.net.json"))
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("coredns import: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 4 && f[0] == "zone" && f[1] == "example.net." && f[3] == "(created)":
			d.zoneID = f[2]
		case len(f) == 5 && f[0] == "health" && f[1] == "check" && f[3] == "->" && old[f[2]] != "":
			d.checks[old[f[2]]] = f[4]
		}
	}
	if d.zoneID == "" || len(d.checks) != len(demoChecks) {
		t.Fatalf("coredns import printed no zone or not every check:\n%s", out)
	}
	return d
}

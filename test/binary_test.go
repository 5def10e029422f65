package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coretraffic/coretraffic/internal/e2e"
)

func TestVersion(t *testing.T) {
	out, err := exec.Command(e2e.CoreTraffic(t), "-version").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	if !strings.HasPrefix(first, "coretraffic-") || !strings.Contains(first, "(CoreDNS-1.15.0)") {
		t.Errorf("-version first line = %q, want coretraffic-<version> (CoreDNS-1.15.0)", first)
	}
}

// TestPlugins: -plugins lists every stock plugin, and each of ours whose
// build/plugin_<name>.go registers it.
func TestPlugins(t *testing.T) {
	out, err := exec.Command(e2e.CoreTraffic(t), "-plugins").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	listed := strings.Fields(string(out))
	for _, d := range dnsserver.Directives {
		if !slices.Contains(listed, d) {
			t.Errorf("stock plugin %s not listed", d)
		}
	}
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, ours := range []string{"geo", "healthcheck", "policy"} {
		_, err := os.Stat(filepath.Join(root, "build", "plugin_"+ours+".go"))
		if registered := err == nil; registered != slices.Contains(listed, ours) {
			t.Errorf("plugin %s: build/plugin_%s.go exists %v, listed %v", ours, ours, registered, !registered)
		}
	}
}

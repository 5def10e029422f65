// Package e2e starts real coredns processes for end-to-end tests: it builds the
// coretraffic binary (and stock CoreDNS from the same module graph, for comparison),
// writes a Corefile, runs the process and waits until it answers DNS.
package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Env variables that point the tests at prebuilt binaries (the Makefile sets them so a
// test run does not link the binary twice).
const (
	EnvCoreTraffic = "CORETRAFFIC_BIN"
	EnvStock       = "STOCK_COREDNS_BIN"
)

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error

	stockOnce sync.Once
	stockPath string
	stockErr  error
)

// CoreTraffic returns the path of a coretraffic binary built from this checkout (once
// per test process), or the one named by $CORETRAFFIC_BIN.
func CoreTraffic(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvCoreTraffic); p != "" {
		return mustAbs(t, p)
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "coretraffic-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "coredns")
		buildErr = goBuild(builtPath, "./build")
	})
	if buildErr != nil {
		t.Fatalf("building coretraffic: %v", buildErr)
	}
	return builtPath
}

// Stock returns the path of stock CoreDNS v1.15.0 built from the module proxy with
// this module's own graph (package github.com/coredns/coredns, its own main), or the
// one named by $STOCK_COREDNS_BIN. The binary is cached in the user cache directory,
// keyed by go.sum, so the suite links it once per dependency change, not per run.
func Stock(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(EnvStock); p != "" {
		return mustAbs(t, p)
	}
	stockOnce.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			stockErr = err
			return
		}
		sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
		if err != nil {
			stockErr = err
			return
		}
		h := sha256.Sum256(append(sum, runtime.Version()...))
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		stockPath = filepath.Join(cache, "coretraffic", "coredns-stock-"+hex.EncodeToString(h[:8]))
		if _, err := os.Stat(stockPath); err == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(stockPath), 0o755); err != nil {
			stockErr = err
			return
		}
		tmp := stockPath + ".tmp"
		if stockErr = goBuild(tmp, "github.com/coredns/coredns"); stockErr == nil {
			stockErr = os.Rename(tmp, stockPath)
		}
	})
	if stockErr != nil {
		t.Fatalf("building stock CoreDNS: %v", stockErr)
	}
	return stockPath
}

func goBuild(out, pkg string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// RepoRoot is the directory holding go.mod, found from the working directory upwards.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/coretraffic/coretraffic") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod of github.com/coretraffic/coretraffic not found above the working directory")
		}
		dir = parent
	}
}

func mustAbs(t testing.TB, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
)

// configMapVolume writes a ConfigMap volume as the kubelet's AtomicWriter does:
// the files in a timestamped directory, ..data a symlink to it, and each key a
// symlink to ..data/key.
type configMapVolume struct {
	dir string
	n   int
	cur string // the timestamped directory ..data points at
}

func (v *configMapVolume) write(t *testing.T, key, content string, mtime time.Time) {
	t.Helper()
	v.n++
	ts := fmt.Sprintf("..2026_12_03_22_00_%02d.%09d", v.n, v.n)
	if err := os.Mkdir(filepath.Join(v.dir, ts), 0o755); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(v.dir, ts, key)
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(f, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	// Swap ..data atomically: a new symlink renamed over the old one.
	tmp := filepath.Join(v.dir, "..data_tmp")
	if err := os.Symlink(ts, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(v.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(v.dir, key)); os.IsNotExist(err) {
		if err := os.Symlink(filepath.Join("..data", key), filepath.Join(v.dir, key)); err != nil {
			t.Fatal(err)
		}
	}
	if v.cur != "" {
		if err := os.RemoveAll(filepath.Join(v.dir, v.cur)); err != nil {
			t.Fatal(err)
		}
	}
	v.cur = ts
}

// TestConfigMapUpdate: a data file mounted from a ConfigMap reloads when Kubernetes
// updates the ConfigMap, which it does by swapping the ..data symlink, never by
// writing the file the path names. Also when the new file has the old one's size
// and modification time (tools that keep mtimes), which size-and-time stamps alone
// would miss.
func TestConfigMapUpdate(t *testing.T) {
	zone := "zones:\n  example.net:\n    records:\n      www:\n        A: {value: %s}\n"
	for _, tc := range []struct {
		name  string
		mtime time.Time
	}{
		{"fresh mtime", time.Time{}},
		{"same size and mtime", time.Now().Add(-time.Hour).Truncate(time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &configMapVolume{dir: t.TempDir()}
			v.write(t, "policy.yaml", fmt.Sprintf(zone, "192.0.2.1"), tc.mtime)
			l := &loader{files: []string{filepath.Join(v.dir, "policy.yaml")}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name()}
			ld, set, err := l.load()
			if err != nil {
				t.Fatal(err)
			}
			p := &Policy{Next: test.ErrorHandler(), loader: l}
			l.start(p, ld, set)
			defer l.stop()
			for i, addr := range []string{"192.0.2.2", "192.0.2.3", "192.0.2.3", "192.0.2.4"} {
				v.write(t, "policy.yaml", fmt.Sprintf(zone, addr), tc.mtime)
				l.reloadIfChanged(p) // the watcher's next tick
				resp, _ := serve(t, p, new(dns.Msg).SetQuestion("www.example.net.", dns.TypeA), nil)
				if len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != addr {
					t.Fatalf("update %d: %v, want %s", i, resp.Answer, addr)
				}
			}
		})
	}
}

package healthcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "checks.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("checks:\n  db:\n    type: tcp\n    target: 127.0.0.1:5432\n"), 0o600)
	os.WriteFile(bad, []byte("checks:\n  db:\n    type: tcp\n    target: 127.0.0.1:5432\n    interval: 1s\n    timeout: 3s\n"), 0o600)
	tests := []struct {
		input   string
		wantErr string // "" means success
	}{
		{`healthcheck`, ""},
		{`healthcheck {
			check web http http://127.0.0.1:8080/health interval=2s timeout=1s rise=2 fall=3
			check db tcp 127.0.0.1:5432
			check both calculated web,db min_healthy=1
		}`, ""},
		{`healthcheck ` + good, ""},
		{`healthcheck {
			file ` + good + `
			check web http http://127.0.0.1/ header=X-A:b expect=200-299 match=OK
			check any calculated web,db
			status 127.0.0.1:0
			token s3cret
		}`, ""},
		{`healthcheck ` + bad, bad + ":6: checks.db.timeout: must be shorter than interval 1s"},
		{`healthcheck ` + filepath.Join(dir, "missing.yaml"), "no such file"},
		{`healthcheck {
			check web http http://127.0.0.1/ interval=-1s
		}`, "Testfile:2: checks.web.interval: must be positive"},
		{`healthcheck {
			check web http http://127.0.0.1/
			check web tcp 127.0.0.1:80
		}`, "Testfile:3: checks.web: defined twice (first at Testfile:2)"},
		{`healthcheck {
			check web icmp 127.0.0.1
		}`, "Testfile:2: checks.web.type: unknown type"},
		{`healthcheck {
			check web http "http://[::1"
		}`, "Testfile:2: checks.web.url: bad URL"},
		{`healthcheck {
			check a calculated b
			check b calculated a
		}`, "cycle"},
		{`healthcheck {
			check web kubernetes shop/web endpoint=https://127.0.0.1:6443 port=http min_ready=2
		}`, ""},
		{`healthcheck {
			check web kubernetes shop/web kubeconfig=/nonexistent/kubeconfig
		}`, "Testfile:2: checks.web.kubeconfig: "},
		{`healthcheck {
			check web kubernetes web
		}`, "Testfile:2: checks.web.service: want namespace/name"},
		{`healthcheck {
			check a calculated nope
		}`, `Testfile:2: checks.a.children: unknown check "nope"`},
		{`healthcheck {
			check a tcp 127.0.0.1:1 colour=red
		}`, "Testfile:2: checks.a.colour: unknown field"},
		{`healthcheck {
			colour red
		}`, "unknown property 'colour'"},
		{`healthcheck {
			status nope
		}`, "bad address"},
		{`healthcheck {
			token abc
		}`, "token needs a status address"},
		{`healthcheck {
			check
		}`, "want: check NAME TYPE"},
		{"healthcheck\nhealthcheck", "this plugin"},
	}
	for i, tc := range tests {
		c := caddy.NewTestController("dns", tc.input)
		err := setup(c)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("test %d: unexpected error %v", i, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("test %d: no error, want %q", i, tc.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("test %d: got %q, want it to contain %q", i, err, tc.wantErr)
		}
	}
}

func TestSetupSharesChecksAcrossBlocks(t *testing.T) {
	c := caddy.NewTestController("dns", `healthcheck {
		check web http http://127.0.0.1:8080/
	}`)
	if err := setup(c); err != nil {
		t.Fatal(err)
	}
	// A second server block of the same Corefile: same instance storage.
	c.ServerBlockIndex = 1
	c.ServerBlockKeys = []string{"example.net:53"}
	dnsserver.GetConfig(c)
	c2 := c
	c2.Dispenser = caddy.NewTestController("dns", `healthcheck {
		check web http http://127.0.0.1:8080/
		check both calculated web
	}`).Dispenser
	if err := setup(c2); err != nil {
		t.Fatalf("identical redefinition in another block: %v", err)
	}
	set := Checks(c2)
	if set == nil {
		t.Fatal("no checks")
	}
	if _, ok := set.Handle("both"); !ok {
		t.Error("check of the second block missing")
	}
	if _, ok := set.Handle("web"); !ok {
		t.Error("check of the first block missing")
	}
}

package route53api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	open := filepath.Join(dir, "open-credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n"), 0o600)
	os.WriteFile(open, []byte("[ops]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n"), 0o644)
	store := filepath.Join(dir, "store.db")
	tests := []struct {
		input   string
		wantErr string // "" means success
	}{
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
		}`, ""},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			rate 50 100
			max_body 65536
			nameservers ns1.example.net. ns2.{zone}.
			region eu-central-1
		}`, ""},
		{`route53api {
			store ` + store + `
			credentials ` + creds + `
		}`, "want one listen address"},
		{`route53api localhost {
			store ` + store + `
			credentials ` + creds + `
		}`, `"localhost" is not a listen address`},
		{`route53api 127.0.0.1:0 {
			credentials ` + creds + `
		}`, "no store"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
		}`, "no credentials"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + open + `
		}`, "group or others may read it; run chmod 600"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + filepath.Join(dir, "missing") + `
		}`, "no such file"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			rate 0
		}`, `rate: "0" is not a number`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			rate 5 0
		}`, `rate: burst "0"`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			max_body 10
		}`, `max_body: "10"`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			nameservers bad..name
		}`, `nameservers: "bad..name"`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			tls cert.pem key.pem
		}`, `tls: open`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			tls cert.pem
		}`, `Wrong argument count`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			bogus 1
		}`, `unknown property "bogus"`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			change_log 0d
		}`, `Testfile:4 - Error during parsing: change_log: "0d" is not a number of days 1..36500`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			change_log 30m
		}`, `change_log: "30m" is not forever, days (90d) or a duration of at least 1h`},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
			change_log 30d 60d
		}`, `Wrong argument count`},
		{`route53api 127.0.0.1:0 {
			store etcd {
				endpoint http://127.0.0.1:2379 http://127.0.0.2:2379
				prefix /coretraffic/
				credentials coretraffic secret
				snapshot ` + filepath.Join(dir, "snap") + `
				name pop-1
			}
			credentials ` + creds + `
		}`, ""},
		{`route53api 127.0.0.1:0 {
			store etcd
			credentials ` + creds + `
		}`, ""},
		{`route53api 127.0.0.1:0 {
			store etcd {
				endpoint https://127.0.0.1:2379
			}
			credentials ` + creds + `
		}`, "Testfile:3 - Error during parsing: store etcd: endpoint https://127.0.0.1:2379 is https://: give tls"},
		{`route53api 127.0.0.1:0 {
			store etcd {
				tls ` + filepath.Join(dir, "missing.pem") + `
			}
			credentials ` + creds + `
		}`, "Testfile:3 - Error during parsing: store etcd: tls: stat"},
		{`route53api 127.0.0.1:0 {
			store etcd {
				credentials onlyuser
			}
			credentials ` + creds + `
		}`, "Testfile:3 - Error during parsing: store etcd: credentials wants 2 arguments"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			store etcd
			credentials ` + creds + `
		}`, "Testfile:3 - Error during parsing: store given twice"},
		{`route53api 127.0.0.1:0 {
			store ` + store + `
			credentials ` + creds + `
		}
		route53api 127.0.0.1:1 {
			store ` + store + `
			credentials ` + creds + `
		}`, "can only be used once per Server Block"},
	}
	for i, tc := range tests {
		c := caddy.NewTestController("dns", tc.input)
		err := setup(c)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%d: unexpected error: %v", i, err)
		case tc.wantErr != "" && err == nil:
			t.Errorf("%d: no error, want %q", i, tc.wantErr)
		case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
			t.Errorf("%d: error %q, want %q", i, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "Testfile:") && !strings.Contains(err.Error(), "once per Server Block") {
			t.Errorf("%d: error %q does not name the Corefile line", i, err)
		}
	}
}

// TestChangeLogRetention: change_log's forms and the default.
func TestChangeLogRetention(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 90 * 24 * time.Hour},
		{"change_log forever", 0},
		{"change_log 30d", 30 * 24 * time.Hour},
		{"change_log 720h", 720 * time.Hour},
		{"change_log 1h", time.Hour},
	} {
		c := caddy.NewTestController("dns", "route53api 127.0.0.1:0 {\n store s.db\n credentials c\n "+tc.in+"\n}")
		cfg, err := parse(c)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if cfg.changeLog != tc.want {
			t.Errorf("%q: retention %v, want %v", tc.in, cfg.changeLog, tc.want)
		}
	}
}

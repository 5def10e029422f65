package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/whoami"

	"github.com/coretraffic/coretraffic/internal/controlplane"
	"github.com/coretraffic/coretraffic/internal/inproc"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	_ "github.com/coretraffic/coretraffic/plugin/console"
	_ "github.com/coretraffic/coretraffic/plugin/route53api"
)

var _ = func() bool {
	d := slices.Clone(dnsserver.Directives)
	d = slices.Insert(d, slices.Index(d, "file"), "route53api", "console")
	dnsserver.SetDirectives(d)
	return true
}()

// The console in a real server: a login works and the API answers; reloads that
// add and remove it (sharing its store with route53api) leave no listener, store
// or goroutine behind.
func TestServerAndReloads(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDCONSOLE\naws_secret_access_key = s3cret\n"), 0o600)
	store := filepath.Join(dir, "store.db")
	dnsPort, apiPort, consolePort := inproc.FreePort(t), inproc.FreePort(t), inproc.FreePort(t)
	corefile := func(console bool) string {
		s := fmt.Sprintf(".:%d {\n bind 127.0.0.1\n route53api 127.0.0.1:%d {\n  store %s\n  credentials %s\n }\n", dnsPort, apiPort, store, creds)
		if console {
			s += fmt.Sprintf(" console 127.0.0.1:%d {\n  store %s\n  credentials %s\n }\n", consolePort, store, creds)
		}
		return s + " whoami\n}\n"
	}
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(inproc.Corefile(corefile(false)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { inproc.Stop(inst) }()
	base := len(inproc.Settle(-1))
	origin := fmt.Sprintf("http://127.0.0.1:%d", consolePort)
	loginWorks := func() bool {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest("POST", origin+"/api/login", strings.NewReader(`{"access_key_id":"AKIDCONSOLE","secret_access_key":"s3cret"}`))
		req.Header.Set("Origin", origin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		resp, err = c.Get(origin + "/api/zones")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"zones":[]`) {
			t.Fatalf("zones: %d %s", resp.StatusCode, body)
		}
		return true
	}
	for i := range 6 {
		on := i%2 == 0
		next, err := inproc.Restart(inst, inproc.Corefile(corefile(on)))
		if err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		inst = next
		if loginWorks() != on {
			t.Fatalf("reload %d (console %v): the console answers %v", i, on, !on)
		}
	}
	next, err := inproc.Restart(inst, inproc.Corefile(corefile(false)))
	if err != nil {
		t.Fatal(err)
	}
	inst = next
	if g := inproc.Settle(base); len(g) > base {
		t.Errorf("%d goroutines after the reloads, %d before:\n%s", len(g), base, strings.Join(g, "\n\n"))
	}
	if l := lifecycle.Listening(); len(l) != 1 {
		t.Errorf("shared listeners open: %v, want the API's only", l)
	}
	if n := controlplane.Open(); n != 1 {
		t.Errorf("%d stores open, want the API's", n)
	}
}

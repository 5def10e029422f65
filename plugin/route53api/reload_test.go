package route53api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
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
	_ "github.com/coretraffic/coretraffic/plugin/policy"
	_ "github.com/coretraffic/coretraffic/plugin/route53api"
)

var _ = func() bool {
	d := slices.Clone(dnsserver.Directives)
	d = slices.Insert(d, slices.Index(d, "file"), "policy", "route53api")
	dnsserver.SetDirectives(d)
	return true
}()

// Reloads that add and remove the API and the policy block serving its store, and
// reloads that fail after they started, leave no store open, no listener, no
// goroutine behind; while the API is in the Corefile it answers.
func TestReloadsLeaveNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("60 reloads")
	}
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDRELOAD\naws_secret_access_key = s\n"), 0o600)
	store := filepath.Join(dir, "store.db")
	dnsPort, apiPort := inproc.FreePort(t), inproc.FreePort(t)
	corefile := func(api, pol bool, extra string) string {
		s := fmt.Sprintf(".:%d {\n bind 127.0.0.1\n", dnsPort)
		if api {
			s += fmt.Sprintf(" route53api 127.0.0.1:%d {\n  store %s\n  credentials %s\n }\n", apiPort, store, creds)
		}
		if pol {
			s += fmt.Sprintf(" policy {\n  store %s\n }\n", store)
		}
		return s + " whoami\n}\n" + extra
	}
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(inproc.Corefile(corefile(true, true, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { inproc.Stop(inst) }()
	restart := func(c string) {
		t.Helper()
		next, err := inproc.Restart(inst, inproc.Corefile(c))
		if err != nil {
			t.Fatalf("reload: %v\n%s", err, c)
		}
		inst = next
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	apiAnswers := func() bool {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/2013-04-01/hostedzone", apiPort))
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusForbidden // unsigned: the API is there
	}
	restart(corefile(false, false, ""))
	base := len(inproc.Settle(-1))
	for i := range 40 {
		api, pol := i&1 != 0, i&2 != 0
		restart(corefile(api, pol, ""))
		if apiAnswers() != api {
			t.Fatalf("reload %d (route53api %v): the API answers %v", i, api, !api)
		}
		if want := 0; !api && !pol && controlplane.Open() != want {
			t.Fatalf("reload %d: %d stores open without a directive naming one", i, controlplane.Open())
		}
	}
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	blocker := taken.LocalAddr().String() + " {\n whoami\n}\n"
	for i := range 20 {
		before := i%2 == 1
		restart(corefile(before, before, ""))
		if _, err := inproc.Restart(inst, inproc.Corefile(corefile(true, true, blocker))); err == nil {
			t.Fatal("reload onto a taken port succeeded")
		}
		if apiAnswers() != before {
			t.Fatalf("failed reload %d: the API answers %v with route53api %v in the running Corefile", i, !before, before)
		}
		if want := map[bool]int{false: 0, true: 1}[before]; controlplane.Open() != want {
			t.Fatalf("failed reload %d: %d stores open, want %d", i, controlplane.Open(), want)
		}
	}
	restart(corefile(false, false, ""))
	if g := inproc.Settle(base); len(g) > base {
		t.Errorf("%d goroutines after the reloads, %d before:\n%s", len(g), base, strings.Join(g, "\n\n"))
	}
	if l := lifecycle.Listening(); len(l) > 0 {
		t.Errorf("shared listeners still open: %v", l)
	}
	if n := controlplane.Open(); n != 0 {
		t.Errorf("%d stores still open", n)
	}
}

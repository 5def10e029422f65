package lifecycle_test

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

	"github.com/coretraffic/coretraffic/geo/geotest"
	"github.com/coretraffic/coretraffic/internal/inproc"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	_ "github.com/coretraffic/coretraffic/plugin/geo"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	_ "github.com/coretraffic/coretraffic/plugin/policy"
)

// reloadFixture is a Corefile in which each of our directives can be switched on.
type reloadFixture struct {
	dns, status, explain int
	mmdb, data           string
}

func newReloadFixture(t *testing.T) *reloadFixture {
	dir := t.TempDir()
	f := &reloadFixture{dns: inproc.FreePort(t), status: inproc.FreePort(t), explain: inproc.FreePort(t),
		mmdb: filepath.Join(dir, "city.mmdb"), data: filepath.Join(dir, "data.yaml")}
	if err := geotest.Write(f.mmdb, geotest.TypeCity, geotest.Demo); err != nil {
		t.Fatal(err)
	}
	data := "checks:\n  lc-data: {type: tcp, target: \"127.0.0.1:1\", interval: 10s, timeout: 1s}\n" +
		"zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1, check: lc-data}\n"
	if err := os.WriteFile(f.data, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// corefile has geo if g, healthcheck (checks and status API) if h, policy (data with
// a check, file watcher, explain endpoint) if p; extra is appended.
func (f *reloadFixture) corefile(g, h, p bool, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "example.net:%d {\n bind 127.0.0.1\n", f.dns)
	if g {
		fmt.Fprintf(&b, " geo %s {\n  reload 1s\n }\n", f.mmdb)
	}
	if h {
		fmt.Fprintf(&b, " healthcheck {\n  check lc-corefile tcp 127.0.0.1:1 interval=10s timeout=1s\n  status 127.0.0.1:%d\n }\n", f.status)
	}
	if p {
		fmt.Fprintf(&b, " policy {\n  data %s\n  reload 50ms\n  explain 127.0.0.1:%d\n }\n", f.data, f.explain)
	}
	b.WriteString(" whoami\n}\n")
	return b.String() + extra
}

var directives = func() bool {
	d := slices.Clone(dnsserver.Directives)
	d = slices.Insert(d, slices.Index(d, "geoip")+1, "geo")
	d = slices.Insert(d, slices.Index(d, "file"), "healthcheck", "policy")
	dnsserver.SetDirectives(d)
	return true
}()

// 100 reloads and 20 failed reloads that add and remove each directive leave no
// goroutine and no listener behind: what a discarded instance started stops at once.
func TestReloadsLeaveNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("120 reloads")
	}
	f := newReloadFixture(t)
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(inproc.Corefile(f.corefile(true, true, true, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { inproc.Stop(inst) }()
	restart := func(corefile string) {
		t.Helper()
		next, err := inproc.Restart(inst, inproc.Corefile(corefile))
		if err != nil {
			t.Fatalf("reload: %v\n%s", err, corefile)
		}
		inst = next
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	get := func(port int, path string) int {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	// Once through everything, so one-time goroutines (the engine, caches) exist.
	restart(f.corefile(false, false, false, ""))
	base := len(inproc.Settle(-1))

	// Every combination of the three directives, in an order that adds and removes
	// each of them many times.
	for i := range 100 {
		g, h, p := i&1 != 0, i&2 != 0, i&4 != 0
		restart(f.corefile(g, h, p, ""))
		if got := get(f.status, "/checks"); h != (got == http.StatusOK) {
			t.Fatalf("reload %d (healthcheck %v): status API answers %d", i, h, got)
		}
		if got := get(f.explain, "/explain?name=www.example.net"); p != (got == http.StatusOK) {
			t.Fatalf("reload %d (policy %v): explain answers %d", i, p, got)
		}
	}

	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	blocker := taken.LocalAddr().String() + " {\n whoami\n}\n"
	for i := range 20 {
		// From a Corefile without (even i) or with (odd i) our directives, a reload
		// that adds (or keeps) them fails after their OnStartup ran.
		before := i%2 == 1
		restart(f.corefile(before, before, before, ""))
		if _, err := inproc.Restart(inst, inproc.Corefile(f.corefile(true, true, true, blocker))); err == nil {
			t.Fatal("reload onto a taken port succeeded")
		}
		if _, ok := pluginhc.Engine().Handle("lc-corefile"); ok != before {
			t.Fatalf("failed reload %d: the healthcheck directive's check runs: %v, want %v", i, ok, before)
		}
		if got := get(f.explain, "/explain?name=www.example.net"); before != (got == http.StatusOK) {
			t.Fatalf("failed reload %d: explain answers %d with policy %v in the running Corefile", i, got, before)
		}
	}

	restart(f.corefile(false, false, false, ""))
	if g := inproc.Settle(base); len(g) > base {
		t.Errorf("%d goroutines (besides the DNS servers') after the reloads, %d before:\n%s", len(g), base, strings.Join(g, "\n\n"))
	}
	if l := lifecycle.Listening(); len(l) > 0 {
		t.Errorf("shared listeners still open: %v", l)
	}
	for _, p := range []int{f.status, f.explain} {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			c.Close()
			t.Errorf("port %d still accepts connections", p)
		}
	}
	for _, name := range []string{"lc-corefile", "lc-data"} {
		if _, ok := pluginhc.Engine().Handle(name); ok {
			t.Errorf("check %s still runs", name)
		}
	}
}

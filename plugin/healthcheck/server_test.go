package healthcheck

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/whoami"

	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/freeport"
	"github.com/coretraffic/coretraffic/internal/inproc"
)

var directivesOnce sync.Once

// start runs a real CoreDNS instance from corefile, with healthcheck in the chain
// right before file as in the coretraffic binary.
func start(t *testing.T, corefile string) *caddy.Instance {
	t.Helper()
	directivesOnce.Do(func() {
		d := slices.Clone(dnsserver.Directives)
		i := slices.Index(d, "file")
		dnsserver.SetDirectives(slices.Insert(d, i, pluginName))
	})
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(input(corefile))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

type input string

func (i input) Body() []byte       { return []byte(i) }
func (i input) Path() string       { return "Corefile" }
func (i input) ServerType() string { return "dns" }

func freePort(t *testing.T) int {
	t.Helper()
	return freeport.TCP(t)
}

func statusOf(t *testing.T, addr, name string) (hc.CheckView, int) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/checks/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v hc.CheckView
	json.NewDecoder(resp.Body).Decode(&v)
	return v, resp.StatusCode
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServerReloadStatus(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer web.Close()
	status := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	dnsPort := freePort(t)
	corefile := func(extra string) string {
		return fmt.Sprintf(`.:%d {
	healthcheck {
		check web http %s interval=1s timeout=500ms
		%s
		status %s
		token s3cret
	}
	whoami
}`, dnsPort, web.URL, extra, status)
	}
	inst := start(t, corefile(""))
	defer func() { inproc.Stop(inst) }()

	// Queries pass through to whoami.
	udp := inst.Servers()[0].LocalAddr().String()
	m := new(dns.Msg)
	m.SetQuestion("example.org.", dns.TypeA)
	if r, err := dns.Exchange(m, udp); err != nil || r.Rcode != dns.RcodeSuccess || len(r.Extra) == 0 {
		t.Fatalf("query: %v %v", r, err)
	}
	eventually(t, "first probe", func() bool { v, _ := statusOf(t, status, "web"); return v.Probed })
	h, ok := Engine().Handle("web")
	if !ok || !h.Up() {
		t.Fatal("web not up through the engine")
	}

	// Reload with one more check: web keeps its state, the listener stays.
	inst, err := inproc.Restart(inst, input(corefile("check db tcp "+web.Listener.Addr().String())))
	if err != nil {
		t.Fatal(err)
	}
	if h2, _ := Engine().Handle("web"); !h2.Status().Since.Equal(h.Status().Since) || h2.Status().Probes == 0 {
		t.Error("reload restarted the unchanged check")
	}
	eventually(t, "db probed", func() bool { v, code := statusOf(t, status, "db"); return code == 200 && v.Probed })

	// A reload that fails after our startup (the DNS port is taken) leaves the old
	// configuration running and nothing of the new one.
	taken, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer taken.Close()
	bad := corefile("check extra tcp 127.0.0.1:1") + "\n" + taken.LocalAddr().String() + " {\n whoami\n}\n"
	if _, err := inproc.Restart(inst, input(bad)); err == nil {
		t.Fatal("restart on a taken port succeeded")
	}
	if _, ok := Engine().Handle("extra"); ok {
		t.Error("check of the failed reload is running")
	}
	if _, code := statusOf(t, status, "db"); code != 200 {
		t.Error("old configuration gone after a failed reload")
	}

	// Overrides need the token.
	req, _ := http.NewRequest("PUT", "http://"+status+"/checks/web/override", strings.NewReader(`{"state":"down"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("override: %v %v", resp, err)
	}
	resp.Body.Close()
	if h.Up() {
		t.Error("web still up after a forced down")
	}
	Engine().SetOverride("web", hc.OverrideNone)
}

func TestServerReloadLeak(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer web.Close()
	status := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	dnsPort := freePort(t)
	corefile := func(i int) string {
		return fmt.Sprintf(`.:%d {
	healthcheck {
		check web http %s interval=1s timeout=500ms
		check changing http %s/%d interval=1s timeout=500ms
		status %s
	}
	whoami
}`, dnsPort, web.URL, web.URL, i, status)
	}
	before := ours()
	inst := start(t, corefile(0))
	for i := 1; i <= 100; i++ {
		next, err := inproc.Restart(inst, input(corefile(i)))
		if err != nil {
			t.Fatal(err)
		}
		inst = next
	}
	if n := Engine().Len(); n != 2 {
		t.Errorf("%d checks after 100 reloads, want 2", n)
	}
	inproc.Stop(inst)
	if n := Engine().Len(); n != 0 {
		t.Errorf("%d checks after shutdown", n)
	}
	web.CloseClientConnections()
	deadline := time.Now().Add(10 * time.Second)
	for ours() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if after := ours(); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines of ours: %d before, %d after 100 reloads\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// ours counts goroutines running or started by coretraffic code: probers, status
// listeners. Caddy's own DNS server goroutines are not ours to count.
func ours() int {
	buf := make([]byte, 4<<20)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "coretraffic/") && !strings.Contains(g, "TestServerReloadLeak") && !strings.Contains(g, "ours()") {
			n++
		}
	}
	return n
}

package policy

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/whoami"

	"github.com/coretraffic/coretraffic/internal/inproc"
	_ "github.com/coretraffic/coretraffic/plugin/geo"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/miekg/dns"
)

var reviewDirectivesOnce sync.Once

// reviewStart runs a real CoreDNS instance with geo after geoip and healthcheck and
// policy before file, as in the coretraffic binary.
func reviewStart(t *testing.T, corefile string) *caddy.Instance {
	t.Helper()
	reviewDirectives()
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(reviewInput(corefile))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func reviewDirectives() {
	reviewDirectivesOnce.Do(func() {
		d := slices.Clone(dnsserver.Directives)
		if !slices.Contains(d, "geo") {
			d = slices.Insert(d, slices.Index(d, "geoip")+1, "geo")
		}
		if !slices.Contains(d, pluginName) {
			d = slices.Insert(d, slices.Index(d, "file"), "healthcheck", pluginName)
		}
		dnsserver.SetDirectives(d)
	})
}

type reviewInput string

func (i reviewInput) Body() []byte       { return []byte(i) }
func (i reviewInput) Path() string       { return "Corefile" }
func (i reviewInput) ServerType() string { return "dns" }

// reviewPort returns a port free for both TCP and UDP on 127.0.0.1.
func reviewPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no port free for TCP and UDP")
	return 0
}

func reviewWrite(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// A Corefile reload that fails after our OnStartup ran (here: a later server block's
// port is taken) discards the new instance without running its OnShutdown (caddy's
// Restart). Its data-file checks and file watcher must stop at once
// (internal/lifecycle), or they keep running with their references held.
func TestReviewRestartFailedLeaksDataChecks(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.yaml")
	extra := filepath.Join(dir, "extra.yaml")
	reviewWrite(t, keep, "checks:\n  review-keep: {type: tcp, target: \"127.0.0.1:1\", interval: 10s, timeout: 1s}\n"+
		"zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1, check: review-keep}\n")
	reviewWrite(t, extra, "checks:\n  review-extra: {type: tcp, target: \"127.0.0.1:1\", interval: 10s, timeout: 1s}\n"+
		"zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1, check: review-extra}\n")
	port := reviewPort(t)
	corefile := func(file string) string {
		return fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n  reload 50ms\n }\n}\n", port, file)
	}
	inst := reviewStart(t, corefile(keep))
	defer func() { inproc.Stop(inst) }()

	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bad := corefile(extra) + taken.LocalAddr().String() + " {\n whoami\n}\n"
	if _, err := inproc.Restart(inst, reviewInput(bad)); err == nil {
		t.Fatal("restart on a taken port succeeded")
	}
	if _, ok := pluginhc.Engine().Handle("review-extra"); ok {
		t.Error("the data-file check of the failed reload is still running (its Set was started and never closed)")
	}
}

// checkChain refuses cache (and loadbalance) in a block whose policy data has
// geolocation rules, but only at OnStartup: a policy data file reload that adds a
// geolocation rule is accepted, and the cache then serves one client's answer to
// every client — exactly what the README's Bugs section says the plugin refuses.
func TestReviewDataReloadBypassesCacheCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	plain := "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1}\n"
	reviewWrite(t, data, plain)
	port := reviewPort(t)
	inst := reviewStart(t, fmt.Sprintf("example.net:%d {\n cache\n policy {\n  data %s\n  reload 50ms\n }\n}\n", port, data))
	defer func() { inproc.Stop(inst) }()
	addr := inst.Servers()[0].LocalAddr().String()

	geoData := plain + "      geo:\n        A:\n          geolocation:\n            - {country: DE, value: 192.0.2.10}\n            - {default: true, value: 192.0.2.20}\n"
	reviewWrite(t, data, geoData)
	time.Sleep(500 * time.Millisecond) // ten reload intervals

	m := new(dns.Msg).SetQuestion("geo.example.net.", dns.TypeA)
	r, err := dns.Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != dns.RcodeNameError {
		t.Errorf("geolocation data loaded by a file reload into a block with cache: rcode %s answer %v; "+
			"want it rejected like at start-up (old data keeps serving: NXDOMAIN)", dns.RcodeToString[r.Rcode], r.Answer)
	}
}

// Control for the test above: the same geolocation data at start-up is refused.
func TestReviewStartupRefusesCacheWithGeo(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	reviewWrite(t, data, "zones:\n  example.net:\n    records:\n      geo:\n        A:\n          geolocation:\n            - {country: DE, value: 192.0.2.10}\n            - {default: true, value: 192.0.2.20}\n")
	port := reviewPort(t)
	reviewDirectives()
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(reviewInput(fmt.Sprintf("example.net:%d {\n cache\n policy {\n  data %s\n }\n}\n", port, data)))
	if err == nil {
		inproc.Stop(inst)
		t.Fatal("cache with geolocation data accepted at start-up")
	}
}

// checkChain's refusals are the only setup errors without a position: "geolocation
// rules need the geo directive in the same server block" names neither the Corefile
// line of the policy directive, nor the block, nor the record set that uses
// geolocation (STYLE.md: parse once, fail loudly, with a line number).
func TestReviewChainErrorsNamePosition(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	reviewWrite(t, data, "zones:\n  example.net:\n    records:\n      geo:\n        A:\n          geolocation:\n            - {country: DE, value: 192.0.2.10}\n            - {default: true, value: 192.0.2.20}\n")
	reviewDirectives()
	caddy.Quiet, dnsserver.Quiet = true, true
	inst, err := caddy.Start(reviewInput(fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n }\n}\n", reviewPort(t), data)))
	if err == nil {
		inproc.Stop(inst)
		t.Fatal("geolocation data without geo accepted")
	}
	if !strings.Contains(err.Error(), "Corefile:2") {
		t.Errorf("error %q does not name the policy directive's position Corefile:2", err)
	}
}

// The same failed reload when the running Corefile has no policy directive yet (the
// reload adds one): the old instance has no hook of the policy plugin, but
// internal/lifecycle guards every running instance, so what the discarded instance
// started stops at once, not at the next successful reload.
func TestReviewRestartFailedLeaksWhenPolicyIsNew(t *testing.T) {
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra.yaml")
	reviewWrite(t, extra, "checks:\n  review-new: {type: tcp, target: \"127.0.0.1:1\", interval: 10s, timeout: 1s}\n"+
		"zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1, check: review-new}\n")
	port := reviewPort(t)
	inst := reviewStart(t, fmt.Sprintf("example.net:%d {\n whoami\n}\n", port))
	defer func() { inproc.Stop(inst) }()

	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bad := fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n  reload 50ms\n }\n}\n", port, extra) +
		taken.LocalAddr().String() + " {\n whoami\n}\n"
	if _, err := inproc.Restart(inst, reviewInput(bad)); err == nil {
		t.Fatal("restart on a taken port succeeded")
	}
	if _, ok := pluginhc.Engine().Handle("review-new"); ok {
		t.Error("the data-file check of the failed reload still runs")
	}
}

package healthcheck

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// toggleServer is an HTTP endpoint whose health the test switches.
func toggleServer(t *testing.T) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	var ok atomic.Bool
	ok.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ok.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &ok
}

func inline(t *testing.T, args ...string) Spec {
	t.Helper()
	s, err := Inline("test", 1, args)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestEngineHysteresisFakeClock(t *testing.T) {
	srv, healthy := toggleServer(t)
	clk := newFakeClock()
	probes := make(chan Result, 100)
	e := New(Options{Clock: clk, OnProbe: func(_ Type, r Result) { probes <- r }})
	var mu sync.Mutex
	var trs []Transition
	defer e.Subscribe(func(tr Transition) { mu.Lock(); trs = append(trs, tr); mu.Unlock() })()

	set, err := e.Apply("test", []Spec{inline(t, "web", "http", srv.URL, "rise=2", "fall=3")})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	h, _ := set.Handle("web")
	<-probes
	waitFor(t, "ready", set.Ready)
	if !h.Up() || h.Latency() == 0 {
		t.Fatalf("after first probe: up %v latency %s", h.Up(), h.Latency())
	}
	step := func() Result {
		clk.waitTimers(t, 1)
		clk.Advance(DefaultInterval)
		return <-probes
	}
	healthy.Store(false)
	want := []bool{true, true, false, false}
	for i, w := range want {
		r := step()
		if h.Up() != w {
			t.Fatalf("failure %d (%+v): up %v, want %v", i+1, r, h.Up(), w)
		}
	}
	st := h.Status()
	if st.Results[0].Kind != KindStatus || st.Results[0].Code != 503 || len(st.Results) != 5 {
		t.Errorf("results: %+v", st.Results)
	}
	downAt := st.Since
	healthy.Store(true)
	for i, w := range []bool{false, true, true} {
		step()
		if h.Up() != w {
			t.Fatalf("success %d: up %v, want %v", i+1, h.Up(), w)
		}
	}
	if got := h.Status().Since.Sub(downAt); got != 3*DefaultInterval {
		t.Errorf("down for %s, want %s", got, 3*DefaultInterval)
	}
	mu.Lock()
	defer mu.Unlock()
	// first result, down, up
	if len(trs) != 3 || trs[1].Up || !trs[2].Up || trs[1].Name != "web" || trs[1].Reason.Code != 503 {
		t.Errorf("transitions: %+v", trs)
	}
}

func TestCalculatedInvertedOverride(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	e := New(Options{Clock: newFakeClock()})
	specs := []Spec{
		inline(t, "up", "tcp", ln.Addr().String(), "fall=1"),
		inline(t, "down", "tcp", deadAddr, "fall=1"),
		inline(t, "any", "calculated", "up,down", "min_healthy=1"),
		inline(t, "all", "calculated", "up,down", "min_healthy=2"),
		inline(t, "inv", "tcp", deadAddr, "fall=1", "invert=true"),
		inline(t, "nested", "calculated", "any,inv"),
		inline(t, "nested-all", "calculated", "all,inv", "min_healthy=2"),
		inline(t, "off", "tcp", deadAddr, "disabled=true"),
	}
	set, err := e.Apply("test", specs)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	waitFor(t, "ready", set.Ready)
	check := func(want map[string]bool) {
		t.Helper()
		for name, w := range want {
			h, ok := set.Handle(name)
			if !ok {
				t.Fatalf("no handle %s", name)
			}
			if h.Up() != w {
				t.Errorf("%s: up %v, want %v", name, h.Up(), w)
			}
		}
	}
	check(map[string]bool{"up": true, "down": false, "any": true, "all": false, "inv": true,
		"nested": true, "nested-all": false, "off": true})
	if !e.SetOverride("up", OverrideDown) {
		t.Fatal("override: no such check")
	}
	check(map[string]bool{"up": false, "any": false, "nested": true})
	if h, _ := set.Handle("up"); h.Status().Override != OverrideDown {
		t.Error("override not visible in status")
	}
	e.SetOverride("inv", OverrideDown)
	check(map[string]bool{"nested": false})
	e.SetOverride("up", OverrideNone)
	e.SetOverride("inv", OverrideNone)
	check(map[string]bool{"up": true, "any": true, "nested": true})
	if e.SetOverride("nope", OverrideUp) {
		t.Error("override of an unknown check succeeded")
	}
}

func TestDedupeAcrossOwners(t *testing.T) {
	srv, _ := toggleServer(t)
	e := New(Options{})
	a, err := e.Apply("corefile", []Spec{inline(t, "web", "http", srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Apply("policy", []Spec{inline(t, "www", "http", srv.URL), inline(t, "other", "http", srv.URL, "fall=1")})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Len(); n != 2 {
		t.Errorf("%d checks running, want 2 (web and www are one)", n)
	}
	ha, _ := a.Handle("web")
	hb, _ := b.Handle("www")
	if ha.r != hb.r {
		t.Error("identical checks not shared")
	}
	infos := e.Checks()
	if len(infos) != 2 || len(infos[0].Owners) != 1 || infos[0].Name != "other" || len(infos[1].Names) != 2 {
		t.Errorf("checks: %+v", infos)
	}
	a.Close()
	if n := e.Len(); n != 2 {
		t.Errorf("after closing one owner: %d checks, want 2", n)
	}
	if _, ok := e.Handle("web"); ok {
		t.Error("closed owner's name still resolves")
	}
	b.Close()
	if n := e.Len(); n != 0 {
		t.Errorf("after closing all: %d checks", n)
	}
}

// TestReloadKeepsChecksNoLeak replaces a set 100 times as a Corefile reload does:
// prepare and start the new one, close the old one. The unchanged check keeps its
// runner; nothing leaks.
func TestReloadKeepsChecksNoLeak(t *testing.T) {
	srv, _ := toggleServer(t)
	before := runtime.NumGoroutine()
	e := New(Options{})
	stable := inline(t, "stable", "http", srv.URL, "interval=1s", "timeout=500ms")
	old, err := e.Apply("corefile", []Spec{stable})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := old.Handle("stable")
	for i := range 100 {
		next, err := e.Apply("corefile", []Spec{stable,
			inline(t, "changing", "http", fmt.Sprintf("%s/%d", srv.URL, i), "interval=1s", "timeout=500ms"),
			inline(t, "calc", "calculated", "stable,changing")})
		if err != nil {
			t.Fatal(err)
		}
		old.Close()
		old = next
		if h, _ := next.Handle("stable"); h.r != first.r {
			t.Fatalf("reload %d restarted the unchanged check", i)
		}
	}
	if n := e.Len(); n != 3 {
		t.Errorf("%d checks after reloads, want 3", n)
	}
	old.Close()
	if n := e.Len(); n != 0 {
		t.Errorf("%d checks after close", n)
	}
	srv.CloseClientConnections()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before+2 })
}

func TestPrepareErrors(t *testing.T) {
	e := New(Options{})
	_, err := e.Prepare("x", []Spec{inline(t, "c", "calculated", "nope")})
	if err == nil || err.Error() != `test:1: checks.c.children: unknown check "nope"` {
		t.Errorf("got %v", err)
	}
	_, err = e.Prepare("x", []Spec{inline(t, "a", "tcp", "x:1"), inline(t, "a", "tcp", "x:2")})
	if err == nil {
		t.Error("duplicate names accepted")
	}
	s := inline(t, "tls", "https", "https://x/", "ca=/does/not/exist")
	if _, err = e.Prepare("x", []Spec{s}); err == nil {
		t.Error("missing CA file accepted")
	}
	if e.Len() != 0 {
		t.Error("failed prepare left checks behind")
	}
}

// TestRestartOneChain stops a check and starts it again through another Set that
// resolved it while it ran: exactly one probe schedule must remain.
func TestRestartOneChain(t *testing.T) {
	srv, _ := toggleServer(t)
	clk := newFakeClock()
	probes := make(chan Result, 100)
	e := New(Options{Clock: clk, OnProbe: func(_ Type, r Result) { probes <- r }})
	spec := inline(t, "web", "http", srv.URL)
	a, err := e.Apply("a", []Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	<-probes
	clk.waitTimers(t, 1)
	b, err := e.Prepare("b", []Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	b.Start()
	defer b.Close()
	<-probes
	clk.waitTimers(t, 1)
	time.Sleep(20 * time.Millisecond)
	if n := clk.pending(); n != 1 {
		t.Errorf("%d probe schedules after a restart, want 1", n)
	}
	if e.Len() != 1 {
		t.Errorf("%d checks, want 1", e.Len())
	}
}

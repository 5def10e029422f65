package healthcheck

import (
	"net"
	"sync"
	"testing"
)

// TestSetVerdict: an external verdict stands in for the engine's own probes as
// the probe state; inversion, overrides and calculated parents apply to it;
// disabled and calculated checks ignore it; the engine's own state stays
// visible (Observed) and its changes are still reported.
func TestSetVerdict(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	e := New(Options{Clock: newFakeClock()})
	var mu sync.Mutex
	var trs []Transition
	defer e.Subscribe(func(tr Transition) { mu.Lock(); trs = append(trs, tr); mu.Unlock() })()
	set, err := e.Apply("test", []Spec{
		inline(t, "up", "tcp", ln.Addr().String(), "fall=1"),
		inline(t, "down", "tcp", deadAddr, "fall=1"),
		inline(t, "inv", "tcp", ln.Addr().String(), "fall=1", "invert=true"),
		inline(t, "off", "tcp", deadAddr, "disabled=true"),
		inline(t, "any", "calculated", "up,down", "min_healthy=1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	waitFor(t, "ready", set.Ready)
	up := func(name string) bool { h, _ := set.Handle(name); return h.Up() }

	tests := []struct {
		name    string
		verdict Verdict
		applies bool
		want    map[string]bool
	}{
		{"up", VerdictUnhealthy, true, map[string]bool{"up": false, "any": false}},
		{"down", VerdictHealthy, true, map[string]bool{"down": true, "any": true}},
		{"up", VerdictNone, true, map[string]bool{"up": true, "any": true}},
		{"inv", VerdictUnhealthy, true, map[string]bool{"inv": true}}, // inverted: unhealthy is up
		{"off", VerdictUnhealthy, false, map[string]bool{"off": true}},
		{"any", VerdictUnhealthy, false, map[string]bool{"any": true}},
		{"nope", VerdictHealthy, false, nil},
	}
	for _, tc := range tests {
		if got := e.SetVerdict(tc.name, tc.verdict); got != tc.applies {
			t.Errorf("SetVerdict(%s, %v) = %v, want %v", tc.name, tc.verdict, got, tc.applies)
		}
		for name, w := range tc.want {
			if up(name) != w {
				t.Errorf("after SetVerdict(%s, %v): %s up %v, want %v", tc.name, tc.verdict, name, up(name), w)
			}
		}
	}
	h, _ := set.Handle("down")
	if st := h.Status(); !st.Healthy || st.Observed || st.Verdict != VerdictHealthy {
		t.Errorf("down under a healthy verdict: %+v, want Healthy, not Observed", st)
	}
	if e.SetOverride("down", OverrideDown); up("down") {
		t.Error("an operator's override must beat the verdict")
	}
	mu.Lock()
	defer mu.Unlock()
	var downUp bool
	for _, tr := range trs {
		downUp = downUp || tr.Name == "down" && tr.Changed && tr.Up
	}
	if !downUp {
		t.Errorf("no transition for the verdict taking down up: %+v", trs)
	}
}

// TestVerdictKeepsObserving: under a verdict, a change of the engine's own
// probe state still yields a Transition (ObservedChanged) without moving Up.
func TestVerdictKeepsObserving(t *testing.T) {
	srv, healthy := toggleServer(t)
	clk := newFakeClock()
	probes := make(chan Result, 100)
	e := New(Options{Clock: clk, OnProbe: func(_ Type, r Result) { probes <- r }})
	trs := make(chan Transition, 100)
	defer e.Subscribe(func(tr Transition) { trs <- tr })()
	set, err := e.Apply("test", []Spec{inline(t, "web", "http", srv.URL, "fall=1")})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	<-probes
	<-trs // first result
	e.SetVerdict("web", VerdictHealthy)
	healthy.Store(false)
	clk.waitTimers(t, 1)
	clk.Advance(DefaultInterval)
	<-probes
	tr := <-trs
	if !tr.ObservedChanged || tr.Observed || tr.Changed || !tr.Up {
		t.Errorf("own probe failed under a healthy verdict: %+v, want ObservedChanged, up", tr)
	}
}

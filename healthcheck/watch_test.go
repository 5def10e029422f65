package healthcheck

import (
	"errors"
	"sync"
	"testing"
)

// fakeSource is a Source whose watches the test drives by hand.
type fakeSource struct {
	mu      sync.Mutex
	opened  int
	watches []*fakeWatch
	openErr error
}

type fakeWatch struct {
	mu      sync.Mutex
	report  func(Result)
	started int
	stopped int
}

func (f *fakeSource) Open(s *Spec) (Watch, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.openErr != nil {
		return nil, f.openErr
	}
	f.opened++
	w := &fakeWatch{}
	f.watches = append(f.watches, w)
	return w, nil
}

func (w *fakeWatch) Start(report func(Result)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.report = report
	w.started++
}

func (w *fakeWatch) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped++
}

func (w *fakeWatch) push(r Result) {
	w.mu.Lock()
	report := w.report
	w.mu.Unlock()
	report(r)
}

func TestWatchedCheck(t *testing.T) {
	src := &fakeSource{}
	e := New(Options{Sources: map[Type]Source{TypeKubernetes: src}})
	var trs []Transition
	var mu sync.Mutex
	e.Subscribe(func(tr Transition) { mu.Lock(); trs = append(trs, tr); mu.Unlock() })
	spec := inline(t, "web", "kubernetes", "shop/web")
	a, err := e.Apply("a", []Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Apply("b", []Spec{spec}) // same check: one watch
	if err != nil {
		t.Fatal(err)
	}
	if len(src.watches) != 1 || src.watches[0].started != 1 {
		t.Fatalf("watches: %d opened, first started %d times", len(src.watches), src.watches[0].started)
	}
	w := src.watches[0]
	h, _ := a.Handle("web")
	if st := h.Status(); !st.Up || st.Probed || a.Ready() {
		t.Fatalf("before any report: %+v", st)
	}

	steps := []struct {
		res          Result
		up, probed   bool
		transitioned bool
	}{
		{Result{Kind: KindUnknown, Detail: "apiserver unreachable"}, true, false, true}, // initial state kept
		{Result{Kind: KindUnknown, Detail: "apiserver unreachable"}, true, false, false},
		{Result{OK: true, Kind: KindOK, Detail: "2 of 2 endpoints ready"}, true, true, true},
		{Result{Kind: "not_ready", Detail: "0 of 2 ready"}, false, true, true}, // down at once: no fall hysteresis
		{Result{Kind: KindUnknown, Detail: "401"}, false, false, true},         // last known state kept
		{Result{OK: true, Kind: KindOK}, true, true, true},
	}
	for i, s := range steps {
		mu.Lock()
		n := len(trs)
		mu.Unlock()
		w.push(s.res)
		st := h.Status()
		if st.Up != s.up || st.Probed != s.probed || st.Results[0].Kind != s.res.Kind || st.Results[0].At.IsZero() {
			t.Errorf("step %d: up %v probed %v result %+v, want up %v probed %v", i, st.Up, st.Probed, st.Results[0], s.up, s.probed)
		}
		mu.Lock()
		got := len(trs) > n
		if got && (trs[len(trs)-1].Probed != s.probed || trs[len(trs)-1].Reason.Detail != s.res.Detail) {
			t.Errorf("step %d: transition %+v", i, trs[len(trs)-1])
		}
		mu.Unlock()
		if got != s.transitioned {
			t.Errorf("step %d: transition %v, want %v", i, got, s.transitioned)
		}
	}
	if !a.Ready() {
		t.Error("not ready after a known result")
	}
	a.Close()
	if w.stopped != 0 {
		t.Fatal("stopped while b holds it")
	}
	b.Close()
	if w.stopped != 1 {
		t.Fatalf("stopped %d times", w.stopped)
	}
	w.push(Result{Kind: "not_ready"}) // late: dropped
	if !h.Status().Up {
		t.Error("a report after Stop changed the state")
	}
}

func TestWatchOpenError(t *testing.T) {
	src := &fakeSource{openErr: errors.New("checks.web.kubeconfig: no such file")}
	e := New(Options{Sources: map[Type]Source{TypeKubernetes: src}})
	if _, err := e.Prepare("a", []Spec{inline(t, "web", "kubernetes", "shop/web")}); err == nil || err.Error() != src.openErr.Error() {
		t.Fatalf("got %v", err)
	}
	// A disabled check is opened (its configuration checked) but never watched.
	src.openErr = nil
	s := inline(t, "web", "kubernetes", "shop/web", "disabled=true")
	set, err := e.Apply("a", []Spec{s})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if src.watches[0].started != 0 || !set.Ready() {
		t.Errorf("disabled: started %d, ready %v", src.watches[0].started, set.Ready())
	}
}

func TestCalculatedOverWatched(t *testing.T) {
	src := &fakeSource{}
	e := New(Options{Sources: map[Type]Source{TypeKubernetes: src}})
	set, err := e.Apply("a", []Spec{inline(t, "web", "kubernetes", "shop/web"), inline(t, "api", "kubernetes", "shop/api"),
		inline(t, "both", "calculated", "web,api", "min_healthy=2")})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	both, _ := set.Handle("both")
	src.watches[0].push(Result{OK: true, Kind: KindOK})
	src.watches[1].push(Result{OK: true, Kind: KindOK})
	if st := both.Status(); !st.Up || !st.Probed {
		t.Fatalf("both: %+v", st)
	}
	src.watches[1].push(Result{Kind: "not_ready"})
	if both.Up() {
		t.Error("calculated check did not follow its watched child")
	}
	src.watches[1].push(Result{Kind: KindUnknown, Detail: "x"})
	if both.Status().Probed {
		t.Error("calculated check probed while a child is unknown")
	}
}

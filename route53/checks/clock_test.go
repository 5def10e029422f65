package checks

import (
	"sync"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// fakeClock is a manual clock for the engine: timers fire only when Advance passes
// their deadline, so a 10 s RequestInterval costs the test milliseconds.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	f    func()
	when time.Time
	done bool
	clk  *fakeClock
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) AfterFunc(d time.Duration, fn func()) healthcheck.Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{f: fn, when: f.now.Add(d), clk: f}
	if d <= 0 {
		t.done = true
		go fn()
		return t
	}
	f.timers = append(f.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (f *fakeClock) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, t := range f.timers {
		if !t.done {
			n++
		}
	}
	return n
}

// waitTimers blocks until n timers wait.
func (f *fakeClock) waitTimers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %d timers, have %d", n, f.pending())
		}
		time.Sleep(time.Millisecond)
	}
}

// Advance moves time forward and fires every timer that is due.
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	keep := f.timers[:0]
	for _, t := range f.timers {
		if t.done {
			continue
		}
		if !t.when.After(f.now) {
			t.done = true
			go t.f()
			continue
		}
		keep = append(keep, t)
	}
	f.timers = keep
}

var _ healthcheck.Clock = (*fakeClock)(nil)

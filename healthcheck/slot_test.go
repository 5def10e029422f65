package healthcheck

import (
	"testing"
	"time"
	"unsafe"
)

// wallClock is a clock whose Now is a fixed instant.
type wallClock struct{ now time.Time }

func (c wallClock) Now() time.Time                            { return c.now }
func (c wallClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// A probe due in 5 s fires in 5 s plus less than one slot, whatever the wall clock
// did meanwhile: the wait is monotonic, only the rounding to the slot end is not.
// (A wall step is simulated with a Now that lacks the monotonic reading and sits an
// hour away: t.Sub then falls back to wall time, as it would after a real step
// without the monotonic clock, so the test pins that the wall-only part of the
// computation is the sub-slot rounding.)
func TestUntilSlot(t *testing.T) {
	now := time.Now()
	next := now.Add(5 * time.Second)
	e := &Engine{clock: wallClock{now}, grid: probeSlot}
	d := e.untilSlot(next)
	if d < 5*time.Second || d >= 5*time.Second+probeSlot {
		t.Errorf("wait %v, want in [5s, 5s + %v)", d, probeSlot)
	}
	// Every probe fires at a slot end of the wall clock.
	if end := now.Round(0).Add(d); end.Truncate(probeSlot) != end {
		t.Errorf("fires at %v, not at a slot end", end)
	}
	// Without slots the wait is exact.
	e = &Engine{clock: wallClock{now}}
	if d := e.untilSlot(next); d != 5*time.Second {
		t.Errorf("unslotted wait %v, want 5s", d)
	}
}

// shiftWall moves t's wall-clock reading by d and keeps its monotonic reading: what
// time.Now returns after the system clock was stepped by d (NTP, a VM resumed).
func shiftWall(t *testing.T, tm time.Time, d time.Duration) time.Time {
	type rep struct {
		wall uint64
		ext  int64
		loc  *time.Location
	}
	r := (*rep)(unsafe.Pointer(&tm))
	const hasMonotonic = 1 << 63
	if r.wall&hasMonotonic == 0 {
		t.Skip("no monotonic reading")
	}
	r.wall = uint64(int64(r.wall) + int64(d/time.Second)<<30)
	return tm
}

// A wall clock stepped an hour back or forward neither freezes probes for an hour
// nor fires them back to back (found by review: the first slot code rounded t with
// Truncate, which drops the monotonic reading).
func TestUntilSlotWallClockStep(t *testing.T) {
	now := time.Now()
	next := now.Add(5 * time.Second)
	for _, step := range []time.Duration{-time.Hour, time.Hour} {
		e := &Engine{clock: wallClock{shiftWall(t, now, step)}, grid: probeSlot}
		if d := e.untilSlot(next); d < 5*time.Second || d >= 5*time.Second+probeSlot {
			t.Errorf("wall clock stepped %v: next probe in %v, want in [5s, 5s + %v)", step, d, probeSlot)
		}
	}
}

package healthcheck

import "testing"

func TestMachineHysteresis(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		initial    Initial
		results    string // s = success, f = failure
		want       string // state after each result: U or D
	}{
		{"healthy start, fall 3", 2, 3, InitialHealthy, "fffs", "UUDD"},
		{"flap does not flip", 2, 3, InitialHealthy, "ffsffsff", "UUUUUUUU"},
		{"down then rise 2", 2, 1, InitialHealthy, "fssfs", "DDUDD"},
		{"rise resets on failure", 3, 1, InitialHealthy, "fssfsss", "DDDDDDU"},
		{"unhealthy start, first success is up", 3, 3, InitialUnhealthy, "sfff", "UUUD"},
		{"unhealthy start, failures stay down", 2, 2, InitialUnhealthy, "ffss", "DDDU"},
		{"unhealthy start, later needs rise", 2, 1, InitialUnhealthy, "fsfss", "DDDDU"},
		{"rise 1 fall 1", 1, 1, InitialHealthy, "fsfs", "DUDU"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Spec{Rise: tc.rise, Fall: tc.fall, Initial: tc.initial}
			m := newMachine(&s)
			got := ""
			for _, r := range tc.results {
				m.observe(r == 's')
				if m.up {
					got += "U"
				} else {
					got += "D"
				}
			}
			if got != tc.want {
				t.Errorf("results %s: got %s, want %s", tc.results, got, tc.want)
			}
		})
	}
}

func TestEffective(t *testing.T) {
	tests := []struct {
		healthy, invert, disabled bool
		o                         Override
		want                      bool
	}{
		{true, false, false, OverrideNone, true},
		{false, false, false, OverrideNone, false},
		{true, true, false, OverrideNone, false},
		{false, true, false, OverrideNone, true},
		{false, false, true, OverrideNone, true},
		{false, true, true, OverrideNone, true},
		{true, false, false, OverrideDown, false},
		{false, false, false, OverrideUp, true},
		{true, false, true, OverrideDown, false},
	}
	for i, tc := range tests {
		s := Spec{Invert: tc.invert, Disabled: tc.disabled}
		if got := effective(tc.healthy, &s, tc.o); got != tc.want {
			t.Errorf("%d: effective(%+v) = %v, want %v", i, tc, got, tc.want)
		}
	}
}

func TestEWMA(t *testing.T) {
	if got := ewma(0, 100); got != 100 {
		t.Errorf("first sample: got %d", got)
	}
	if got := ewma(100, 200); got != 130 {
		t.Errorf("got %d, want 130", got)
	}
}

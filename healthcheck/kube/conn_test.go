package kube

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestConnStalled: which outcomes leave a namespace stalled (revive lists it again
// once the apiserver is ready): an outage, and a 401/403 only while it follows
// one, for refusalGrace; an answer clears everything.
func TestConnStalled(t *testing.T) {
	boom := errors.New("boom")
	const res = "shop/services"
	for _, tc := range []struct {
		name  string
		steps []outcome // nil error for plain, boom otherwise
		want  bool
	}{
		{"outage", []outcome{unreachable}, true},
		{"outage then answer", []outcome{unreachable, plain}, false},
		{"refusal alone: RBAC says no", []outcome{refusal}, false},
		{"refusal after an outage: the apiserver starting", []outcome{unreachable, refusal}, true},
		{"refusals after an outage, within the grace", []outcome{unreachable, refusal, refusal, refusal}, true},
		{"refusal after an answer", []outcome{unreachable, plain, refusal}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newConn(nil)
			for _, o := range tc.steps {
				var err error
				if o != plain {
					err = boom
				}
				c.record(res, err, o)
			}
			if got := slices.Contains(c.stalledSpaces(), "shop"); got != tc.want {
				t.Errorf("stalled = %v, want %v", got, tc.want)
			}
		})
	}

	// Past the grace a refusal is what it says.
	c := newConn(nil)
	c.record(res, boom, unreachable)
	c.record(res, boom, refusal)
	c.refusedSince[res] = time.Now().Add(-refusalGrace - time.Second)
	c.record(res, boom, refusal)
	if len(c.stalledSpaces()) != 0 {
		t.Errorf("a refusal %v after the outage still stalls", refusalGrace)
	}
}

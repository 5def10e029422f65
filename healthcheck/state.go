package healthcheck

import (
	"time"
)

// Kind classifies a probe result; it is the "result" label of the probe metrics.
type Kind string

// Result kinds.
const (
	KindOK       Kind = "ok"
	KindTimeout  Kind = "timeout"
	KindRefused  Kind = "refused"
	KindTLS      Kind = "tls"
	KindStatus   Kind = "status"      // HTTP status code not expected
	KindBody     Kind = "body"        // match string not found
	KindRcode    Kind = "rcode"       // DNS rcode not expected
	KindAnswer   Kind = "answer"      // DNS answer missing
	KindNotServe Kind = "not_serving" // gRPC health not SERVING
	KindError    Kind = "error"       // anything else (DNS resolution, reset, protocol)
	KindPanic    Kind = "panic"
)

// Result is the outcome of one probe.
type Result struct {
	At      time.Time     `json:"at"`
	OK      bool          `json:"ok"`
	Kind    Kind          `json:"result"`
	Code    int           `json:"code,omitempty"` // HTTP status or DNS rcode
	Detail  string        `json:"detail,omitempty"`
	Latency time.Duration `json:"latency_ns"`
}

// Override is an operator's forced state for a check.
type Override int8

// Overrides: none, forced up, forced down (drain).
const (
	OverrideNone Override = iota
	OverrideUp
	OverrideDown
)

func (o Override) String() string {
	switch o {
	case OverrideUp:
		return "up"
	case OverrideDown:
		return "down"
	}
	return ""
}

// ParseOverride parses "up", "down" or "none"/"" .
func ParseOverride(s string) (Override, bool) {
	switch s {
	case "up", "healthy":
		return OverrideUp, true
	case "down", "unhealthy", "drain":
		return OverrideDown, true
	case "", "none", "clear":
		return OverrideNone, true
	}
	return OverrideNone, false
}

// Status is an immutable snapshot of one check, republished after every change.
type Status struct {
	Up       bool      // effective: probes + hysteresis, inversion, disabled, override
	Healthy  bool      // probe state before inversion and override: Verdict's, or else Observed
	Observed bool      // this engine's own probe state after hysteresis (calculated: = Healthy)
	Verdict  Verdict   // an external verdict in force over Observed (Engine.SetVerdict)
	Since    time.Time // when Up last changed
	Override Override
	Probed   bool          // at least one result is in (calculated: all children probed)
	Results  []Result      // newest first, at most HistorySize
	Latency  time.Duration // last successful probe
	EWMA     time.Duration // exponentially weighted moving average of successful probes
	Probes   uint64
}

// HistorySize is how many results a Status keeps.
const HistorySize = 10

// ewmaWeight is the weight of a new latency sample.
const ewmaWeight = 0.3

// machine is the rise/fall hysteresis of one check: rise consecutive successes take
// a down check up, fall consecutive failures take an up check down. A check that
// starts unhealthy goes up on its first success.
type machine struct {
	rise, fall int
	up         bool
	first      bool // no result yet
	initial    Initial
	succ, fail int
}

func newMachine(s *Spec) machine {
	return machine{rise: s.Rise, fall: s.Fall, up: s.Initial != InitialUnhealthy, first: true, initial: s.Initial}
}

// observe records one result and reports whether the state changed.
func (m *machine) observe(ok bool) bool {
	first := m.first
	m.first = false
	if ok {
		m.succ++
		m.fail = 0
		if !m.up && (m.succ >= m.rise || first && m.initial == InitialUnhealthy) {
			m.up = true
			return true
		}
		return false
	}
	m.fail++
	m.succ = 0
	if m.up && m.fail >= m.fall {
		m.up = false
		return true
	}
	return false
}

// effective combines the probe state with inversion, disabled and override.
func effective(healthy bool, s *Spec, o Override) bool {
	switch {
	case o == OverrideUp:
		return true
	case o == OverrideDown:
		return false
	case s.Disabled:
		return true
	}
	return healthy != s.Invert
}

// ewma folds sample into avg.
func ewma(avg, sample time.Duration) time.Duration {
	if avg == 0 {
		return sample
	}
	return avg + time.Duration(ewmaWeight*float64(sample-avg))
}

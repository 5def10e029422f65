package healthcheck

// Verdict is a probed check's health as decided outside this engine: by the
// checkers of every vantage point together (Route 53's rule: healthy when more
// than a threshold of them say so). When one is set it stands in for the
// engine's own probe state (Status.Observed) as Status.Healthy; inversion,
// disabled and overrides then apply to it as they do to probes, and calculated
// checks above follow. The read side is unchanged: Handle.Up stays one atomic
// load, because a verdict is published as a new Status like any result.
type Verdict int8

// Verdicts: none (the engine's own probes decide), healthy, unhealthy.
const (
	VerdictNone Verdict = iota
	VerdictHealthy
	VerdictUnhealthy
)

func (v Verdict) String() string {
	switch v {
	case VerdictHealthy:
		return "healthy"
	case VerdictUnhealthy:
		return "unhealthy"
	}
	return ""
}

// apply is the probe state under v, observed being the engine's own.
func (v Verdict) apply(observed bool) bool {
	switch v {
	case VerdictHealthy:
		return true
	case VerdictUnhealthy:
		return false
	}
	return observed
}

// SetVerdict puts v in force over the engine's own probes of every probed
// check called name (VerdictNone gives the decision back to them). Calculated
// and disabled checks ignore it: Route 53 computes the first from their
// children and holds the second healthy. It reports whether a check it
// applies to exists.
func (e *Engine) SetVerdict(name string, v Verdict) bool {
	e.mu.Lock()
	rs := make([]*runner, 0, 1)
	for _, r := range e.byName[name] {
		if r.prober != nil {
			rs = append(rs, r)
		}
	}
	e.mu.Unlock()
	for _, r := range rs {
		if old := r.setVerdict(e, v); old != nil {
			e.changed(r, old)
		}
	}
	return len(rs) > 0
}

// setVerdict publishes a new verdict; it returns the previous Status when the
// effective state changed, or nil.
func (r *runner) setVerdict(e *Engine, v Verdict) *Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.status.Load()
	if old.Verdict == v {
		return nil
	}
	n := *old
	n.Verdict = v
	n.Healthy = v.apply(n.Observed)
	n.Up = effective(n.Healthy, r.spec, n.Override)
	if n.Up == old.Up {
		r.status.Store(&n)
		return nil
	}
	n.Since = e.clock.Now()
	r.status.Store(&n)
	return old
}

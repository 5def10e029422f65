package healthcheck

import (
	"fmt"
)

// A Source runs an event-driven check kind: rather than being probed on a timer, the
// check's state is pushed by a watcher (healthcheck/kube watches Kubernetes
// EndpointSlices) the moment it changes. Register one per Type in Options.Sources;
// the core package knows the type's fields, the Source knows how to watch.
type Source interface {
	// Open prepares watching what s describes, at Prepare time, so configuration
	// errors (an unreadable kubeconfig) reject the Set with the check's file, line
	// and field. It starts nothing.
	Open(s *Spec) (Watch, error)
}

// A Watch is one check's event source, opened by a Source.
type Watch interface {
	// Start begins watching and pushing results through report, which is safe to
	// call from any goroutine but must not be called before Start returns: Start
	// runs while the engine is locked. The first report should come as soon as the
	// state is known.
	//
	// A result with OK true or false is the state (no rise/fall hysteresis: the
	// watcher reports changes, not samples). A result of Kind KindUnknown says the
	// state cannot be known now (its source is unreachable): the check keeps its last
	// known state (or its initial state) and reads as not probed until the next
	// OK or failed result.
	Start(report func(Result))
	// Stop ends the watch. It runs while the engine is locked, so it must not wait
	// for a report in flight; the engine drops reports that come after Stop.
	Stop()
}

// KindUnknown is a watcher's "state cannot be known now".
const KindUnknown Kind = "unknown"

// openWatch opens the Watch of a check whose type has a Source.
func (e *Engine) openWatch(s *Spec) (Watch, bool, error) {
	src, ok := e.sources[s.Type]
	if !ok {
		if s.Type == TypeKubernetes {
			return nil, true, s.fieldErr("type", "kubernetes checks are not available here (no watcher for them is registered)")
		}
		return nil, false, nil
	}
	w, err := src.Open(s)
	if err != nil {
		return nil, true, err
	}
	if w == nil {
		return nil, true, fmt.Errorf("checks.%s: source for type %s opened no watch", s.Name, s.Type)
	}
	return w, true, nil
}

// startWatch runs under Engine.mu when the first Set takes a watched runner.
func (r *runner) startWatch(e *Engine) {
	r.watching.Store(true)
	r.watch.Start(func(res Result) {
		if r.watching.Load() {
			r.report(e, res)
		}
	})
}

// stopWatch runs under Engine.mu when the last Set releases a watched runner.
func (r *runner) stopWatch() {
	r.watching.Store(false)
	r.watch.Stop()
}

// report folds one pushed result into the state and tells subscribers.
func (r *runner) report(e *Engine, res Result) {
	if res.At.IsZero() {
		res.At = e.clock.Now()
	}
	var old *Status
	if res.Kind == KindUnknown {
		res.OK = false
		old = r.unknown(res)
	} else {
		old = r.record(res)
	}
	if old != nil {
		e.changed(r, old)
	}
}

// unknown records that the state cannot be known: the last known state stays, the
// check reads as not probed, and the result (with its reason) goes into the history.
// It returns the previous Status unless this repeats the last result.
func (r *runner) unknown(res Result) *Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.status.Load()
	if !old.Probed && len(old.Results) > 0 && old.Results[0].Kind == KindUnknown && old.Results[0].Detail == res.Detail {
		return nil // the same reason again: nothing new
	}
	n := *old
	n.Probed = false
	k := min(len(old.Results)+1, HistorySize)
	n.Results = make([]Result, k)
	n.Results[0] = res
	copy(n.Results[1:], old.Results)
	r.status.Store(&n)
	return old
}

package console

import (
	"net/http"
	"sync"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// maxTransitions is how many transitions GET /api/health lists.
const maxTransitions = 200

// transitionDoc is one state change of a check (GET /api/health, event health).
type transitionDoc struct {
	Check    string    `json:"check"`
	Up       bool      `json:"up"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	Override string    `json:"override,omitempty"`
}

// transitions keeps the last ones seen, newest last.
type transitions struct {
	mu   sync.Mutex
	ring []transitionDoc
}

func (t *transitions) add(d transitionDoc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.ring) >= maxTransitions {
		t.ring = append(t.ring[:0], t.ring[1:]...)
	}
	t.ring = append(t.ring, d)
}

// newestFirst copies the ring, newest first.
func (t *transitions) newestFirst() []transitionDoc {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]transitionDoc, len(t.ring))
	for i, d := range t.ring {
		out[len(t.ring)-1-i] = d
	}
	return out
}

func transitionOf(tr hc.Transition) transitionDoc {
	d := transitionDoc{Check: tr.Name, Up: tr.Up, At: tr.At.UTC(), Override: tr.Override.String()}
	if r := tr.Reason; r.Kind != "" && !r.OK {
		d.Reason = string(r.Kind)
		if r.Detail != "" {
			d.Reason += ": " + r.Detail
		}
	}
	return d
}

// onTransition is the engine's callback (in the prober's goroutine: it must not
// block): kept for GET /api/health and handed to the event streams.
func (s *Server) onTransition(tr hc.Transition) {
	if !tr.Changed && !tr.OverrideChanged {
		return
	}
	d := transitionOf(tr)
	s.trans.add(d)
	s.hub.broadcast(event{name: "health", data: d})
}

// checkDoc is one check of GET /api/health: the status API's view plus the
// observations of each vantage point.
type checkDoc struct {
	hc.CheckView
	CallerReference string       `json:"caller_reference,omitempty"` // Route 53's name of the check
	Checkers        []checkerDoc `json:"checkers"`
}

type checkerDoc struct {
	ID          string          `json:"id"`
	Up          bool            `json:"up"`
	LastResults []hc.ResultView `json:"last_results"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	checks := []checkDoc{}
	if s.cfg.Engine != nil {
		refs := checkRefs(r.Context(), s.cfg.Store)
		for _, info := range s.cfg.Engine.Checks() {
			v := info.View()
			checks = append(checks, checkDoc{CheckView: v, CallerReference: refs[v.Name],
				Checkers: []checkerDoc{{ID: "local", Up: v.Healthy, LastResults: v.LastResults}}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": checks, "transitions": s.trans.newestFirst()})
}

package console

import (
	"net/http"
	"strings"
	"sync"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
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
	LastResults []hc.ResultView `json:"last_results,omitempty"` // this process's probes
	// A peer replica's last observation, as GetHealthCheckStatus lists it.
	Status      string     `json:"status,omitempty"`
	CheckedTime *time.Time `json:"checked_time,omitempty"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	checks := []checkDoc{}
	if s.cfg.Engine != nil {
		stored := storedChecks(r.Context(), s.cfg.Store)
		for _, info := range s.cfg.Engine.Checks() {
			v := info.View()
			d := checkDoc{CheckView: v, Checkers: []checkerDoc{{ID: "local", Up: v.Healthy, LastResults: v.LastResults}}}
			if c, ok := stored[v.Name]; ok {
				d.CallerReference = c.CallerReference
				d.Checkers = append(d.Checkers, s.peers(v.Name, c.HealthCheckConfig)...)
			}
			checks = append(checks, d)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": checks, "transitions": s.trans.newestFirst()})
}

// peers are the other replicas' last observations of a check (health from every
// vantage point, through the store's presence): none with a one-process store.
// The first observation Replica.Observations returns is this process's own,
// already drawn from the engine with its probe results.
func (s *Server) peers(id string, c checks.HealthCheckConfig) []checkerDoc {
	if s.cfg.Replica == nil {
		return nil
	}
	obs := s.cfg.Replica.Observations(id, c, "local", s.cfg.Now())
	if len(obs) < 2 {
		return nil
	}
	out := make([]checkerDoc, 0, len(obs)-1)
	for _, o := range obs[1:] {
		at := o.StatusReport.CheckedTime
		out = append(out, checkerDoc{ID: o.Region + " " + o.IPAddress, Up: strings.HasPrefix(o.StatusReport.Status, "Success"),
			Status: o.StatusReport.Status, CheckedTime: &at})
	}
	return out
}

package console

import (
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/policy/answer"
)

func (s *Server) explain(w http.ResponseWriter, r *http.Request) {
	p, ok := s.current(w)
	if !ok {
		return
	}
	q, err := answer.ParseQuestion(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	x, err := answer.NewLive(s.live.of(p), s.cfg.Locator()).Explain(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	doc := map[string]any{"explanation": x, "answer": values(x.Answer), "ttl": x.TTL, "path": []string{}, "highlight": []string{}}
	if x.Scope != nil {
		doc["scope"] = *x.Scope
	}
	if len(x.Sets) > 0 && x.Sets[0].Trace != nil {
		doc["set"] = x.Sets[0].Set
		steps := x.Sets[0].Trace.Steps
		names := make([]string, len(steps))
		for i, st := range steps {
			names[i] = st.Node
		}
		if set := setByLabel(p.Snap, x.Sets[0].Set); set != nil {
			view := set.Tree.View()
			names = traceIDs(view, nodeIDs(view, set.Label), steps)
		}
		path, hl := []string{}, []string{}
		for i, st := range steps {
			path = append(path, names[i])
			if strings.HasPrefix(st.Result, "answer") {
				hl = append(hl, names[i])
			}
		}
		doc["path"], doc["highlight"] = path, hl
	}
	writeJSON(w, http.StatusOK, doc)
}

// values are the RDATA of answer records in presentation format.
func values(rrs []string) []string {
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		f := strings.SplitN(rr, "\t", 5)
		out = append(out, f[len(f)-1])
	}
	return out
}

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
		path, hl := []string{}, []string{}
		for _, st := range x.Sets[0].Trace.Steps {
			path = append(path, st.Node)
			if strings.HasPrefix(st.Result, "answer") {
				hl = append(hl, st.Node)
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

package console

import (
	"net/http"
	"strconv"
	"time"

	"github.com/coretraffic/coretraffic/route53"
)

func (s *Server) changes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := route53.ParseSince(v, s.cfg.Now())
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", err.Error())
			return
		}
		since = t
	}
	n := 100
	if v := q.Get("max"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > route53.MaxChangeLogItems {
			writeError(w, http.StatusBadRequest, "bad_request", "max: want 1.."+strconv.Itoa(route53.MaxChangeLogItems))
			return
		}
		n = m
	}
	resp, aerr := s.api.ListChanges(r.Context(), q.Get("zone"), since, n)
	if aerr != nil {
		writeStoreError(w, aerr)
		return
	}
	list := resp.Changes
	if list == nil {
		list = []route53.ChangeRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": list, "truncated": resp.IsTruncated})
}

func (s *Server) change(w http.ResponseWriter, r *http.Request) {
	info, aerr := s.api.GetChange(r.Context(), r.PathValue("id"))
	if aerr != nil {
		writeStoreError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) revert(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if !body.Confirm {
		writeError(w, http.StatusBadRequest, "bad_request", `a revert needs {"confirm": true}`)
		return
	}
	info, aerr := s.api.RevertChange(r.Context(), sessionOf(r).user, r.PathValue("id"))
	edits.WithLabelValues("revert", result(aerr)).Inc()
	if aerr != nil {
		writeRefusal(w, aerr, nil)
		return
	}
	s.cfg.Logf("console: %s reverted %s as %s", sessionOf(r).user, r.PathValue("id"), info.Id)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "change": info})
}

package api

import (
	"encoding/json"
	"net/http"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// logChange writes the change record of a batch inside its transaction and returns
// the ChangeInfo to answer with (PENDING: no replica serves it yet).
func (s *Server) logChange(tx store.Tx, r *http.Request, zoneID, comment string, before, after []route53.ResourceRecordSet) (route53.ChangeInfo, error) {
	now := s.cfg.Now()
	info := route53.NewChangeInfo(comment, now, nil)
	c := catalog.Change{ID: trimChangeID(info.Id), ZoneID: zoneID, Submitted: now.UTC(), Caller: caller(r), Comment: comment,
		Before: before, After: after}
	return info, putJSON(tx, catalog.ChangeKey(c.ID), &c)
}

// getChange answers GetChange: INSYNC once the replica serves the revision that
// wrote the change.
func (s *Server) getChange(r *http.Request) (int, any, *apierr.Error) {
	id := trimChangeID(r.PathValue("id"))
	var c catalog.Change
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		b, ok, err := rd.Get(catalog.ChangeKey(id))
		if err != nil {
			return err
		}
		if !ok {
			return apierr.NotFound("NoSuchChange", "A change with the specified change ID does not exist: %s", id)
		}
		return json.Unmarshal(b, &c)
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	status := route53.StatusPending
	if s.insync(id) {
		status = route53.StatusInsync
	}
	return 0, &route53.GetChangeResponse{ChangeInfo: route53.ChangeInfo{Id: "/change/" + c.ID, Status: status,
		SubmittedAt: route53.FormatTime(c.Submitted), Comment: c.Comment}}, nil
}

// insync reports whether the change is served: the replica has applied the revision
// that wrote it and published the snapshot of that revision, and so has every
// other live replica of the store (Config.Group).
func (s *Server) insync(id string) bool {
	if s.cfg.Replica == nil {
		return false
	}
	rev, ok := s.cfg.Replica.ChangeRevision(id)
	if !ok || s.cfg.Replica.Served() < rev {
		return false
	}
	return s.cfg.Group == nil || s.cfg.Group.Serves(rev)
}

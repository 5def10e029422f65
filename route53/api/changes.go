package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// logChange writes the change record of a batch inside its transaction and returns
// the ChangeInfo to answer with (PENDING: no replica serves it yet).
func (s *Server) logChange(tx store.Tx, who string, zoneID, comment string, before, after []route53.ResourceRecordSet) (route53.ChangeInfo, error) {
	now := s.cfg.Now()
	info := route53.NewChangeInfo(comment, now, nil)
	c := catalog.Change{ID: trimChangeID(info.Id), ZoneID: zoneID, Submitted: now.UTC(), Caller: who, Comment: comment,
		Before: before, After: after}
	return info, putJSON(tx, catalog.ChangeKey(c.ID), &c)
}

// getChange answers GetChange: INSYNC once the replica serves the revision that
// wrote the change.
func (s *Server) getChange(r *http.Request) (int, any, *apierr.Error) {
	info, aerr := s.changeInfo(r.Context(), r.PathValue("id"))
	if aerr != nil {
		return 0, nil, aerr
	}
	return 0, &route53.GetChangeResponse{ChangeInfo: info}, nil
}

// changeInfo is GetChange's answer for change id.
func (s *Server) changeInfo(ctx context.Context, id string) (route53.ChangeInfo, *apierr.Error) {
	id = trimChangeID(id)
	var c catalog.Change
	_, err := s.cfg.Store.View(ctx, func(rd store.Reader) error {
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
		return route53.ChangeInfo{}, storeErr(err)
	}
	status := route53.StatusPending
	if s.insync(id) {
		status = route53.StatusInsync
	}
	return route53.ChangeInfo{Id: "/change/" + c.ID, Status: status, SubmittedAt: route53.FormatTime(c.Submitted), Comment: c.Comment}, nil
}

// insync reports whether the change is served: the replica has applied the revision
// that wrote it and published the snapshot of that revision.
func (s *Server) insync(id string) bool {
	if s.cfg.Replica == nil {
		return false
	}
	rev, ok := s.cfg.Replica.ChangeRevision(id)
	return ok && s.cfg.Replica.Served() >= rev
}

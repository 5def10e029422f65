package api

import (
	"context"
	"time"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// The operations below are for a caller authenticated another way than SigV4 (the
// console's session): the same functions the HTTP operations run, with the caller
// named by the console rather than by a signature.

// Plan is what a change batch would do: the record sets it would replace or delete
// (Before) and write (After), at about store Revision.
type Plan struct {
	ZoneID        string
	Before, After []route53.ResourceRecordSet
	Revision      int64
}

// PlanRecordSets validates and applies cb to the hosted zone exactly as
// ChangeResourceRecordSets does, then rolls the transaction back: nothing changes.
// The error is the one ChangeResourceRecordSets would answer.
func (s *Server) PlanRecordSets(ctx context.Context, zoneID string, cb *route53.ChangeBatch) (*Plan, *apierr.Error) {
	p := &Plan{}
	if _, aerr := s.applyBatch(ctx, zoneID, "", cb, p); aerr != nil {
		return nil, aerr
	}
	return p, nil
}

// ChangeRecordSets is ChangeResourceRecordSets, logged with caller as its Caller.
func (s *Server) ChangeRecordSets(ctx context.Context, caller, zoneID string, cb *route53.ChangeBatch) (route53.ChangeInfo, *apierr.Error) {
	return s.applyBatch(ctx, zoneID, caller, cb, nil)
}

// RevertChange is the change log's revert of change id, logged with caller.
func (s *Server) RevertChange(ctx context.Context, caller, id string) (route53.ChangeInfo, *apierr.Error) {
	return s.revert(ctx, id, caller)
}

// GetChange is GetChange: PENDING, or INSYNC once the replica serves the change.
func (s *Server) GetChange(ctx context.Context, id string) (route53.ChangeInfo, *apierr.Error) {
	return s.changeInfo(ctx, id)
}

// ListChanges is the change log of zone (an ID or a name, "" for all) since a
// time, newest first, at most n (1..route53.MaxChangeLogItems).
func (s *Server) ListChanges(ctx context.Context, zone string, since time.Time, n int) (*route53.ListChangesResponse, *apierr.Error) {
	if n < 1 || n > route53.MaxChangeLogItems {
		return nil, apierr.InvalidInput("maxitems %d: want 1..%d", n, route53.MaxChangeLogItems)
	}
	return s.changeLog(ctx, zone, since, n)
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// revertChange applies the inverse of a logged change batch as a new change (its
// comment route53.RevertComment): what the change wrote is deleted and what it
// replaced or deleted is created again, all or nothing, validated like any batch.
// When the zone has moved on so that the inverse conflicts — a record set the
// change wrote was changed or deleted since, or one it deleted exists again — the
// revert is refused with InvalidChangeBatch and changes nothing. A zone's creation
// and deletion are not reverted here (DeleteHostedZone, CreateHostedZone).
func (s *Server) revertChange(r *http.Request) (int, any, *apierr.Error) {
	info, aerr := s.revert(r.Context(), r.PathValue("id"), caller(r))
	if aerr != nil {
		return 0, nil, aerr
	}
	return 0, &route53.RevertChangeResponse{ChangeInfo: info}, nil
}

// revert is RevertChange of change id, logged as who's.
func (s *Server) revert(ctx context.Context, id, who string) (route53.ChangeInfo, *apierr.Error) {
	id = trimChangeID(id)
	var info route53.ChangeInfo
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		b, ok, err := tx.Get(catalog.ChangeKey(id))
		if err != nil {
			return err
		}
		if !ok {
			return apierr.NotFound("NoSuchChange", "A change with the specified change ID does not exist: %s", id)
		}
		var c catalog.Change
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		z, err := zoneOf(tx, c.ZoneID)
		if err != nil {
			return err
		}
		if isZoneCreation(z, &c) {
			return apierr.InvalidChangeBatch(fmt.Sprintf("Change %s created hosted zone %s: delete the zone with DeleteHostedZone instead", c.ID, z.Name))
		}
		cb := route53.ChangeBatch{Comment: route53.RevertComment(c.ID)}
		// The names to read are those of every record set c touched and their
		// alias targets', as a batch of all of them would read.
		touched := route53.ChangeBatch{}
		for _, rs := range append(append([]route53.ResourceRecordSet(nil), c.Before...), c.After...) {
			touched.Changes = append(touched.Changes, route53.Change{ResourceRecordSet: rs})
		}
		names, err := batchNames(tx, z, &touched)
		if err != nil {
			return err
		}
		current := map[string]route53.ResourceRecordSet{}
		var cur []route53.ResourceRecordSet
		for name := range names {
			if err := scanRecordSets(tx, catalog.NameRecords(z.ID, name), "", func(key string, rs route53.ResourceRecordSet) bool {
				current[key] = rs
				cur = append(cur, rs)
				return true
			}); err != nil {
				return err
			}
		}
		route53.SortRecordSets(cur)
		changes, conflicts := inverse(z, &c, current)
		if len(conflicts) > 0 {
			return apierr.InvalidChangeBatch(conflicts...)
		}
		if len(changes) == 0 {
			return apierr.InvalidChangeBatch(fmt.Sprintf("Change %s changed no record sets: there is nothing to revert", c.ID))
		}
		cb.Changes = changes
		if aerr := refuseInstanceSets(cur, &cb); aerr != nil {
			return aerr // a traffic policy instance's record sets are its own
		}
		next, aerr := route53.ApplyChanges(&z.Zone, cur, &cb, txRefs{tx})
		if aerr != nil {
			return aerr
		}
		if aerr := checkAliasTrees(&z.Zone, next, txInstanceTree(tx)); aerr != nil {
			return aerr
		}
		before, after, err := writeDiff(tx, z, current, next)
		if err != nil {
			return err
		}
		if err := putJSON(tx, catalog.ZoneKey(z.ID), z); err != nil {
			return err
		}
		info, err = s.logChange(tx, who, z.ID, cb.Comment, before, after)
		return err
	})
	if err != nil {
		return info, storeErr(err)
	}
	return info, nil
}

// isZoneCreation reports whether c is the creation of z: nothing before, the
// apex SOA and NS after.
func isZoneCreation(z *catalog.Zone, c *catalog.Change) bool {
	if len(c.Before) > 0 || len(c.After) == 0 {
		return false
	}
	for _, rs := range c.After {
		if rs.Name != z.Name || (rs.Type != "SOA" && rs.Type != "NS") {
			return false
		}
	}
	return c.Comment == ""
}

// inverse is the batch undoing c: a record set c replaced is put back with an
// UPSERT (checked first: the zone must still hold what c wrote), one c created is
// deleted (the DELETE checks its values), one c deleted is created (the CREATE
// checks it is absent). Conflicts are the messages of record sets changed since.
func inverse(z *catalog.Zone, c *catalog.Change, current map[string]route53.ResourceRecordSet) (changes []route53.Change, conflicts []string) {
	wrote := map[string]route53.ResourceRecordSet{}
	for _, rs := range c.After {
		wrote[catalog.RecordKey(z.ID, &rs)] = rs
	}
	replaced := map[string]bool{}
	for _, rs := range c.Before {
		key := catalog.RecordKey(z.ID, &rs)
		after, both := wrote[key]
		if !both {
			changes = append(changes, route53.Change{Action: route53.ActionCreate, ResourceRecordSet: rs})
			continue
		}
		replaced[key] = true
		if now, ok := current[key]; !ok || !sameJSON(now, after) {
			conflicts = append(conflicts, fmt.Sprintf("Tried to revert [%s] to what it was before %s, but it was changed since", describe(&rs), c.ID))
			continue
		}
		changes = append(changes, route53.Change{Action: route53.ActionUpsert, ResourceRecordSet: rs})
	}
	for _, rs := range c.After {
		if !replaced[catalog.RecordKey(z.ID, &rs)] {
			changes = append(changes, route53.Change{Action: route53.ActionDelete, ResourceRecordSet: rs})
		}
	}
	// Deletions first, so that a CREATE may take a name a DELETE frees (a CNAME
	// replacing an A the change wrote).
	var dels, rest []route53.Change
	for _, ch := range changes {
		if ch.Action == route53.ActionDelete {
			dels = append(dels, ch)
		} else {
			rest = append(rest, ch)
		}
	}
	return append(dels, rest...), conflicts
}

func describe(rs *route53.ResourceRecordSet) string {
	d := "name='" + rs.Name + "', type='" + rs.Type + "'"
	if rs.SetIdentifier != "" {
		d += ", set-identifier='" + rs.SetIdentifier + "'"
	}
	return d
}

func sameJSON(a, b route53.ResourceRecordSet) bool {
	x, _ := json.Marshal(&a)
	y, _ := json.Marshal(&b)
	return bytes.Equal(x, y)
}

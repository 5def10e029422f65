package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// changeRecordSets applies a change batch in one store transaction. It reads only the
// record sets the batch can touch or that can refuse it — those at the batch's names
// and its alias targets', the apex, and the zone's aliases with their targets — so a
// batch costs the same in a zone of ten record sets or of a million.
func (s *Server) changeRecordSets(r *http.Request) (int, any, *apierr.Error) {
	var req route53.ChangeResourceRecordSetsRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	info, aerr := s.applyBatch(r.Context(), r.PathValue("id"), caller(r), &req.ChangeBatch, nil)
	if aerr != nil {
		return 0, nil, aerr
	}
	return 0, &route53.ChangeResourceRecordSetsResponse{ChangeInfo: info}, nil
}

// errPlanned rolls back the transaction of a batch that was only planned.
var errPlanned = errors.New("planned: rolled back")

// applyBatch applies cb to zone zoneID in one store transaction, logged as who's.
// With plan set it does everything the same way, records what would change in
// plan, and rolls the transaction back: a plan is refused or accepted exactly as
// the batch would be.
func (s *Server) applyBatch(ctx context.Context, zoneID, who string, cb *route53.ChangeBatch, plan *Plan) (route53.ChangeInfo, *apierr.Error) {
	var info route53.ChangeInfo
	_, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		z, err := zoneOf(tx, zoneID)
		if err != nil {
			return err
		}
		names, err := batchNames(tx, z, cb)
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
		if aerr := refuseInstanceSets(cur, cb); aerr != nil {
			return aerr
		}
		next, aerr := route53.ApplyChanges(&z.Zone, cur, cb, txRefs{tx})
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
		if plan != nil {
			plan.ZoneID, plan.Before, plan.After = z.ID, before, after
			return errPlanned
		}
		if err := putJSON(tx, catalog.ZoneKey(z.ID), z); err != nil {
			return err
		}
		info, err = s.logChange(tx, who, z.ID, cb.Comment, before, after)
		return err
	})
	if plan != nil && errors.Is(err, errPlanned) {
		plan.Revision = s.cfg.Store.Revision()
		return info, nil
	}
	if err != nil {
		return info, storeErr(err)
	}
	return info, nil
}

// batchNames are the names whose record sets decide a batch: the batch's own and
// its alias targets', the apex (SOA and NS rules), and every alias of the zone with
// its target (deleting a target an alias uses is refused; aliases must not loop).
func batchNames(rd store.Reader, z *catalog.Zone, cb *route53.ChangeBatch) (map[string]bool, error) {
	names := map[string]bool{z.Name: true}
	add := func(name string) {
		if n, ok := route53.NormalizeName(name); ok {
			names[n] = true
		}
	}
	for _, c := range cb.Changes {
		add(c.ResourceRecordSet.Name)
		if at := c.ResourceRecordSet.AliasTarget; at != nil {
			add(at.DNSName)
		}
	}
	var derr error
	err := rd.Scan(catalog.ZoneAliases(z.ID), "", func(key string, value []byte) bool {
		var a aliasEntry
		if derr = json.Unmarshal(value, &a); derr != nil {
			return false
		}
		names[a.Name], names[a.Target] = true, true
		return true
	})
	return names, firstErr(err, derr)
}

// aliasEntry is the value of an alias index key.
type aliasEntry struct{ Name, Target string }

// writeDiff stores what the batch changed and keeps the zone's indexes (aliases,
// health check users, record set count) in step. It returns the record sets
// replaced or removed, and those written.
func writeDiff(tx store.Tx, z *catalog.Zone, current map[string]route53.ResourceRecordSet, next []route53.ResourceRecordSet) (before, after []route53.ResourceRecordSet, err error) {
	seen := map[string]bool{}
	for i := range next {
		rs := &next[i]
		key := catalog.RecordKey(z.ID, rs)
		seen[key] = true
		val, err := json.Marshal(rs)
		if err != nil {
			return nil, nil, err
		}
		old, had := current[key]
		if had {
			ob, _ := json.Marshal(&old)
			if bytes.Equal(ob, val) {
				continue
			}
			before = append(before, old)
			if err := unindex(tx, z.ID, &old); err != nil {
				return nil, nil, err
			}
		} else {
			z.Sets++
		}
		after = append(after, *rs)
		if err := tx.Put(key, val); err != nil {
			return nil, nil, err
		}
		if err := index(tx, z.ID, rs); err != nil {
			return nil, nil, err
		}
	}
	for key, old := range current {
		if seen[key] {
			continue
		}
		before = append(before, old)
		z.Sets--
		if err := tx.Delete(key); err != nil {
			return nil, nil, err
		}
		if err := unindex(tx, z.ID, &old); err != nil {
			return nil, nil, err
		}
	}
	route53.SortRecordSets(before)
	return before, after, nil
}

func index(tx store.Tx, zoneID string, rs *route53.ResourceRecordSet) error {
	if rs.AliasTarget != nil {
		if err := putJSON(tx, catalog.AliasKey(zoneID, rs), aliasEntry{rs.Name, rs.AliasTarget.DNSName}); err != nil {
			return err
		}
	}
	if c := rs.CidrRoutingConfig; c != nil {
		if err := tx.Put(catalog.CidrRefKey(zoneID, rs), []byte(c.LocationName)); err != nil {
			return err
		}
	}
	if rs.HealthCheckId != "" {
		return tx.Put(catalog.CheckRefKey(zoneID, rs), nil)
	}
	return nil
}

func unindex(tx store.Tx, zoneID string, rs *route53.ResourceRecordSet) error {
	if rs.AliasTarget != nil {
		if err := tx.Delete(catalog.AliasKey(zoneID, rs)); err != nil {
			return err
		}
	}
	if rs.CidrRoutingConfig != nil {
		if err := tx.Delete(catalog.CidrRefKey(zoneID, rs)); err != nil {
			return err
		}
	}
	if rs.HealthCheckId != "" {
		return tx.Delete(catalog.CheckRefKey(zoneID, rs))
	}
	return nil
}

// txRefs answers what a batch refers to outside its zone from the transaction.
type txRefs struct{ rd store.Reader }

func (t txRefs) HealthCheckExists(id string) bool {
	_, ok, err := t.rd.Get(catalog.HealthCheckKey(id))
	return ok && err == nil
}

func (t txRefs) CidrCollection(id string) (*route53.CidrCollection, bool) {
	c, err := collectionOf(t.rd, id)
	return c, err == nil
}

// refuseInstanceSets refuses a batch that changes a traffic policy instance's
// record set (or adds record sets of its name and type beside it): the instance
// owns it, and UpdateTrafficPolicyInstance or DeleteTrafficPolicyInstance change
// it. cur holds every record set at the batch's names.
func refuseInstanceSets(cur []route53.ResourceRecordSet, cb *route53.ChangeBatch) *apierr.Error {
	var msgs []string
	for _, c := range cb.Changes {
		name, ok := route53.NormalizeName(c.ResourceRecordSet.Name)
		if !ok {
			continue // the batch's own validation names it
		}
		for _, rs := range cur {
			if rs.TrafficPolicyInstanceId != "" && rs.Name == name && rs.Type == c.ResourceRecordSet.Type {
				msgs = append(msgs, fmt.Sprintf("Tried to %s resource record set [name='%s', type='%s'] but it was created by traffic policy instance %s: use UpdateTrafficPolicyInstance or DeleteTrafficPolicyInstance",
					strings.ToLower(c.Action), name, rs.Type, rs.TrafficPolicyInstanceId))
			}
		}
	}
	if len(msgs) > 0 {
		return apierr.InvalidChangeBatch(msgs...)
	}
	return nil
}

func (s *Server) listRecordSets(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	name, typ, set, maxItems := q.Get("name"), q.Get("type"), q.Get("identifier"), q.Get("maxitems")
	n := route53.MaxRecordSetItems
	if v, err := strconv.Atoi(maxItems); err == nil && v > 0 {
		n = min(v, n)
	}
	var page []route53.ResourceRecordSet
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		z, err := zoneOf(rd, r.PathValue("id"))
		if err != nil {
			return err
		}
		start := ""
		if name != "" {
			norm, ok := route53.NormalizeName(name)
			if !ok {
				return apierr.InvalidInput("The input is not valid: %q is not a domain name", name)
			}
			start = catalog.StartKey(z.ID, norm, strings.ToUpper(typ), set)
		}
		after := ""
		if start != "" {
			after = start[:len(start)-1] // Scan starts after it; keys below start are skipped
		}
		return scanRecordSets(rd, catalog.ZoneRecords(z.ID), after, func(key string, rs route53.ResourceRecordSet) bool {
			if key < start {
				return true
			}
			page = append(page, rs)
			return len(page) <= n
		})
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp, aerr := route53.ListRecordSets(page, name, typ, set, maxItems)
	return 0, resp, aerr
}

// scanRecordSets decodes the record sets under prefix, from after on.
func scanRecordSets(rd store.Reader, prefix, after string, fn func(key string, rs route53.ResourceRecordSet) bool) error {
	var derr error
	err := rd.Scan(prefix, after, func(key string, value []byte) bool {
		var rs route53.ResourceRecordSet
		if derr = json.Unmarshal(value, &rs); derr != nil {
			return false
		}
		return fn(key, rs)
	})
	return firstErr(err, derr)
}

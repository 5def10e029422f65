package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// listChanges answers coretraffic's change log extension (route53.ListChangesResponse):
// the changes submitted since `since` (default: all), of the hosted zone `zone`
// (an ID, or a name: every zone ever logged under a current zone's ID), newest
// first, at most `maxitems` (default 100, at most 1000).
func (s *Server) listChanges(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := route53.ParseSince(v, s.cfg.Now())
		if err != nil {
			return 0, nil, apierr.InvalidInput("%v", err)
		}
		since = t
	}
	n := 100
	if v := q.Get("maxitems"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > route53.MaxChangeLogItems {
			return 0, nil, apierr.InvalidInput("maxitems %q: want 1..%d", v, route53.MaxChangeLogItems)
		}
		n = m
	}
	resp, aerr := s.changeLog(r.Context(), q.Get("zone"), since, n)
	if aerr != nil {
		return 0, nil, aerr
	}
	return 0, resp, nil
}

// changeLog is ListChanges: the changes of zone (an ID or a name; "" for all)
// submitted since, newest first, at most n.
func (s *Server) changeLog(ctx context.Context, zone string, since time.Time, n int) (*route53.ListChangesResponse, *apierr.Error) {
	var all []catalog.Change
	_, err := s.cfg.Store.View(ctx, func(rd store.Reader) error {
		zoneID := ""
		if z := zone; z != "" {
			id, err := zoneFilter(rd, z)
			if err != nil {
				return err
			}
			zoneID = id
		}
		var derr error
		err := rd.Scan(catalog.ChangePrefix, "", func(_ string, value []byte) bool {
			var c catalog.Change
			if derr = json.Unmarshal(value, &c); derr != nil {
				return false
			}
			if !c.Submitted.Before(since) && (zoneID == "" || c.ZoneID == zoneID) {
				all = append(all, c)
			}
			return true
		})
		return firstErr(err, derr)
	})
	if err != nil {
		return nil, storeErr(err)
	}
	slices.SortFunc(all, func(a, b catalog.Change) int {
		if c := b.Submitted.Compare(a.Submitted); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	resp := &route53.ListChangesResponse{MaxItems: strconv.Itoa(n)}
	if len(all) > n {
		all, resp.IsTruncated = all[:n], true
	}
	for _, c := range all {
		resp.Changes = append(resp.Changes, route53.ChangeRecord{Id: c.ID, HostedZoneId: c.ZoneID,
			SubmittedAt: route53.FormatTime(c.Submitted), Caller: c.Caller, Comment: c.Comment, Before: c.Before, After: c.After})
	}
	return resp, nil
}

// zoneFilter is the zone ID a zone parameter names: an ID as given (the zone may
// be deleted), or a current zone's name.
func zoneFilter(rd store.Reader, z string) (string, error) {
	if id := route53.TrimZoneID(z); route53.ValidZoneID(id) && !strings.Contains(z, ".") {
		return id, nil
	}
	name, ok := route53.NormalizeName(z)
	if !ok {
		return "", apierr.InvalidInput("zone %q is neither a hosted zone ID nor a domain name", z)
	}
	zones, err := allZones(rd)
	if err != nil {
		return "", err
	}
	for _, cz := range zones {
		if cz.Name == name {
			return cz.ID, nil
		}
	}
	return "", route53.NoSuchHostedZone(z)
}

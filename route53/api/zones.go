package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

func (s *Server) createZone(r *http.Request) (int, any, *apierr.Error) {
	var req route53.CreateHostedZoneRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var resp *route53.CreateHostedZoneResponse
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		zones, err := allZones(tx)
		if err != nil {
			return err
		}
		used := func(ref string) bool {
			for _, z := range zones {
				if z.CallerReference == ref {
					return true
				}
			}
			return false
		}
		z, apex, aerr := route53.CreateZone(&req, used, s.cfg.Zones)
		if aerr != nil {
			return aerr
		}
		now := s.cfg.Now()
		cz := &catalog.Zone{Zone: *z, Created: now, Sets: int64(len(apex))}
		if err := putJSON(tx, catalog.ZoneKey(z.ID), cz); err != nil {
			return err
		}
		for i := range apex {
			if err := putJSON(tx, catalog.RecordKey(z.ID, &apex[i]), &apex[i]); err != nil {
				return err
			}
		}
		info, err := s.logChange(tx, caller(r), z.ID, "", nil, apex)
		if err != nil {
			return err
		}
		resp = &route53.CreateHostedZoneResponse{HostedZone: z.API(len(apex)), ChangeInfo: info, DelegationSet: z.DelegationSet(), VPC: req.VPC}
		return nil
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return http.StatusCreated, resp, nil
}

func (s *Server) getZone(r *http.Request) (int, any, *apierr.Error) {
	var resp *route53.GetHostedZoneResponse
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		z, err := zoneOf(rd, r.PathValue("id"))
		if err != nil {
			return err
		}
		ds := z.DelegationSet()
		resp = &route53.GetHostedZoneResponse{HostedZone: z.API(int(z.Sets)), DelegationSet: &ds}
		if z.VPC != nil {
			resp.VPCs = []route53.VPC{*z.VPC}
		}
		return nil
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return 0, resp, nil
}

func (s *Server) listZones(r *http.Request) (int, any, *apierr.Error) {
	zones, err := s.zoneList(r)
	if err != nil {
		return 0, nil, storeErr(err)
	}
	q := r.URL.Query()
	resp, aerr := route53.ListZones(zones, q.Get("marker"), q.Get("maxitems"))
	return 0, resp, aerr
}

func (s *Server) listZonesByName(r *http.Request) (int, any, *apierr.Error) {
	zones, err := s.zoneList(r)
	if err != nil {
		return 0, nil, storeErr(err)
	}
	q := r.URL.Query()
	resp, aerr := route53.ListZonesByName(zones, q.Get("dnsname"), q.Get("hostedzoneid"), q.Get("maxitems"))
	return 0, resp, aerr
}

func (s *Server) zoneCount(r *http.Request) (int, any, *apierr.Error) {
	zones, err := s.zoneList(r)
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return 0, &route53.GetHostedZoneCountResponse{HostedZoneCount: int64(len(zones))}, nil
}

func (s *Server) zoneList(r *http.Request) ([]route53.HostedZone, error) {
	var out []route53.HostedZone
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		zones, err := allZones(rd)
		for _, z := range zones {
			out = append(out, z.API(int(z.Sets)))
		}
		return err
	})
	return out, err
}

func (s *Server) deleteZone(r *http.Request) (int, any, *apierr.Error) {
	var resp *route53.DeleteHostedZoneResponse
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		z, err := zoneOf(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		var rrsets []route53.ResourceRecordSet
		var keys []string
		var derr error
		err = tx.Scan(catalog.ZoneRecords(z.ID), "", func(key string, value []byte) bool {
			var rs route53.ResourceRecordSet
			if derr = json.Unmarshal(value, &rs); derr != nil {
				return false
			}
			rrsets, keys = append(rrsets, rs), append(keys, key)
			return len(rrsets) <= 3 // SOA and NS, and one more is enough to refuse
		})
		if err = firstErr(err, derr); err != nil {
			return err
		}
		if aerr := route53.CheckDeletable(&z.Zone, rrsets); aerr != nil {
			return aerr
		}
		for _, k := range append(keys, catalog.ZoneKey(z.ID)) {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		// The apex SOA and NS may use a health check: their hcref/ entries go
		// with them, or the check would stay "in use" by a zone that is gone.
		for i := range rrsets {
			if err := unindex(tx, z.ID, &rrsets[i]); err != nil {
				return err
			}
		}
		info, err := s.logChange(tx, caller(r), z.ID, "", rrsets, nil)
		resp = &route53.DeleteHostedZoneResponse{ChangeInfo: info}
		return err
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return 0, resp, nil
}

// zoneOf reads a zone by its ID ("Z…" or "/hostedzone/Z…").
func zoneOf(rd store.Reader, id string) (*catalog.Zone, error) {
	id = route53.TrimZoneID(id)
	if !route53.ValidZoneID(id) {
		return nil, route53.NoSuchHostedZone(id)
	}
	b, ok, err := rd.Get(catalog.ZoneKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, route53.NoSuchHostedZone(id)
	}
	var z catalog.Zone
	if err := json.Unmarshal(b, &z); err != nil {
		return nil, err
	}
	return &z, nil
}

func allZones(rd store.Reader) ([]*catalog.Zone, error) {
	var out []*catalog.Zone
	var derr error
	err := rd.Scan(catalog.ZonePrefix, "", func(key string, value []byte) bool {
		var z catalog.Zone
		if derr = json.Unmarshal(value, &z); derr != nil {
			return false
		}
		out = append(out, &z)
		return true
	})
	return out, firstErr(err, derr)
}

func putJSON(tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(key, b)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// trimChangeID strips the "/change/" prefix the API accepts in change IDs.
func trimChangeID(id string) string { return strings.TrimPrefix(id, "/change/") }

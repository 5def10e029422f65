package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

func (s *Server) createHealthCheck(r *http.Request) (int, any, *apierr.Error) {
	req, aerr := checks.DecodeCreate(r.Body)
	if aerr != nil {
		return 0, nil, aerr
	}
	var hc checks.HealthCheck
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		all, err := allChecks(tx)
		if err != nil {
			return err
		}
		var prior *checks.HealthCheck
		for i := range all {
			if all[i].CallerReference == req.CallerReference {
				prior = &all[i]
			}
		}
		_, deleted, err := tx.Get(catalog.DeletedCheckKey(req.CallerReference))
		if err != nil {
			return err
		}
		if prior == nil && deleted {
			prior = &checks.HealthCheck{}
		}
		h, created, aerr := checks.Create(req, prior, deleted)
		if aerr != nil {
			return aerr
		}
		hc = h
		if !created {
			return nil
		}
		if aerr := checks.ValidateChildren(h.ID, &h.HealthCheckConfig, lookupIn(all)); aerr != nil {
			return aerr
		}
		return putJSON(tx, catalog.HealthCheckKey(h.ID), &h)
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.CreateResponse(hc)
	return http.StatusCreated, &resp, nil
}

func (s *Server) getHealthCheck(r *http.Request) (int, any, *apierr.Error) {
	var hc *checks.HealthCheck
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		var err error
		hc, err = checkOf(rd, r.PathValue("id"))
		return err
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.GetResponse(*hc)
	return 0, &resp, nil
}

func (s *Server) listHealthChecks(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	n, aerr := checks.ParseMaxItems(q.Get("maxitems"))
	if aerr != nil {
		return 0, nil, aerr
	}
	var all []checks.HealthCheck
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		var err error
		all, err = allChecks(rd)
		return err
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.List(all, q.Get("marker"), n)
	return 0, &resp, nil
}

func (s *Server) healthCheckCount(r *http.Request) (int, any, *apierr.Error) {
	n := 0
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		return rd.Scan(catalog.HealthCheckPrefix, "", func(string, []byte) bool { n++; return true })
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.CountResponse(n)
	return 0, &resp, nil
}

func (s *Server) updateHealthCheck(r *http.Request) (int, any, *apierr.Error) {
	u, aerr := checks.DecodeUpdate(r.Body)
	if aerr != nil {
		return 0, nil, aerr
	}
	var hc checks.HealthCheck
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		cur, err := checkOf(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		h, aerr := checks.Update(*cur, u)
		if aerr != nil {
			return aerr
		}
		all, err := allChecks(tx)
		if err != nil {
			return err
		}
		if aerr := checks.ValidateChildren(h.ID, &h.HealthCheckConfig, lookupIn(all)); aerr != nil {
			return aerr
		}
		hc = h
		return putJSON(tx, catalog.HealthCheckKey(h.ID), &h)
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.UpdateResponse(hc)
	return 0, &resp, nil
}

func (s *Server) deleteHealthCheck(r *http.Request) (int, any, *apierr.Error) {
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		hc, err := checkOf(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		var refs []string
		if err := tx.Scan(catalog.CheckRefs(hc.ID), "", func(key string, _ []byte) bool {
			refs = append(refs, strings.TrimPrefix(key, catalog.CheckRefs(hc.ID)))
			return len(refs) < 10
		}); err != nil {
			return err
		}
		// An index entry ends with the record set's key, whose parts NUL separates:
		// the message names the record set instead.
		var users []string
		for _, key := range refs {
			var rs route53.ResourceRecordSet
			b, ok, err := tx.Get(key)
			if err != nil {
				return err
			}
			if !ok || json.Unmarshal(b, &rs) != nil {
				users = append(users, strings.ReplaceAll(key, "\x00", " "))
				continue
			}
			users = append(users, "resource record set ["+describe(&rs)+"]")
		}
		all, err := allChecks(tx)
		if err != nil {
			return err
		}
		for _, o := range all {
			for _, child := range o.HealthCheckConfig.ChildHealthChecks {
				if child == hc.ID {
					users = append(users, "health check "+o.ID)
				}
			}
		}
		st := newTFState(tx, s.cfg.Traffic)
		for _, v := range trafficflow.HealthCheckUsers(st.Policies(), hc.ID) {
			users = append(users, "traffic policy "+v)
		}
		if err := st.err(); err != nil {
			return err
		}
		if aerr := checks.Delete(hc.ID, users); aerr != nil {
			return aerr
		}
		if err := tx.Put(catalog.DeletedCheckKey(hc.CallerReference), []byte(hc.ID)); err != nil {
			return err
		}
		return tx.Delete(catalog.HealthCheckKey(hc.ID))
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := checks.DeleteResponse()
	return 0, &resp, nil
}

// healthCheckStatus answers GetHealthCheckStatus with this server's own observation
// and, when the replica shares health with other vantage points (a store with
// Presence), every other live checker's last one.
func (s *Server) healthCheckStatus(r *http.Request) (int, any, *apierr.Error) {
	var hc *checks.HealthCheck
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		var err error
		hc, err = checkOf(rd, r.PathValue("id"))
		return err
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	var obs []checks.Observation
	if s.cfg.Replica != nil {
		obs = s.cfg.Replica.Observations(hc.ID, hc.HealthCheckConfig, s.cfg.Region, s.cfg.Now())
	}
	resp := checks.StatusResponse(obs...)
	return 0, &resp, nil
}

func checkOf(rd store.Reader, id string) (*checks.HealthCheck, error) {
	if !checks.ValidID(id) {
		return nil, checks.NoSuchHealthCheck(id)
	}
	b, ok, err := rd.Get(catalog.HealthCheckKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, checks.NoSuchHealthCheck(id)
	}
	var hc checks.HealthCheck
	return &hc, json.Unmarshal(b, &hc)
}

func allChecks(rd store.Reader) ([]checks.HealthCheck, error) {
	var out []checks.HealthCheck
	var derr error
	err := rd.Scan(catalog.HealthCheckPrefix, "", func(_ string, value []byte) bool {
		var hc checks.HealthCheck
		if derr = json.Unmarshal(value, &hc); derr != nil {
			return false
		}
		out = append(out, hc)
		return true
	})
	return out, firstErr(err, derr)
}

func lookupIn(all []checks.HealthCheck) checks.Lookup {
	return func(id string) (checks.HealthCheckConfig, bool) {
		for _, hc := range all {
			if hc.ID == id {
				return hc.HealthCheckConfig, true
			}
		}
		return checks.HealthCheckConfig{}, false
	}
}

package api

import (
	"encoding/json"
	"net/http"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// The CIDR collection operations. The route53 library decides; each runs in one
// store transaction. Which record sets use a collection (and which location) is
// the cidrref/ index that ChangeResourceRecordSets keeps.

func (s *Server) cidrRoutes(handle func(pattern, name string, fn op)) {
	handle("POST "+prefix+"/cidrcollection", "CreateCidrCollection", s.createCidrCollection)
	handle("GET "+prefix+"/cidrcollection", "ListCidrCollections", s.listCidrCollections)
	handle("POST "+prefix+"/cidrcollection/{id}", "ChangeCidrCollection", s.changeCidrCollection)
	handle("DELETE "+prefix+"/cidrcollection/{id}", "DeleteCidrCollection", s.deleteCidrCollection)
	handle("GET "+prefix+"/cidrcollection/{id}", "ListCidrLocations", s.listCidrLocations)
	handle("GET "+prefix+"/cidrcollection/{id}/cidrblocks", "ListCidrBlocks", s.listCidrBlocks)
}

func (s *Server) createCidrCollection(r *http.Request) (int, any, *apierr.Error) {
	var req route53.CreateCidrCollectionRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var c *route53.CidrCollection
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		all, err := allCollections(tx)
		if err != nil {
			return err
		}
		byName := func(name string) (*route53.CidrCollection, bool) {
			for _, c := range all {
				if c.Name == name {
					return c, true
				}
			}
			return nil, false
		}
		got, created, aerr := route53.CreateCidrCollection(&req, byName, nil)
		if aerr != nil {
			return aerr
		}
		c = got
		if !created {
			return nil
		}
		return putJSON(tx, catalog.CidrCollectionKey(c.ID), c)
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	resp := &route53.CreateCidrCollectionResponse{Collection: c.Summary()}
	return http.StatusCreated, located{resp, prefix + "/cidrcollection/" + c.ID}, nil
}

func (s *Server) listCidrCollections(r *http.Request) (int, any, *apierr.Error) {
	var all []*route53.CidrCollection
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) (err error) {
		all, err = allCollections(rd)
		return err
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	q := r.URL.Query()
	resp, aerr := route53.ListCidrCollections(all, q.Get("nexttoken"), q.Get("maxresults"))
	return 0, resp, aerr
}

func (s *Server) changeCidrCollection(r *http.Request) (int, any, *apierr.Error) {
	var req route53.ChangeCidrCollectionRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var next *route53.CidrCollection
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		c, err := collectionOf(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		used, err := usedLocations(tx, c.ID)
		if err != nil {
			return err
		}
		n, aerr := route53.ChangeCidrCollection(c, &req, func(loc string) bool { return used[loc] })
		if aerr != nil {
			return aerr
		}
		next = n
		return putJSON(tx, catalog.CidrCollectionKey(n.ID), n)
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return 0, &route53.ChangeCidrCollectionResponse{Id: next.ID}, nil
}

func (s *Server) deleteCidrCollection(r *http.Request) (int, any, *apierr.Error) {
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		c, err := collectionOf(tx, r.PathValue("id"))
		if err != nil {
			return err
		}
		used, err := usedLocations(tx, c.ID)
		if err != nil {
			return err
		}
		if aerr := route53.CheckCidrDeletable(c, len(used) > 0); aerr != nil {
			return aerr
		}
		return tx.Delete(catalog.CidrCollectionKey(c.ID))
	})
	if err != nil {
		return 0, nil, storeErr(err)
	}
	return 0, &route53.DeleteCidrCollectionResponse{}, nil
}

func (s *Server) listCidrLocations(r *http.Request) (int, any, *apierr.Error) {
	c, aerr := s.viewCollection(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	q := r.URL.Query()
	resp, aerr := route53.ListCidrLocations(c, q.Get("nexttoken"), q.Get("maxresults"))
	return 0, resp, aerr
}

func (s *Server) listCidrBlocks(r *http.Request) (int, any, *apierr.Error) {
	c, aerr := s.viewCollection(r)
	if aerr != nil {
		return 0, nil, aerr
	}
	q := r.URL.Query()
	resp, aerr := route53.ListCidrBlocks(c, q.Get("location"), q.Get("nexttoken"), q.Get("maxresults"))
	return 0, resp, aerr
}

func (s *Server) viewCollection(r *http.Request) (*route53.CidrCollection, *apierr.Error) {
	var c *route53.CidrCollection
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) (err error) {
		c, err = collectionOf(rd, r.PathValue("id"))
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return c, nil
}

// collectionOf reads a collection by ID: NoSuchCidrCollectionException if none.
func collectionOf(rd store.Reader, id string) (*route53.CidrCollection, error) {
	if id == "" || len(id) > 36 {
		return nil, route53.NoSuchCidrCollection(id)
	}
	b, ok, err := rd.Get(catalog.CidrCollectionKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, route53.NoSuchCidrCollection(id)
	}
	var c route53.CidrCollection
	return &c, json.Unmarshal(b, &c)
}

func allCollections(rd store.Reader) ([]*route53.CidrCollection, error) {
	var out []*route53.CidrCollection
	var derr error
	err := rd.Scan(catalog.CidrCollections, "", func(_ string, value []byte) bool {
		var c route53.CidrCollection
		if derr = json.Unmarshal(value, &c); derr != nil {
			return false
		}
		out = append(out, &c)
		return true
	})
	return out, firstErr(err, derr)
}

// usedLocations are the locations of collection id that record sets name ("*"
// included: a record set using only the default still uses the collection).
func usedLocations(rd store.Reader, id string) (map[string]bool, error) {
	used := map[string]bool{}
	err := rd.Scan(catalog.CollectionRefs(id), "", func(_ string, value []byte) bool {
		used[string(value)] = true
		return true
	})
	return used, err
}

package api

import (
	"net/http"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// The traffic policy operations: trafficflow decides, these run its functions in
// one store transaction each and write what they return.

func (s *Server) trafficRoutes(handle func(pattern, name string, fn op)) {
	handle("POST "+prefix+"/trafficpolicy", "CreateTrafficPolicy", s.createTrafficPolicy)
	handle("POST "+prefix+"/trafficpolicy/{id}", "CreateTrafficPolicyVersion", s.createTrafficPolicyVersion)
	handle("GET "+prefix+"/trafficpolicy/{id}/{version}", "GetTrafficPolicy", s.getTrafficPolicy)
	handle("POST "+prefix+"/trafficpolicy/{id}/{version}", "UpdateTrafficPolicyComment", s.updateTrafficPolicyComment)
	handle("DELETE "+prefix+"/trafficpolicy/{id}/{version}", "DeleteTrafficPolicy", s.deleteTrafficPolicy)
	handle("GET "+prefix+"/trafficpolicies", "ListTrafficPolicies", s.listTrafficPolicies)
	handle("GET "+prefix+"/trafficpolicies/{id}/versions", "ListTrafficPolicyVersions", s.listTrafficPolicyVersions)
	handle("POST "+prefix+"/trafficpolicyinstance", "CreateTrafficPolicyInstance", s.createInstance)
	handle("GET "+prefix+"/trafficpolicyinstance/{id}", "GetTrafficPolicyInstance", s.getInstance)
	handle("POST "+prefix+"/trafficpolicyinstance/{id}", "UpdateTrafficPolicyInstance", s.updateInstance)
	handle("DELETE "+prefix+"/trafficpolicyinstance/{id}", "DeleteTrafficPolicyInstance", s.deleteInstance)
	handle("GET "+prefix+"/trafficpolicyinstances", "ListTrafficPolicyInstances", s.listInstances)
	handle("GET "+prefix+"/trafficpolicyinstances/hostedzone", "ListTrafficPolicyInstancesByHostedZone", s.listInstancesByZone)
	handle("GET "+prefix+"/trafficpolicyinstances/trafficpolicy", "ListTrafficPolicyInstancesByPolicy", s.listInstancesByPolicy)
	handle("GET "+prefix+"/trafficpolicyinstancecount", "GetTrafficPolicyInstanceCount", s.instanceCount)
}

// tfUpdate runs fn on a fresh tfState in one store transaction. fn's *apierr.Error
// refuses the request; a store error met while reading the state wins over it (the
// refusal may come from a state read short).
func (s *Server) tfUpdate(r *http.Request, fn func(tx store.Tx, st *tfState) *apierr.Error) *apierr.Error {
	_, err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		st := newTFState(tx, s.cfg.Traffic)
		aerr := fn(tx, st)
		if err := st.err(); err != nil {
			return err
		}
		if aerr != nil {
			return aerr
		}
		return nil
	})
	if err != nil {
		return storeErr(err)
	}
	return nil
}

// tfView is tfUpdate's read-only twin.
func (s *Server) tfView(r *http.Request, fn func(st *tfState) *apierr.Error) *apierr.Error {
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		st := newTFState(rd, s.cfg.Traffic)
		aerr := fn(st)
		if err := st.err(); err != nil {
			return err
		}
		if aerr != nil {
			return aerr
		}
		return nil
	})
	if err != nil {
		return storeErr(err)
	}
	return nil
}

// writeErr turns a store write failure into the refusal tfUpdate returns.
func writeErr(err error) *apierr.Error {
	if err != nil {
		return storeErr(err)
	}
	return nil
}

func (s *Server) createTrafficPolicy(r *http.Request) (int, any, *apierr.Error) {
	var req trafficflow.CreateTrafficPolicyRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	id, err := trafficflow.NewID(nil)
	if err != nil {
		return 0, nil, storeErr(err)
	}
	var resp *trafficflow.CreateTrafficPolicyResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		p, out, aerr := trafficflow.CreateTrafficPolicy(st, &req, id)
		if aerr != nil {
			return aerr
		}
		resp = out
		return writeErr(st.putPolicy(tx, p))
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, located{resp, resp.Location}, nil
}

func (s *Server) createTrafficPolicyVersion(r *http.Request) (int, any, *apierr.Error) {
	var req trafficflow.CreateTrafficPolicyVersionRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var resp *trafficflow.CreateTrafficPolicyVersionResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		p, out, aerr := trafficflow.CreateTrafficPolicyVersion(st, r.PathValue("id"), &req)
		if aerr != nil {
			return aerr
		}
		resp = out
		return writeErr(st.putPolicy(tx, p))
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, located{resp, resp.Location}, nil
}

func (s *Server) getTrafficPolicy(r *http.Request) (int, any, *apierr.Error) {
	var resp *trafficflow.GetTrafficPolicyResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.GetTrafficPolicy(st, r.PathValue("id"), r.PathValue("version"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) updateTrafficPolicyComment(r *http.Request) (int, any, *apierr.Error) {
	var req trafficflow.UpdateTrafficPolicyCommentRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var resp *trafficflow.UpdateTrafficPolicyCommentResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		p, out, aerr := trafficflow.UpdateTrafficPolicyComment(st, r.PathValue("id"), r.PathValue("version"), &req)
		if aerr != nil {
			return aerr
		}
		resp = out
		return writeErr(st.putPolicy(tx, p))
	})
	return 0, resp, aerr
}

func (s *Server) deleteTrafficPolicy(r *http.Request) (int, any, *apierr.Error) {
	var resp *trafficflow.DeleteTrafficPolicyResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		p, out, aerr := trafficflow.DeleteTrafficPolicy(st, r.PathValue("id"), r.PathValue("version"))
		if aerr != nil {
			return aerr
		}
		resp = out
		return writeErr(st.putPolicy(tx, p))
	})
	return 0, resp, aerr
}

func (s *Server) listTrafficPolicies(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var resp *trafficflow.ListTrafficPoliciesResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.ListTrafficPolicies(st, q.Get("trafficpolicyid"), q.Get("maxitems"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) listTrafficPolicyVersions(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var resp *trafficflow.ListTrafficPolicyVersionsResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.ListTrafficPolicyVersions(st, r.PathValue("id"), q.Get("trafficpolicyversion"), q.Get("maxitems"))
		return aerr
	})
	return 0, resp, aerr
}

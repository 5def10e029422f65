package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// Traffic policy instances. An instance owns one record set of its hosted zone
// (name, type, TTL and TrafficPolicyInstanceId: what ListResourceRecordSets shows),
// written in the instance's transaction; the replica compiles it from the policy
// version. An instance is Applied once stored, or Failed with a Message when its
// version does not translate (it then owns no record set).

func (s *Server) createInstance(r *http.Request) (int, any, *apierr.Error) {
	var req trafficflow.CreateTrafficPolicyInstanceRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	id, err := trafficflow.NewID(nil)
	if err != nil {
		return 0, nil, storeErr(err)
	}
	var resp *trafficflow.CreateTrafficPolicyInstanceResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		in, out, aerr := trafficflow.CreateTrafficPolicyInstance(st, &req, id)
		if aerr != nil {
			return aerr
		}
		if aerr := s.applyInstance(tx, st, in); aerr != nil {
			return aerr
		}
		out.TrafficPolicyInstance = *in
		resp = out
		return nil
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusCreated, located{resp, resp.Location}, nil
}

func (s *Server) updateInstance(r *http.Request) (int, any, *apierr.Error) {
	var req trafficflow.UpdateTrafficPolicyInstanceRequest
	if err := route53.Decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	var resp *trafficflow.UpdateTrafficPolicyInstanceResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		in, out, aerr := trafficflow.UpdateTrafficPolicyInstance(st, r.PathValue("id"), &req)
		if aerr != nil {
			return aerr
		}
		if aerr := s.applyInstance(tx, st, in); aerr != nil {
			return aerr
		}
		out.TrafficPolicyInstance = *in
		resp = out
		return nil
	})
	return 0, resp, aerr
}

func (s *Server) deleteInstance(r *http.Request) (int, any, *apierr.Error) {
	var resp *trafficflow.DeleteTrafficPolicyInstanceResponse
	aerr := s.tfUpdate(r, func(tx store.Tx, st *tfState) *apierr.Error {
		in, out, aerr := trafficflow.DeleteTrafficPolicyInstance(st, r.PathValue("id"))
		if aerr != nil {
			return aerr
		}
		z, err := zoneOf(tx, in.HostedZoneId)
		if err != nil {
			return storeErr(err)
		}
		if err := removeInstanceRecordSet(tx, z, in); err != nil {
			return storeErr(err)
		}
		resp = out
		return writeErr(tx.Delete(catalog.InstanceKey(in.Id)))
	})
	return 0, resp, aerr
}

// applyInstance writes instance in (new or updated by trafficflow) and its record
// set, setting its State: Applied, or Failed with the reason its policy version
// cannot be served.
func (s *Server) applyInstance(tx store.Tx, st *tfState, in *trafficflow.TrafficPolicyInstance) *apierr.Error {
	z, err := zoneOf(tx, in.HostedZoneId)
	if err != nil {
		return storeErr(err)
	}
	p := st.policy(in.TrafficPolicyId)
	if p == nil { // trafficflow found it in the same state
		return apierr.New("InternalFailure", http.StatusInternalServerError, "traffic policy %s vanished", in.TrafficPolicyId)
	}
	in.State, in.Message = trafficflow.StateApplied, ""
	if _, terr := trafficflow.InstanceRecordSet(p, in, trafficflow.Options{}); terr != nil {
		in.State, in.Message = trafficflow.StateFailed, terr.Error()
		if err := removeInstanceRecordSet(tx, z, in); err != nil {
			return storeErr(err)
		}
	} else if err := putInstanceRecordSet(tx, z, in); err != nil {
		return storeErr(err)
	}
	if err := putJSON(tx, catalog.InstanceKey(in.Id), in); err != nil {
		return storeErr(err)
	}
	if in.State != trafficflow.StateApplied {
		return nil
	}
	return checkInstanceAliases(tx, z, in)
}

// checkInstanceAliases refuses an instance (written in tx) whose new tree would
// grow an alias targeting its record set past policy.MaxTreeNodes, as a batch is
// refused (checkAliasTrees).
func checkInstanceAliases(tx store.Tx, z *catalog.Zone, in *trafficflow.TrafficPolicyInstance) *apierr.Error {
	rs := instanceRecordSet(in)
	a, err := aliasTo(tx, z.ID, rs.Name, rs.Type)
	if err != nil || a == nil {
		return writeErr(err)
	}
	names, err := batchNames(tx, z, &route53.ChangeBatch{})
	if err != nil {
		return storeErr(err)
	}
	var next []route53.ResourceRecordSet
	for name := range names {
		if err := scanRecordSets(tx, catalog.NameRecords(z.ID, name), "", func(_ string, rs route53.ResourceRecordSet) bool {
			next = append(next, rs)
			return true
		}); err != nil {
			return storeErr(err)
		}
	}
	if aerr := checkAliasTrees(&z.Zone, next, txInstanceTree(tx)); aerr != nil {
		return apierr.InvalidInput("Traffic policy instance %s: %s", in.Id, strings.Join(aerr.Messages, "; "))
	}
	return nil
}

// instanceRecordSet is the record set instance in owns, as the store keeps it.
func instanceRecordSet(in *trafficflow.TrafficPolicyInstance) route53.ResourceRecordSet {
	name, ok := route53.NormalizeName(in.Name)
	if !ok {
		name = in.Name // trafficflow made it a valid owner name
	}
	ttl := in.TTL
	return route53.ResourceRecordSet{Name: name, Type: in.TrafficPolicyType, TTL: &ttl, TrafficPolicyInstanceId: in.Id}
}

func putInstanceRecordSet(tx store.Tx, z *catalog.Zone, in *trafficflow.TrafficPolicyInstance) error {
	rs := instanceRecordSet(in)
	key := catalog.RecordKey(z.ID, &rs)
	b, had, err := tx.Get(key)
	if err != nil {
		return err
	}
	if had {
		var old route53.ResourceRecordSet
		if err := json.Unmarshal(b, &old); err != nil {
			return err
		}
		if old.TrafficPolicyInstanceId != in.Id { // trafficflow checked RecordSetTypes
			return apierr.InvalidInput("A resource record set %s of type %s already exists", rs.Name, rs.Type)
		}
	} else {
		z.Sets++
		if err := putJSON(tx, catalog.ZoneKey(z.ID), z); err != nil {
			return err
		}
	}
	return putJSON(tx, key, &rs)
}

// removeInstanceRecordSet deletes the record set instance in owns. An alias may
// target it: then it is refused, as a batch deleting an alias's target is (a
// dangling alias would make the replica hold the zone, and every later change
// PENDING, until fixed).
func removeInstanceRecordSet(tx store.Tx, z *catalog.Zone, in *trafficflow.TrafficPolicyInstance) error {
	rs := instanceRecordSet(in)
	key := catalog.RecordKey(z.ID, &rs)
	_, had, err := tx.Get(key)
	if err != nil || !had {
		return err
	}
	a, err := aliasTo(tx, z.ID, rs.Name, rs.Type)
	if err != nil {
		return err
	}
	if a != nil {
		return apierr.InvalidInput("Tried to delete resource record set [name='%s', type='%s'] of traffic policy instance %s but it is the target of the alias resource record set [%s]",
			rs.Name, rs.Type, in.Id, describe(a))
	}
	z.Sets--
	if err := putJSON(tx, catalog.ZoneKey(z.ID), z); err != nil {
		return err
	}
	return tx.Delete(key)
}

// aliasTo returns an alias record set of zone zoneID that targets name and type,
// nil if none: the alias index names the aliases of name, their record sets say
// their type.
func aliasTo(rd store.Reader, zoneID, name, typ string) (*route53.ResourceRecordSet, error) {
	var names []string
	var derr error
	err := rd.Scan(catalog.ZoneAliases(zoneID), "", func(_ string, value []byte) bool {
		var a aliasEntry
		if derr = json.Unmarshal(value, &a); derr != nil {
			return false
		}
		if a.Target == name {
			names = append(names, a.Name)
		}
		return true
	})
	if err := firstErr(err, derr); err != nil {
		return nil, err
	}
	for _, n := range names {
		var found *route53.ResourceRecordSet
		if err := scanRecordSets(rd, catalog.NameRecords(zoneID, n), "", func(_ string, rs route53.ResourceRecordSet) bool {
			if rs.Type == typ && rs.AliasTarget != nil && rs.AliasTarget.DNSName == name {
				found = &rs
			}
			return found == nil
		}); err != nil {
			return nil, err
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, nil
}

func (s *Server) getInstance(r *http.Request) (int, any, *apierr.Error) {
	var resp *trafficflow.GetTrafficPolicyInstanceResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.GetTrafficPolicyInstance(st, r.PathValue("id"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) listInstances(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var resp *trafficflow.ListTrafficPolicyInstancesResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.ListTrafficPolicyInstances(st, q.Get("hostedzoneid"), q.Get("trafficpolicyinstancename"),
			q.Get("trafficpolicyinstancetype"), q.Get("maxitems"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) listInstancesByZone(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var resp *trafficflow.ListTrafficPolicyInstancesByHostedZoneResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.ListTrafficPolicyInstancesByHostedZone(st, q.Get("id"), q.Get("trafficpolicyinstancename"),
			q.Get("trafficpolicyinstancetype"), q.Get("maxitems"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) listInstancesByPolicy(r *http.Request) (int, any, *apierr.Error) {
	q := r.URL.Query()
	var resp *trafficflow.ListTrafficPolicyInstancesByPolicyResponse
	aerr := s.tfView(r, func(st *tfState) (aerr *apierr.Error) {
		resp, aerr = trafficflow.ListTrafficPolicyInstancesByPolicy(st, q.Get("id"), q.Get("version"), q.Get("hostedzoneid"),
			q.Get("trafficpolicyinstancename"), q.Get("trafficpolicyinstancetype"), q.Get("maxitems"))
		return aerr
	})
	return 0, resp, aerr
}

func (s *Server) instanceCount(r *http.Request) (int, any, *apierr.Error) {
	var resp *trafficflow.GetTrafficPolicyInstanceCountResponse
	aerr := s.tfView(r, func(st *tfState) *apierr.Error {
		resp = trafficflow.GetTrafficPolicyInstanceCount(st)
		return nil
	})
	return 0, resp, aerr
}

package api

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// tfState is trafficflow's State read from one store transaction. It is made
// inside the transaction's fn (which may run more than once), so it never outlives
// the reader it was made from. Policies and instances are read on first use and
// kept; a read error is kept too and reported by err.
type tfState struct {
	rd        store.Reader
	limits    trafficflow.Limits
	policies  []*trafficflow.Policy
	seq       int64 // the highest Seq of the stored policies
	instances []*trafficflow.TrafficPolicyInstance
	loadedP   bool
	loadedI   bool
	failed    error
}

func newTFState(rd store.Reader, limits trafficflow.Limits) *tfState {
	return &tfState{rd: rd, limits: limits}
}

func (s *tfState) fail(err error) {
	if s.failed == nil {
		s.failed = err
	}
}

// err is the first store or decoding error a State method met.
func (s *tfState) err() error { return s.failed }

func (s *tfState) Policies() []*trafficflow.Policy {
	if s.loadedP {
		return s.policies
	}
	s.loadedP = true
	var stored []catalog.TrafficPolicy
	var derr error
	err := s.rd.Scan(catalog.TrafficPolicies, "", func(_ string, value []byte) bool {
		var p catalog.TrafficPolicy
		if derr = json.Unmarshal(value, &p); derr != nil {
			return false
		}
		stored = append(stored, p)
		return true
	})
	if err = firstErr(err, derr); err != nil {
		s.fail(err)
	}
	slices.SortFunc(stored, func(a, b catalog.TrafficPolicy) int { return int(a.Seq - b.Seq) })
	for i := range stored {
		s.policies = append(s.policies, &stored[i].Policy)
		s.seq = max(s.seq, stored[i].Seq)
	}
	return s.policies
}

func (s *tfState) Instances() []*trafficflow.TrafficPolicyInstance {
	if s.loadedI {
		return s.instances
	}
	s.loadedI = true
	var derr error
	err := s.rd.Scan(catalog.Instances, "", func(_ string, value []byte) bool {
		var in trafficflow.TrafficPolicyInstance
		if derr = json.Unmarshal(value, &in); derr != nil {
			return false
		}
		s.instances = append(s.instances, &in)
		return true
	})
	if err = firstErr(err, derr); err != nil {
		s.fail(err)
	}
	return s.instances
}

func (s *tfState) HostedZone(id string) (string, bool) {
	z, err := zoneOf(s.rd, id)
	if err != nil {
		var ae *apierr.Error
		if !errors.As(err, &ae) { // not a NoSuchHostedZone: the store failed
			s.fail(err)
		}
		return "", false
	}
	return strings.ToLower(dns.Fqdn(route53.PolicyName(z.Name))), true
}

func (s *tfState) HealthCheckExists(id string) bool { return txRefs{s.rd}.HealthCheckExists(id) }

// RecordSetTypes lists the types at name that are not an instance's.
func (s *tfState) RecordSetTypes(zoneID, name string) []uint16 {
	norm, ok := route53.NormalizeName(name)
	if !ok {
		return nil
	}
	var out []uint16
	err := scanRecordSets(s.rd, catalog.NameRecords(zoneID, norm), "", func(_ string, rs route53.ResourceRecordSet) bool {
		if rs.TrafficPolicyInstanceId == "" {
			out = append(out, dns.StringToType[rs.Type])
		}
		return true
	})
	if err != nil {
		s.fail(err)
	}
	return out
}

func (s *tfState) Limits() trafficflow.Limits { return s.limits }

// policy finds a policy by ID among those read.
func (s *tfState) policy(id string) *trafficflow.Policy {
	for _, p := range s.Policies() {
		if p.Id == id {
			return p
		}
	}
	return nil
}

// putPolicy writes p, keeping its creation order (a new policy comes last).
func (s *tfState) putPolicy(tx store.Tx, p *trafficflow.Policy) error {
	s.Policies() // reads s.seq
	seq := s.seq + 1
	b, ok, err := tx.Get(catalog.TrafficPolicyKey(p.Id))
	if err != nil {
		return err
	}
	if ok {
		var old catalog.TrafficPolicy
		if err := json.Unmarshal(b, &old); err != nil {
			return err
		}
		seq = old.Seq
	}
	return putJSON(tx, catalog.TrafficPolicyKey(p.Id), &catalog.TrafficPolicy{Policy: *p, Seq: seq})
}

var _ trafficflow.State = (*tfState)(nil)

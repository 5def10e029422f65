package replica

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// putTraffic applies a traffic policy, traffic policy instance or CIDR collection
// key to the mirror; other keys (indexes) are not the replica's concern.
func (m *mirror) putTraffic(key string, value []byte, deleted bool, d *dirt) error {
	switch {
	case strings.HasPrefix(key, catalog.TrafficPolicies):
		// A policy's versions never change what they answer (only their comment or
		// Deleted flag), so no record set is dirtied: an instance moving to another
		// version is a change of the instance.
		id := strings.TrimPrefix(key, catalog.TrafficPolicies)
		d.policies = true
		if deleted {
			delete(m.policies, id)
			return nil
		}
		var p catalog.TrafficPolicy
		if err := json.Unmarshal(value, &p); err != nil {
			return fmt.Errorf("store key %q: %v", key, err)
		}
		m.policies[id] = &p.Policy
	case strings.HasPrefix(key, catalog.Instances):
		id := strings.TrimPrefix(key, catalog.Instances)
		if old := m.instances[id]; old != nil {
			d.group(old.HostedZoneId, instanceGroup(old))
		}
		if deleted {
			delete(m.instances, id)
			return nil
		}
		var in trafficflow.TrafficPolicyInstance
		if err := json.Unmarshal(value, &in); err != nil {
			return fmt.Errorf("store key %q: %v", key, err)
		}
		m.instances[id] = &in
		d.group(in.HostedZoneId, instanceGroup(&in))
	case strings.HasPrefix(key, catalog.CidrCollections):
		id := strings.TrimPrefix(key, catalog.CidrCollections)
		d.colls[id] = true
		if deleted {
			delete(m.colls, id)
			return nil
		}
		var c route53.CidrCollection
		if err := json.Unmarshal(value, &c); err != nil {
			return fmt.Errorf("store key %q: %v", key, err)
		}
		m.colls[id] = &c
	}
	return nil
}

// instanceGroup is the group of the record set an instance owns.
func instanceGroup(in *trafficflow.TrafficPolicyInstance) group {
	name, ok := route53.NormalizeName(in.Name)
	if !ok {
		name = in.Name
	}
	return group{name, in.TrafficPolicyType}
}

// groupSet translates the record sets recs of group g: a traffic policy instance's
// from its policy document, any other through route53.GroupToPolicy.
func (m *mirror) groupSet(z *route53.Zone, recs []*route53.ResourceRecordSet, ttlOf func(name, typ string) (int64, bool), pcolls map[string]*policy.CIDRCollection) (*policy.RecordSet, error) {
	if len(recs) == 1 && recs[0].TrafficPolicyInstanceId != "" {
		return m.instanceSet(z, recs[0])
	}
	return route53.GroupToPolicy(z, recs, ttlOf, pcolls)
}

// instanceSet compiles the record set of a traffic policy instance from its policy
// version's document.
func (m *mirror) instanceSet(z *route53.Zone, rs *route53.ResourceRecordSet) (*policy.RecordSet, error) {
	in := m.instances[rs.TrafficPolicyInstanceId]
	if in == nil {
		return nil, fmt.Errorf("%s %s: no traffic policy instance %s", rs.Name, rs.Type, rs.TrafficPolicyInstanceId)
	}
	p := m.policies[in.TrafficPolicyId]
	if p == nil {
		return nil, fmt.Errorf("%s %s: traffic policy instance %s: no traffic policy %s", rs.Name, rs.Type, in.Id, in.TrafficPolicyId)
	}
	out, err := trafficflow.InstanceRecordSet(p, in, trafficflow.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s %s: traffic policy instance %s: %v", rs.Name, rs.Type, in.Id, err)
	}
	out.Pos = policy.Pos{File: "route53:" + z.ID + ":trafficpolicyinstance/" + in.Id}
	return out, nil
}

// usersOf adds to d every group of the mirror that uses one of the collections d
// names: a changed collection recompiles the record sets using it.
func (m *mirror) usersOf(d *dirt) {
	if len(d.colls) == 0 {
		return
	}
	for id, groups := range m.sets {
		for g, bySet := range groups {
			for _, rs := range bySet {
				if c := rs.CidrRoutingConfig; c != nil && d.colls[c.CollectionId] {
					d.group(id, g)
					break
				}
			}
		}
	}
}

// collections lists the mirror's CIDR collections.
func (m *mirror) collections() []*route53.CidrCollection {
	out := make([]*route53.CidrCollection, 0, len(m.colls))
	for _, c := range m.colls {
		out = append(out, c)
	}
	return out
}

// zonePolicy translates a hosted zone: its record sets through route53.ToPolicy,
// the record sets of its traffic policy instances from their policy versions.
func (m *mirror) zonePolicy(id string, colls []*route53.CidrCollection) (*policy.Zone, error) {
	z := &m.zones[id].Zone
	all := m.zoneRecordSets(id)
	plain := all[:0:0]
	var instances []*route53.ResourceRecordSet
	for i := range all {
		if all[i].TrafficPolicyInstanceId != "" {
			instances = append(instances, &all[i])
		} else {
			plain = append(plain, all[i])
		}
	}
	pz, _, err := route53.ToPolicy(z, plain, colls)
	if err != nil {
		return nil, err
	}
	for _, rs := range instances {
		prs, err := m.instanceSet(z, rs)
		if err != nil {
			return nil, err
		}
		pz.Records = append(pz.Records, prs)
	}
	return pz, nil
}

// policyCollections are the policy's CIDR collections by Route 53 collection ID.
func policyCollections(colls []*route53.CidrCollection) (map[string]*policy.CIDRCollection, error) {
	byName, err := route53.PolicyCollections(colls)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*policy.CIDRCollection, len(colls))
	for _, c := range colls {
		out[c.ID] = byName[c.Name]
	}
	return out, nil
}

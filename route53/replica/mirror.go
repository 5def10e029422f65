package replica

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// group names the record sets of one name and type of a zone.
type group struct{ name, typ string }

// mirror is the store's data, decoded: what the replica compiles from.
type mirror struct {
	zones  map[string]*catalog.Zone                                   // by zone ID
	sets   map[string]map[group]map[string]*route53.ResourceRecordSet // zone ID → group → SetIdentifier → set
	checks map[string]checks.HealthCheck                              // by ID
	byKey  map[string]recordRef                                       // record set key → where it is
	// aliasers: zone ID → target group → the groups with an alias record set
	// targeting it, so a change finds the aliases to rebuild without a zone walk.
	aliasers map[string]map[group]map[group]int

	policies  map[string]*trafficflow.Policy                // by ID
	instances map[string]*trafficflow.TrafficPolicyInstance // by ID
	colls     map[string]*route53.CidrCollection            // by ID
}

// recordRef locates a record set of the mirror by its store key.
type recordRef struct {
	zone string
	g    group
	set  string
}

func newMirror() *mirror {
	return &mirror{zones: map[string]*catalog.Zone{}, sets: map[string]map[group]map[string]*route53.ResourceRecordSet{},
		checks: map[string]checks.HealthCheck{}, byKey: map[string]recordRef{},
		aliasers: map[string]map[group]map[group]int{},
		policies: map[string]*trafficflow.Policy{}, instances: map[string]*trafficflow.TrafficPolicyInstance{},
		colls: map[string]*route53.CidrCollection{}}
}

// dirt is what one event changed.
type dirt struct {
	zones   map[string]bool           // zone IDs added, removed or with new settings
	groups  map[string]map[group]bool // zone ID → groups changed
	checks  bool
	changes map[string]bool // change IDs written (true) or deleted: trimmed from the log (false)
	colls   map[string]bool // CIDR collection IDs written or deleted
	// policies: a traffic policy was written. It dirties no record set (see
	// putTraffic), but a held zone whose instance lacked it may compile now.
	policies bool
}

func newDirt() *dirt {
	return &dirt{zones: map[string]bool{}, groups: map[string]map[group]bool{}, changes: map[string]bool{}, colls: map[string]bool{}}
}

// put applies one key's new value (nil, deleted) to the mirror and notes what it
// changed in d (nil: nothing noted). A value that does not decode is refused with
// its key.
func (m *mirror) put(key string, value []byte, deleted bool, d *dirt) error {
	switch {
	case strings.HasPrefix(key, catalog.ZonePrefix):
		id := strings.TrimPrefix(key, catalog.ZonePrefix)
		if deleted {
			delete(m.zones, id)
			for _, bySet := range m.sets[id] {
				for _, rs := range bySet {
					delete(m.byKey, catalog.RecordKey(id, rs))
				}
			}
			delete(m.sets, id)
			delete(m.aliasers, id)
			d.zone(id)
			return nil
		}
		var z catalog.Zone
		if err := json.Unmarshal(value, &z); err != nil {
			return fmt.Errorf("store key %q: %v", key, err)
		}
		old := m.zones[id]
		m.zones[id] = &z
		if old == nil || old.Name != z.Name {
			d.zone(id)
		}
	case strings.HasPrefix(key, catalog.RecordPrefix):
		id, ok := catalog.RecordZone(key)
		if !ok {
			return fmt.Errorf("store key %q: not a record set key", key)
		}
		if deleted {
			m.removeRecord(key, d)
			return nil
		}
		var rs route53.ResourceRecordSet
		if err := json.Unmarshal(value, &rs); err != nil {
			return fmt.Errorf("store key %q: %v", key, err)
		}
		if catalog.RecordKey(id, &rs) != key {
			return fmt.Errorf("store key %q: holds the record set of another key (%s %s %q)", key, rs.Name, rs.Type, rs.SetIdentifier)
		}
		g := group{rs.Name, rs.Type}
		zs := m.sets[id]
		if zs == nil {
			zs = map[group]map[string]*route53.ResourceRecordSet{}
			m.sets[id] = zs
		}
		if zs[g] == nil {
			zs[g] = map[string]*route53.ResourceRecordSet{}
		}
		if old := zs[g][rs.SetIdentifier]; old != nil {
			m.unalias(id, g, old)
		}
		zs[g][rs.SetIdentifier] = &rs
		m.alias(id, g, &rs)
		m.byKey[key] = recordRef{id, g, rs.SetIdentifier}
		d.group(id, g)
	case strings.HasPrefix(key, catalog.HealthCheckPrefix):
		id := strings.TrimPrefix(key, catalog.HealthCheckPrefix)
		if deleted {
			delete(m.checks, id)
		} else {
			var h checks.HealthCheck
			if err := json.Unmarshal(value, &h); err != nil {
				return fmt.Errorf("store key %q: %v", key, err)
			}
			m.checks[id] = h
		}
		d.checks = true
	case strings.HasPrefix(key, catalog.ChangePrefix):
		d.changes[strings.TrimPrefix(key, catalog.ChangePrefix)] = !deleted
	default:
		return m.putTraffic(key, value, deleted, d)
	}
	return nil
}

// removeRecord drops the record set a deleted key held: found by key, since a
// deleted key has no value to decode.
func (m *mirror) removeRecord(key string, d *dirt) {
	ref, ok := m.byKey[key]
	if !ok {
		return // never seen: nothing to drop
	}
	delete(m.byKey, key)
	bySet := m.sets[ref.zone][ref.g]
	if old := bySet[ref.set]; old != nil {
		m.unalias(ref.zone, ref.g, old)
	}
	delete(bySet, ref.set)
	if len(bySet) == 0 {
		delete(m.sets[ref.zone], ref.g)
	}
	d.group(ref.zone, ref.g)
}

func (d *dirt) zone(id string) { d.zones[id] = true }

// merge adds what o changed to d.
func (d *dirt) merge(o *dirt) {
	for id := range o.zones {
		d.zones[id] = true
	}
	for id, gs := range o.groups {
		for g := range gs {
			d.group(id, g)
		}
	}
	for id := range o.colls {
		d.colls[id] = true
	}
	d.checks = d.checks || o.checks
	d.policies = d.policies || o.policies
}

func (d *dirt) group(id string, g group) {
	if d.groups[id] == nil {
		d.groups[id] = map[group]bool{}
	}
	d.groups[id][g] = true
}

// recordSets returns a group's record sets ordered by SetIdentifier.
func (m *mirror) recordSets(id string, g group) []*route53.ResourceRecordSet {
	bySet := m.sets[id][g]
	out := make([]*route53.ResourceRecordSet, 0, len(bySet))
	for _, rs := range bySet {
		out = append(out, rs)
	}
	slices.SortFunc(out, func(a, b *route53.ResourceRecordSet) int { return strings.Compare(a.SetIdentifier, b.SetIdentifier) })
	return out
}

// zoneRecordSets returns every record set of a zone, in ListResourceRecordSets order.
func (m *mirror) zoneRecordSets(id string) []route53.ResourceRecordSet {
	var out []route53.ResourceRecordSet
	for _, bySet := range m.sets[id] {
		for _, rs := range bySet {
			out = append(out, *rs)
		}
	}
	route53.SortRecordSets(out)
	return out
}

// load reads a whole store snapshot into a new mirror.
// The IDs of the changes it holds are noted in d.
// A value that does not decode is skipped with a line through logf.
func load(r store.Reader, d *dirt, logf func(string, ...any)) (*mirror, error) {
	m := newMirror()
	for _, prefix := range []string{catalog.ZonePrefix, catalog.RecordPrefix, catalog.HealthCheckPrefix, catalog.ChangePrefix,
		catalog.TrafficPolicies, catalog.Instances, catalog.CidrCollections} {
		if serr := r.Scan(prefix, "", func(key string, value []byte) bool {
			if err := m.put(key, value, false, d); err != nil {
				logf("store: refused %v", err)
			}
			return true
		}); serr != nil {
			return nil, serr
		}
	}
	return m, nil
}

// alias notes that group g of zone id holds rs, an alias when it has a target.
func (m *mirror) alias(id string, g group, rs *route53.ResourceRecordSet) {
	if rs.AliasTarget == nil {
		return
	}
	t := group{rs.AliasTarget.DNSName, rs.Type}
	if m.aliasers[id] == nil {
		m.aliasers[id] = map[group]map[group]int{}
	}
	if m.aliasers[id][t] == nil {
		m.aliasers[id][t] = map[group]int{}
	}
	m.aliasers[id][t][g]++
}

// unalias undoes alias for a record set that goes.
func (m *mirror) unalias(id string, g group, rs *route53.ResourceRecordSet) {
	if rs.AliasTarget == nil {
		return
	}
	t := group{rs.AliasTarget.DNSName, rs.Type}
	by := m.aliasers[id][t]
	if by[g]--; by[g] <= 0 {
		delete(by, g)
	}
	if len(by) == 0 {
		delete(m.aliasers[id], t)
	}
}

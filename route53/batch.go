package route53

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Limits of one change batch, as Route 53's. An UPSERT's values count twice.
const (
	MaxChanges         = 1000
	MaxBatchRecords    = 1000
	MaxBatchValueChars = 32000
)

// References answers what a change batch refers to outside its zone.
type References interface {
	// HealthCheckExists reports whether a health check with the ID exists.
	HealthCheckExists(id string) bool
	// CidrCollection finds a CIDR collection by ID.
	CidrCollection(id string) (*CidrCollection, bool)
}

// rkey identifies a record set in a zone.
type rkey struct{ name, typ, id string }

func keyOf(rs *ResourceRecordSet) rkey { return rkey{rs.Name, rs.Type, rs.SetIdentifier} }

// batch is a change batch being applied: the zone's record sets (sorted, never
// modified) overlaid with what the changes so far put or removed.
type batch struct {
	z      *Zone
	cur    []ResourceRecordSet
	over   map[rkey]*ResourceRecordSet // nil: deleted
	byName map[string][]rkey           // over's keys by name
	refs   References
	msgs   []string
	ttl    map[rkey]int64 // (name, type) group → TTL of its last changed record set
	// instance is the traffic policy instance whose record sets the batch changes;
	// "" for a user's batch.
	instance string
}

// ApplyChanges validates a change batch against the zone's record sets and applies
// it all or nothing, as ChangeResourceRecordSets does: PlanChanges, then
// Delta.Apply. current must be the zone's record sets in ListResourceRecordSets
// order (SortRecordSets) with normalized names, as ApplyChanges returns them; it is
// not modified. The result is the zone's new record sets in the same order.
func ApplyChanges(z *Zone, current []ResourceRecordSet, cb *ChangeBatch, refs References) ([]ResourceRecordSet, *apierr.Error) {
	d, err := PlanChanges(z, current, cb, refs)
	if err != nil {
		return nil, err
	}
	return d.Apply(current), nil
}

// PlanChanges validates a change batch against the zone's record sets (sorted, as
// for ApplyChanges) and returns what it does, without building the new record
// sets: a store writes the Delta, the server recompiles its Groups. It looks record
// sets up by binary search, so a one-change batch costs microseconds in a zone of
// any size (a DELETE that empties a name and type also scans the zone for aliases
// to it).
//
// Errors are Route 53's: InvalidInput for a batch that breaks the API model's
// constraints (lengths, ranges, enums, which members a record set has),
// NoSuchHealthCheck for an unknown health check, and otherwise one
// InvalidChangeBatch with a message for every refused change: creating what
// exists, deleting what does not or with other values, names outside the zone,
// CNAMEs beside other types, routing policies mixed within one name and type,
// duplicate failover/geolocation/latency/CIDR locations, aliases to missing
// targets, unknown CIDR collections and locations, and the batch limits.
func PlanChanges(z *Zone, current []ResourceRecordSet, cb *ChangeBatch, refs References) (*Delta, *apierr.Error) {
	return PlanInstanceChanges(z, current, cb, refs, "")
}

// PlanInstanceChanges is PlanChanges for the record sets of a traffic policy
// instance: every record set of the batch carries TrafficPolicyInstanceId instance,
// and the batch may change only record sets of that instance. With instance "",
// as through ChangeResourceRecordSets, no change may name an instance or touch a
// record set of one (Route 53 changes those through the instance).
func PlanInstanceChanges(z *Zone, current []ResourceRecordSet, cb *ChangeBatch, refs References, instance string) (*Delta, *apierr.Error) {
	changes, err := prepare(z, cb, refs, instance)
	if err != nil {
		return nil, err
	}
	b := &batch{z: z, cur: current, over: map[rkey]*ResourceRecordSet{}, byName: map[string][]rkey{}, refs: refs, ttl: map[rkey]int64{}, instance: instance}
	for i := range changes {
		b.apply(&changes[i])
	}
	if len(b.msgs) == 0 {
		b.spreadTTLs()
		b.validate()
	}
	if len(b.msgs) > 0 {
		return nil, apierr.InvalidChangeBatch(b.msgs...)
	}
	return b.delta(), nil
}

// prepare checks the batch before it touches the zone: the model's constraints,
// each record set's members, values and references. It returns the changes with
// normalized names.
func prepare(z *Zone, cb *ChangeBatch, refs References, instance string) ([]Change, *apierr.Error) {
	var v violations
	v.length(cb.Comment, "changeBatch.comment", 0, 256)
	if len(cb.Changes) == 0 {
		v.add("[]", "changeBatch.changes", "Member must have length greater than or equal to 1")
	}
	for i := range cb.Changes {
		path := "changeBatch.changes." + strconv.Itoa(i+1) + ".member"
		v.enum(cb.Changes[i].Action, path+".action", changeActions)
		checkShape(&v, &cb.Changes[i].ResourceRecordSet, path+".resourceRecordSet")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if len(cb.Changes) > MaxChanges {
		return nil, apierr.InvalidChangeBatch(fmt.Sprintf("Number of changes limit of %d exceeded.", MaxChanges))
	}
	records, chars := 0, 0
	for _, c := range cb.Changes {
		k := 1
		if c.Action == ActionUpsert {
			k = 2
		}
		records += k * len(c.ResourceRecordSet.ResourceRecords)
		for _, r := range c.ResourceRecordSet.ResourceRecords {
			chars += k * len(r.Value)
		}
	}
	var msgs []string
	if records > MaxBatchRecords {
		msgs = append(msgs, fmt.Sprintf("Number of records limit of %d exceeded.", MaxBatchRecords))
	}
	if chars > MaxBatchValueChars {
		msgs = append(msgs, fmt.Sprintf("Number of characters limit of %d exceeded.", MaxBatchValueChars))
	}
	if len(msgs) > 0 {
		return nil, apierr.InvalidChangeBatch(msgs...)
	}
	out := make([]Change, len(cb.Changes))
	for i, c := range cb.Changes {
		if err := checkStructure(c.Action, &c.ResourceRecordSet); err != nil {
			return nil, err
		}
		if id := c.ResourceRecordSet.TrafficPolicyInstanceId; id != instance {
			if instance == "" {
				return nil, apierr.InvalidInput("Invalid request: TrafficPolicyInstanceId %s: the record sets of a traffic policy instance are changed through the instance, in %s", id, describe(c.Action, &c.ResourceRecordSet))
			}
			return nil, apierr.InvalidInput("Invalid request: TrafficPolicyInstanceId %q is not the instance %s, in %s", id, instance, describe(c.Action, &c.ResourceRecordSet))
		}
		rs := cloneRecordSet(&c.ResourceRecordSet)
		msgs = append(msgs, normalize(z, rs)...)
		if c.Action != ActionDelete {
			if rs.HealthCheckId != "" && (refs == nil || !refs.HealthCheckExists(rs.HealthCheckId)) {
				return nil, apierr.NotFound("NoSuchHealthCheck", "No health check exists with the specified ID %s", rs.HealthCheckId)
			}
			msgs = append(msgs, checkNew(z, rs, refs)...)
		}
		out[i] = Change{Action: c.Action, ResourceRecordSet: *rs}
	}
	if len(msgs) > 0 {
		return nil, apierr.InvalidChangeBatch(msgs...)
	}
	return out, nil
}

// normalize puts the record set's names in Route 53's form and checks that it
// belongs to the zone.
func normalize(z *Zone, rs *ResourceRecordSet) []string {
	name, ok := NormalizeName(rs.Name)
	if !ok {
		return []string{fmt.Sprintf("FATAL problem: DomainNameInvalid (Domain name is not valid) encountered with '%s'", rs.Name)}
	}
	rs.Name = name
	if !inZone(name, z.Name) {
		return []string{fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", name, z.Name)}
	}
	if a := rs.AliasTarget; a != nil {
		t, ok := NormalizeName(a.DNSName)
		if !ok {
			return []string{fmt.Sprintf("FATAL problem: DomainNameInvalid (Domain name is not valid) encountered with '%s'", a.DNSName)}
		}
		a.DNSName = t
	}
	return nil
}

// apply applies one change to the overlay, or records why it cannot be.
func (b *batch) apply(c *Change) {
	rs := &c.ResourceRecordSet
	k := keyOf(rs)
	old := b.lookup(k)
	if old != nil && old.TrafficPolicyInstanceId != b.instance {
		b.msgs = append(b.msgs, fmt.Sprintf("Tried to %s resource record set %s but it belongs to traffic policy instance %s", strings.ToLower(c.Action), rrsetRef(rs), old.TrafficPolicyInstanceId))
		return
	}
	switch c.Action {
	case ActionCreate:
		if old != nil {
			b.msgs = append(b.msgs, fmt.Sprintf("Tried to create resource record set %s but it already exists", rrsetRef(rs)))
			return
		}
	case ActionDelete:
		switch {
		case old == nil:
			b.msgs = append(b.msgs, fmt.Sprintf("Tried to delete resource record set %s but it was not found", rrsetRef(rs)))
		case !equalRecordSets(old, rs):
			b.msgs = append(b.msgs, fmt.Sprintf("Tried to delete resource record set %s but the values provided do not match the current values", rrsetRef(rs)))
		default:
			b.put(k, nil)
		}
		return
	}
	if rs.TTL != nil {
		b.ttl[rkey{rs.Name, rs.Type, ""}] = *rs.TTL
	}
	b.put(k, rs)
}

func (b *batch) put(k rkey, rs *ResourceRecordSet) {
	if _, ok := b.over[k]; !ok {
		b.byName[k.name] = append(b.byName[k.name], k)
	}
	b.over[k] = rs
}

// lookup finds a record set in the zone as the batch has changed it so far.
func (b *batch) lookup(k rkey) *ResourceRecordSet {
	if rs, ok := b.over[k]; ok {
		return rs
	}
	if i, ok := findRecordSet(b.cur, k); ok {
		return &b.cur[i]
	}
	return nil
}

// findRecordSet binary-searches sorted record sets for a key.
func findRecordSet(rrsets []ResourceRecordSet, k rkey) (int, bool) {
	probe := ResourceRecordSet{Name: k.name, Type: k.typ, SetIdentifier: k.id}
	key := sortKey(k.name)
	i, _ := slices.BinarySearchFunc(rrsets, &probe, func(rs ResourceRecordSet, p *ResourceRecordSet) int {
		return compareKeyed(sortKey(rs.Name), &rs, key, p)
	})
	if i < len(rrsets) && keyOf(&rrsets[i]) == k {
		return i, true
	}
	return i, false
}

// atName returns the record sets at a name as the batch has changed them.
func (b *batch) atName(name string) []*ResourceRecordSet {
	var out []*ResourceRecordSet
	i, _ := findRecordSet(b.cur, rkey{name: name})
	key := sortKey(name)
	for ; i < len(b.cur) && sortKey(b.cur[i].Name) == key; i++ {
		if rs := &b.cur[i]; rs.Name == name {
			if _, changed := b.over[keyOf(rs)]; !changed {
				out = append(out, rs)
			}
		}
	}
	for _, k := range b.byName[name] {
		if rs := b.over[k]; rs != nil {
			out = append(out, rs)
		}
	}
	return out
}

// spreadTTLs gives every value record set of a changed group the TTL of the group's
// last changed one: Route 53 keeps one TTL per name and type.
func (b *batch) spreadTTLs() {
	for g, ttl := range b.ttl {
		for _, rs := range b.atName(g.name) {
			if rs.Type != g.typ || rs.TTL == nil || *rs.TTL == ttl {
				continue
			}
			cp := cloneRecordSet(rs)
			cp.TTL = ptr(ttl)
			b.put(keyOf(cp), cp)
		}
	}
}

// delta is the overlay as a Delta.
func (b *batch) delta() *Delta {
	d := &Delta{}
	for k, rs := range b.over {
		if rs != nil {
			d.Put = append(d.Put, *rs)
		} else if _, found := findRecordSet(b.cur, k); found {
			d.Delete = append(d.Delete, RecordKey{k.name, k.typ, k.id})
		}
	}
	SortRecordSets(d.Put)
	slices.SortFunc(d.Delete, func(x, y RecordKey) int { return compareRecordSets(x.probe(), y.probe()) })
	return d
}

package route53

import "slices"

// RecordKey identifies a record set of a zone: name (normalized), type and
// SetIdentifier ("" for a simple record set).
type RecordKey struct{ Name, Type, SetIdentifier string }

func (k RecordKey) probe() *ResourceRecordSet {
	return &ResourceRecordSet{Name: k.Name, Type: k.Type, SetIdentifier: k.SetIdentifier}
}

// Delta is what a valid change batch does to a zone: the record sets it puts
// (creates or replaces, including those whose TTL it changed) and those it
// removes, each in ListResourceRecordSets order.
type Delta struct {
	Put    []ResourceRecordSet
	Delete []RecordKey
}

// Apply returns current (sorted, not modified) with the delta applied, sorted.
func (d *Delta) Apply(current []ResourceRecordSet) []ResourceRecordSet {
	type pos struct {
		put   *ResourceRecordSet // nil: a delete
		k     rkey
		i     int
		found bool
	}
	ps := make([]pos, 0, len(d.Put)+len(d.Delete))
	for j := range d.Put {
		k := keyOf(&d.Put[j])
		i, found := findRecordSet(current, k)
		ps = append(ps, pos{&d.Put[j], k, i, found})
	}
	for _, dk := range d.Delete {
		k := rkey{dk.Name, dk.Type, dk.SetIdentifier}
		if i, found := findRecordSet(current, k); found {
			ps = append(ps, pos{nil, k, i, true})
		}
	}
	slices.SortFunc(ps, func(x, y pos) int {
		if x.i != y.i {
			return x.i - y.i
		}
		return compareRecordSets(RecordKey{x.k.name, x.k.typ, x.k.id}.probe(), RecordKey{y.k.name, y.k.typ, y.k.id}.probe())
	})
	out := make([]ResourceRecordSet, 0, len(current)+len(d.Put))
	prev := 0
	for _, p := range ps {
		out = append(out, current[prev:p.i]...)
		prev = p.i
		if p.found {
			prev = p.i + 1
		}
		if p.put != nil {
			out = append(out, *p.put)
		}
	}
	return append(out, current[prev:]...)
}

// Groups returns the names and types (SetIdentifier "") the delta changes: the
// policy record sets to translate again (GroupToPolicy) — with AffectedGroups, the
// aliases that inline them.
func (d *Delta) Groups() []RecordKey {
	seen := map[RecordKey]bool{}
	var out []RecordKey
	add := func(k RecordKey) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for i := range d.Put {
		add(RecordKey{Name: d.Put[i].Name, Type: d.Put[i].Type})
	}
	for _, k := range d.Delete {
		add(RecordKey{Name: k.Name, Type: k.Type})
	}
	slices.SortFunc(out, func(x, y RecordKey) int { return compareRecordSets(x.probe(), y.probe()) })
	return out
}

// AffectedGroups returns groups and every name and type of rrsets whose aliases
// lead to one of them, directly or through other aliases: a compiled alias inlines
// its target's tree, so it is compiled again when the target changes.
func AffectedGroups(rrsets []ResourceRecordSet, groups []RecordKey) []RecordKey {
	targeting := map[group][]group{} // target → aliases to it
	for i := range rrsets {
		if a := rrsets[i].AliasTarget; a != nil {
			t := group{a.DNSName, rrsets[i].Type}
			targeting[t] = append(targeting[t], group{rrsets[i].Name, rrsets[i].Type})
		}
	}
	seen := map[group]bool{}
	var out []RecordKey
	queue := make([]group, 0, len(groups))
	for _, k := range groups {
		queue = append(queue, group{k.Name, k.Type})
	}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		if seen[g] {
			continue
		}
		seen[g] = true
		out = append(out, RecordKey{Name: g.name, Type: g.typ})
		queue = append(queue, targeting[g]...)
	}
	slices.SortFunc(out, func(x, y RecordKey) int { return compareRecordSets(x.probe(), y.probe()) })
	return out
}

package policy

import (
	"fmt"
	"maps"
)

// Adopt returns a snapshot of s's zones and zones, compiled zones taken from
// another snapshot as they are: a replica that refuses one zone's new data keeps
// serving that zone's last good version beside the others compiled anew. Their
// names, trees and health sources are shared with the snapshot they come from; only
// their sets are copied, to take slots after s.Endpoints() (a slot names one
// endpoint within a lineage, and the adopted zone comes from another). s stays valid
// and unchanged. A zone whose origin s already serves is an error.
//
// The adopted sets keep the health sources they were compiled with: whoever adopts a
// zone keeps those checks running while it serves.
func (s *Snapshot) Adopt(zones ...*CompiledZone) (*Snapshot, error) {
	if len(zones) == 0 {
		return s, nil
	}
	n := &Snapshot{zones: maps.Clone(s.zones), sets: s.sets, endpoints: s.endpoints}
	for _, old := range zones {
		if _, dup := n.zones[old.Origin]; dup {
			return nil, fmt.Errorf("zones.%s: zone defined twice", old.Origin)
		}
		z := *old
		var fresh []*Set
		z.names, fresh = renumbered(old.names, fresh)
		z.wild, fresh = renumbered(old.wild, fresh)
		if err := n.number(fresh); err != nil {
			return nil, err
		}
		n.zones[z.Origin] = &z
		n.sets += z.nsets
	}
	n.origins = sortedOrigins(n.zones)
	return n, nil
}

// renumbered copies the entries of m and their sets (the sets to be given slots are
// appended to fresh); the trees are shared.
func renumbered(m map[string]*entry, fresh []*Set) (map[string]*entry, []*Set) {
	out := make(map[string]*entry, len(m))
	for k, e := range m {
		c := &entry{sets: make([]*Set, len(e.sets)), below: e.below}
		for i, set := range e.sets {
			cp := *set
			c.sets[i] = &cp
			fresh = append(fresh, &cp)
		}
		out[k] = c
	}
	return out, fresh
}

package policy

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Update is one atomic change of a Snapshot's data, applied by Snapshot.Update in
// this order: zones removed, zones added, then the changes inside zones.
type Update struct {
	RemoveZones []string     // origins
	AddZones    []*Zone      // whole zones, compiled as Compile compiles them
	Zones       []ZoneUpdate // at most one per origin

	// Source returns the record set (owner and type k) of zone origin as the data
	// holds it. A snapshot keeps the record sets of its aliases and their targets
	// only; Update asks Source for a set that a set put aliases when no alias named
	// it before. nil, or a nil answer, refuses such an update.
	Source func(origin string, k SetKey) *RecordSet
}

// ZoneUpdate changes the record sets and settings of one zone. Removals come
// first: a key both in Remove and in Put is replaced.
type ZoneUpdate struct {
	Origin string
	Remove []SetKey      // record sets that go; each must exist
	Put    []*RecordSet  // record sets added or replaced, whole
	Zone   *ZoneSettings // non-nil: the zone's new TTL and SOA
}

// ZoneSettings are a zone's own fields, as in Zone: the SOA record's TTL and
// fields (nil: defaults; serial 0: the update's time).
type ZoneSettings struct {
	TTL uint32
	SOA *SOA
}

// Update returns a snapshot with u applied, compiling only what changed: the record
// sets put, the sets that alias a changed or removed set (directly or through other
// aliases), and the SOA of a changed zone that leaves its serial 0 (it becomes now,
// as a reload would make it). Everything else — zones, names, sets and trees — is
// shared with s, which stays valid and unchanged: readers may go on using it. On
// error nothing is published and s is as it was; the errors are Compile's for the
// same data (when the data has several faults, Compile may name another first).
//
// resolve must know every check of the sets compiled. Sets that are not compiled
// keep the health sources they were compiled with: a check that goes away must
// first leave every tree using it.
//
// The snapshot keeps the record sets of aliases and of their targets, as Compile
// does: they must not change afterwards.
//
// New sets take fresh Slots from s.Endpoints() on; the slots of removed and
// replaced sets are not reused, so Endpoints() bounds Slot but may exceed the
// endpoints the trees hold. State kept by slot (the plugin's answer counters)
// grows to the new Endpoints() and carries every old slot over as it is: a slot
// names the same endpoint of the same set in every snapshot of a lineage. A full
// Compile starts a new lineage (renumbered from 0). A zone the update changes is a
// new *CompiledZone (an unchanged one is the same pointer): state kept by zone
// pointer is resolved again for the changed ones.
func (s *Snapshot) Update(u Update, resolve CheckResolver, now time.Time) (*Snapshot, error) {
	n := &Snapshot{zones: maps.Clone(s.zones), origins: s.origins, sets: s.sets, endpoints: s.endpoints}
	reorder := len(u.RemoveZones) > 0 || len(u.AddZones) > 0
	for _, o := range u.RemoveZones {
		z, ok := n.zones[o]
		if !ok {
			return nil, fmt.Errorf("zones.%s: no such zone to remove", o)
		}
		delete(n.zones, o)
		n.sets -= z.nsets
	}
	for _, z := range u.AddZones {
		if _, dup := n.zones[z.Origin]; dup {
			return nil, fmt.Errorf("%s:%d: zones.%s: zone defined twice", z.Pos.File, z.Pos.Line, z.Origin)
		}
		cz, err := compileZone(z, resolve, now)
		if err != nil {
			return nil, err
		}
		var fresh []*Set
		cz.EachSet(func(set *Set) { fresh = append(fresh, set) })
		if err := n.number(fresh); err != nil {
			return nil, err
		}
		n.zones[z.Origin] = cz
		n.sets += cz.nsets
	}
	done := make(map[string]bool, len(u.Zones))
	for i := range u.Zones {
		zu := &u.Zones[i]
		old, ok := n.zones[zu.Origin]
		if !ok {
			return nil, fmt.Errorf("zones.%s: no such zone", zu.Origin)
		}
		if done[zu.Origin] {
			return nil, fmt.Errorf("zones.%s: changed twice in one update", zu.Origin)
		}
		done[zu.Origin] = true
		source := func(k SetKey) *RecordSet {
			if u.Source == nil {
				return nil
			}
			return u.Source(zu.Origin, k)
		}
		cz, fresh, err := editZone(old, zu, source, resolve, now)
		if err != nil {
			return nil, err
		}
		if err := n.number(fresh); err != nil {
			return nil, err
		}
		n.zones[zu.Origin] = cz
		n.sets += cz.nsets - old.nsets
	}
	if reorder {
		n.origins = sortedOrigins(n.zones)
	}
	return n, nil
}

// number gives new sets the slots after every slot of the lineage.
func (s *Snapshot) number(sets []*Set) error {
	for _, set := range sets {
		set.Slot = int32(s.endpoints)
		s.endpoints += len(set.Tree.Endpoints)
		if s.endpoints > math.MaxInt32 {
			return fmt.Errorf("more than %d endpoints", math.MaxInt32)
		}
	}
	return nil
}

// sortedOrigins lists the zones most specific first (then by name, so that the
// order does not depend on the map's).
func sortedOrigins(zones map[string]*CompiledZone) []string {
	origins := slices.Collect(maps.Keys(zones))
	slices.SortFunc(origins, func(a, b string) int {
		if c := dns.CountLabel(b) - dns.CountLabel(a); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return origins
}

// aliasTargets appends to acc the owners that the alias nodes of the tree under n
// name (their targets' trees are not walked: those are other sets).
func aliasTargets(n *Node, acc []string) []string {
	if n == nil {
		return acc
	}
	if n.Rule == RuleAlias {
		acc = append(acc, n.Alias)
	}
	for _, c := range n.Children {
		acc = aliasTargets(c, acc)
	}
	return acc
}

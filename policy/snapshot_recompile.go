package policy

import (
	"fmt"
	"maps"
	"slices"

	"github.com/miekg/dns"
)

// An edit compiles again the sets that alias a changed set. This file keeps the
// zone's alias index and the record sets those compiles read.

// ownAliases copies the zone's alias index and sources before their first change.
func (ed *zoneEdit) ownAliases() {
	if ed.aliases {
		return
	}
	ed.z.aliasedBy, ed.z.srcs, ed.aliases = maps.Clone(ed.z.aliasedBy), maps.Clone(ed.z.srcs), true
	if ed.z.aliasedBy == nil {
		ed.z.aliasedBy, ed.z.srcs = map[SetKey][]SetKey{}, map[SetKey]*RecordSet{}
	}
}

// link adds (or removes) "from has an alias node naming target" in the zone's index.
func (ed *zoneEdit) link(target, from SetKey, add bool) {
	ed.ownAliases()
	froms := ed.z.aliasedBy[target]
	if add {
		ed.z.aliasedBy[target] = append(slices.Clip(froms), from)
		return
	}
	// A set may name one target twice: one edge goes per alias node.
	i := slices.Index(froms, from)
	froms = slices.Delete(slices.Clone(froms), i, i+1)
	if len(froms) == 0 {
		delete(ed.z.aliasedBy, target)
		return
	}
	ed.z.aliasedBy[target] = froms
}

// keep keeps (or drops) the record set of k, as written, for later compiles.
func (ed *zoneEdit) keep(k SetKey, rs *RecordSet, keep bool) {
	if !keep && ed.z.srcs[k] == nil {
		return
	}
	ed.ownAliases()
	if keep {
		ed.z.srcs[k] = rs
		return
	}
	delete(ed.z.srcs, k)
}

// src is the record set as written of k, which exists in the zone: put by this
// edit, kept by the zone, else from Update.Source (and kept from now on).
func (ed *zoneEdit) src(k SetKey) *RecordSet {
	if rs := ed.puts[k]; rs != nil {
		return rs
	}
	if rs := ed.z.srcs[k]; rs != nil {
		return rs
	}
	if k.Type != dns.TypeSOA {
		if rs := ed.source(k); rs != nil && rs.Name == k.Name && rs.Type == k.Type {
			ed.keep(k, rs, true)
			return rs
		}
	}
	ed.missing = k
	return nil
}

// compile compiles the sets put, and every set that aliases a changed set directly
// or through other aliases, against the zone as edited.
func (ed *zoneEdit) compile(resolve CheckResolver) error {
	todo := make([]SetKey, 0, len(ed.puts))
	seen := make(map[SetKey]bool, len(ed.puts))
	for _, k := range ed.changed {
		if ed.puts[k] != nil && !seen[k] {
			seen[k] = true
			todo = append(todo, k)
		}
	}
	// Sets aliasing a changed one, in breadth-first order from the changes.
	queue := slices.Clone(ed.changed)
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, from := range ed.z.aliasedBy[k] {
			if !seen[from] {
				seen[from] = true
				todo = append(todo, from)
				queue = append(queue, from)
			}
		}
	}
	lookup := func(name string, t uint16) *RecordSet {
		k := SetKey{name, t}
		if ed.get(k) == nil || t == dns.TypeSOA {
			return nil // as Compile: no such record set
		}
		return ed.src(k)
	}
	for _, k := range todo {
		old := ed.get(k)
		rs := ed.src(k)
		if rs == nil {
			return ed.notAtHand(k)
		}
		ed.missing = SetKey{}
		set, err := compileSet(ed.z.Origin, rs, resolve, lookup)
		if err != nil {
			if ed.missing != (SetKey{}) {
				return ed.notAtHand(k)
			}
			return err
		}
		m, key := ed.z.names, k.Name
		if isWild(k.Name) {
			m, key = ed.z.wild, k.Name[2:]
		}
		e := ed.own(m, key)
		e.sets[slices.Index(e.sets, old)] = set
		if old.Tree != nil {
			ed.z.count(old, -1)
		}
		ed.z.count(set, 1)
		ed.fresh = append(ed.fresh, set)
	}
	return nil
}

// notAtHand is the error of a compile that needed a record set the zone does not
// keep and Update.Source did not give.
func (ed *zoneEdit) notAtHand(k SetKey) error {
	return fmt.Errorf("zones.%s: %s %s: compiling it needs the record set %s %s, which the snapshot does not keep and Update.Source did not give",
		ed.z.Origin, k.Name, dns.TypeToString[k.Type], ed.missing.Name, dns.TypeToString[ed.missing.Type])
}

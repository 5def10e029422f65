package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// zoneEdit builds the new version of one zone from the old one. The maps are
// copies, but their entries are the old zone's until changed: own copies an entry
// before the first change, so the old zone is never written to.
type zoneEdit struct {
	z       *CompiledZone
	owned   map[*entry]bool // entries made by this edit, safe to change
	aliases bool            // z.aliasedBy and z.srcs are this edit's own copies
	puts    map[SetKey]*RecordSet
	changed []SetKey // sets put or removed: their aliases are compiled again
	fresh   []*Set   // sets compiled by this edit, to be given slots

	source  func(SetKey) *RecordSet // Update.Source for this zone; may return nil
	missing SetKey                  // an alias target whose record set nobody had
}

// editZone applies zu to old. It returns the new zone and the sets it compiled.
func editZone(old *CompiledZone, zu *ZoneUpdate, source func(SetKey) *RecordSet, resolve CheckResolver, now time.Time) (*CompiledZone, []*Set, error) {
	if len(zu.Remove) == 0 && len(zu.Put) == 0 && zu.Zone == nil {
		return old, nil, nil
	}
	z := *old
	z.names, z.wild = maps.Clone(old.names), maps.Clone(old.wild)
	put := make(map[SetKey]*RecordSet, len(zu.Put))
	ed := &zoneEdit{z: &z, owned: map[*entry]bool{}, puts: put, source: source}
	for _, rs := range zu.Put {
		if err := ed.checkPut(rs); err != nil {
			return nil, nil, err
		}
		k := SetKey{rs.Name, rs.Type}
		if put[k] != nil {
			return nil, nil, fmt.Errorf("%s:%d: %s %s defined twice", rs.Pos.File, rs.Pos.Line, rs.Name, dns.TypeToString[rs.Type])
		}
		put[k] = rs
	}
	for _, k := range zu.Remove {
		if k.Type == dns.TypeSOA || ed.get(k) == nil {
			return nil, nil, fmt.Errorf("zones.%s: %s %s: no such record set to remove", z.Origin, k.Name, dns.TypeToString[k.Type])
		}
		if put[k] == nil {
			ed.remove(k)
		}
	}
	for _, rs := range zu.Put {
		if err := ed.put(rs); err != nil {
			return nil, nil, err
		}
	}
	for _, rs := range zu.Put {
		k := SetKey{rs.Name, rs.Type}
		ed.keep(k, rs, len(aliasTargets(rs.Root, nil)) > 0 || len(z.aliasedBy[k]) > 0)
	}
	if err := ed.compile(resolve); err != nil {
		return nil, nil, err
	}
	if zu.Zone != nil {
		z.conf.ttl, z.conf.soa = zu.Zone.TTL, zu.Zone.SOA
	}
	if zu.Zone != nil || z.conf.soa == nil || z.conf.soa.Serial == 0 {
		z.SOA = buildSOA(&Zone{Origin: z.Origin, TTL: z.conf.ttl, SOA: z.conf.soa}, now)
		soa := soaSet(z.SOA)
		e := ed.own(z.names, z.Origin)
		e.sets[slices.IndexFunc(e.sets, func(s *Set) bool { return s.Type == dns.TypeSOA })] = soa
		ed.fresh = append(ed.fresh, soa)
	}
	return &z, ed.fresh, nil
}

// checkPut refuses what Compile refuses before compiling, and owners outside the zone.
func (ed *zoneEdit) checkPut(rs *RecordSet) error {
	if rs.Type == dns.TypeSOA {
		return soaAsRecordSet(ed.z.Origin, rs)
	}
	name := rs.Name
	if isWild(name) {
		name = name[2:]
	}
	if !dns.IsSubDomain(ed.z.Origin, name) || strings.ToLower(rs.Name) != rs.Name || !dns.IsFqdn(rs.Name) {
		return fmt.Errorf("%s:%d: %s: not a lower-case name inside the zone %s", rs.Pos.File, rs.Pos.Line, rs.Name, ed.z.Origin)
	}
	return nil
}

// put places rs at its owner, in place of the set it replaces, as a set still to
// compile (its Tree is nil until compile).
func (ed *zoneEdit) put(rs *RecordSet) error {
	k := SetKey{rs.Name, rs.Type}
	if old := ed.get(k); old != nil {
		ed.remove(k)
	}
	e := ed.entryFor(rs.Name)
	if err := cnameConflict(e, rs, ed.z.Origin); err != nil {
		return err
	}
	e.sets = append(e.sets, &Set{Name: rs.Name, Type: rs.Type, TTL: rs.TTL, Label: rs.Name + "/" + dns.TypeToString[rs.Type]})
	ed.z.nsets++
	for _, target := range aliasTargets(rs.Root, nil) {
		ed.link(SetKey{target, rs.Type}, k, true)
	}
	ed.changed = append(ed.changed, k)
	return nil
}

// remove takes the set k away, and its owner when nothing is left at or below it.
func (ed *zoneEdit) remove(k SetKey) {
	z := ed.z
	m, key := z.names, k.Name
	if isWild(k.Name) {
		m, key = z.wild, k.Name[2:]
	}
	e := ed.own(m, key)
	i := slices.IndexFunc(e.sets, func(s *Set) bool { return s.Type == k.Type })
	old := e.sets[i]
	e.sets = slices.Delete(e.sets, i, i+1)
	z.nsets--
	if old.Tree != nil { // a set compiled before this edit
		z.count(old, -1)
	}
	if src := z.srcs[k]; src != nil { // a set with alias nodes always has its source kept
		for _, target := range aliasTargets(src.Root, nil) {
			ed.link(SetKey{target, k.Type}, k, false)
		}
		ed.keep(k, nil, false)
	}
	ed.changed = append(ed.changed, k)
	if len(e.sets) > 0 || e.below > 0 {
		return
	}
	if isWild(k.Name) {
		delete(z.wild, key)
		ed.own(z.names, key).below--
	}
	ed.prune(key)
}

// prune removes name and its empty non-terminal ancestors while they hold no set
// and have nothing below them.
func (ed *zoneEdit) prune(name string) {
	for n := name; n != ed.z.Origin && n != "."; n = parent(n) {
		e := ed.z.names[n]
		if len(e.sets) > 0 || e.below > 0 {
			return
		}
		delete(ed.z.names, n)
		ed.own(ed.z.names, parent(n)).below--
	}
}

// entryFor is CompiledZone.entryFor on owned entries.
func (ed *zoneEdit) entryFor(owner string) *entry {
	if !isWild(owner) {
		return ed.ensure(owner)
	}
	p := owner[2:]
	pe := ed.ensure(p)
	if e := ed.own(ed.z.wild, p); e != nil {
		return e
	}
	pe.below++
	return ed.make(ed.z.wild, p)
}

// ensure is CompiledZone.ensure on owned entries.
func (ed *zoneEdit) ensure(name string) *entry {
	if e := ed.own(ed.z.names, name); e != nil {
		return e
	}
	e := ed.make(ed.z.names, name)
	for n := name; n != ed.z.Origin && n != "."; n = parent(n) {
		p := parent(n)
		pe := ed.own(ed.z.names, p)
		existed := pe != nil
		if !existed {
			pe = ed.make(ed.z.names, p)
		}
		pe.below++
		if existed {
			break
		}
	}
	return e
}

// own returns m[key] ready to change, copying it first if the old zone has it; nil
// if there is none.
func (ed *zoneEdit) own(m map[string]*entry, key string) *entry {
	e, ok := m[key]
	if !ok || ed.owned[e] {
		return e
	}
	c := &entry{sets: slices.Clone(e.sets), below: e.below}
	m[key] = c
	ed.owned[c] = true
	return c
}

// make adds an empty entry at m[key].
func (ed *zoneEdit) make(m map[string]*entry, key string) *entry {
	e := &entry{}
	m[key] = e
	ed.owned[e] = true
	return e
}

// get returns the set k of the zone as edited so far, or nil.
func (ed *zoneEdit) get(k SetKey) *Set {
	var e *entry
	if isWild(k.Name) {
		e = ed.z.wild[k.Name[2:]]
	} else {
		e = ed.z.names[k.Name]
	}
	if e == nil {
		return nil
	}
	return e.set(k.Type)
}

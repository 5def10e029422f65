package replica

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
)

// The compiles of one zone, each answering with the next snapshot or why the zone
// is refused (the reason names the store keys to blame, as hold.go logs it).

// updateZone applies the changed groups of zone id to snap: the record sets
// changed and those aliasing them. Called with mu held.
func (r *Replica) updateZone(snap *policy.Snapshot, id, origin string, groups map[group]bool, resolve policy.CheckResolver, now time.Time) (*policy.Snapshot, string) {
	zu := policy.ZoneUpdate{Origin: origin}
	z := &r.m.zones[id].Zone
	ttlOf := route53.GroupTTL(func(name, typ string) []*route53.ResourceRecordSet { return r.m.recordSets(id, group{name, typ}) })
	cz := snap.Zone(origin)
	for _, g := range r.m.withAliasers(id, groups) {
		if g.typ == "SOA" {
			soa := r.m.recordSets(id, g)
			if len(soa) == 0 {
				continue // the zone is going; its deletion rebuilds
			}
			pz, _, err := route53.ToPolicy(z, []route53.ResourceRecordSet{*soa[0]}, nil)
			if err != nil {
				return nil, fmt.Sprintf("SOA (%s): %v", r.m.keysOf(id, g), err)
			}
			zu.Zone = &policy.ZoneSettings{TTL: pz.TTL, SOA: pz.SOA}
			continue
		}
		recs := r.m.recordSets(id, g)
		typ, known := dns.StringToType[g.typ]
		if len(recs) == 0 {
			if name := strings.ToLower(route53.PolicyName(g.name)); known && cz.Set(name, typ) != nil {
				zu.Remove = append(zu.Remove, policy.SetKey{Name: name, Type: typ})
			}
			continue
		}
		rs, err := r.m.groupSet(z, recs, ttlOf, r.pcolls)
		if err != nil {
			return nil, fmt.Sprintf("%s %s (%s): %v", g.name, g.typ, r.m.keysOf(id, g), err)
		}
		zu.Put = append(zu.Put, rs)
	}
	next, err := snap.Update(policy.Update{Zones: []policy.ZoneUpdate{zu}, Source: r.source}, resolve, now)
	if err != nil {
		return nil, err.Error()
	}
	return next, ""
}

// source translates a record set of the mirror for Snapshot.Update, by the zone's
// origin and the policy's name and type. Called with mu held.
func (r *Replica) source(origin string, k policy.SetKey) *policy.RecordSet {
	for id, o := range r.served {
		if o != origin {
			continue
		}
		z := &r.m.zones[id].Zone
		for g := range r.m.sets[id] {
			if dns.StringToType[g.typ] != k.Type || strings.ToLower(route53.PolicyName(g.name)) != k.Name {
				continue
			}
			recs := r.m.recordSets(id, g)
			ttlOf := route53.GroupTTL(func(name, typ string) []*route53.ResourceRecordSet { return r.m.recordSets(id, group{name, typ}) })
			rs, err := r.m.groupSet(z, recs, ttlOf, r.pcolls)
			if err != nil {
				return nil
			}
			return rs
		}
	}
	return nil
}

// recompileZone compiles held zone id whole from the mirror into snap, in place of
// the last good version snap serves, if any. Called with mu held.
func (r *Replica) recompileZone(snap *policy.Snapshot, id, origin string, resolve policy.CheckResolver, now time.Time) (*policy.Snapshot, string) {
	pz, err := r.m.zonePolicy(id, r.m.collections())
	if err != nil {
		return nil, fmt.Sprintf("%v%s", err, r.m.culprits(id, r.pcolls))
	}
	u := policy.Update{AddZones: []*policy.Zone{pz}}
	if servedZone(snap, origin) != nil {
		u.RemoveZones = []string{origin}
	}
	next, err := snap.Update(u, resolve, now)
	if err != nil {
		return nil, err.Error()
	}
	return next, ""
}

// compileApart is a rebuild's second try when Compile refused d: the zones that do
// not compile on their own (ids maps their origins to zone IDs) are refused, and
// the others compiled. Compile's error, first, is returned when no zone has it alone.
func compileApart(d *policy.Data, ids, refused map[string]string, resolve policy.CheckResolver, now time.Time, first error) (*policy.Snapshot, map[string]string, error) {
	good := &policy.Data{Zones: make([]*policy.Zone, 0, len(d.Zones))}
	for _, z := range d.Zones {
		if _, err := policy.Compile(&policy.Data{Zones: []*policy.Zone{z}}, resolve, now); err != nil {
			refused = addRefusal(refused, ids[z.Origin], err.Error())
			continue
		}
		good.Zones = append(good.Zones, z)
	}
	if len(good.Zones) == len(d.Zones) {
		return nil, refused, first
	}
	snap, err := policy.Compile(good, resolve, now)
	return snap, refused, err
}

// addRefusal notes why zone id is refused, making the map on first use.
func addRefusal(refused map[string]string, id, reason string) map[string]string {
	if refused == nil {
		refused = map[string]string{}
	}
	refused[id] = reason
	return refused
}

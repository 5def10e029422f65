package route53

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
)

// maxGroup is how many record sets one name and type may have: each becomes a
// child of one policy node.
const maxGroup = policy.MaxChildren

// checkNew returns InvalidChangeBatch messages for a record set a change creates or
// upserts: what this zone can hold and serve.
func checkNew(z *Zone, rs *ResourceRecordSet, refs References) []string {
	var msgs []string
	if !servedTypes[rs.Type] {
		msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s is not supported by this server", rs.Type, rs.Name))
	}
	if _, err := policy.OwnerName(dnsName(rs.Name), dnsName(z.Name)); err != nil {
		msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s is not supported by this server: %v", rs.Name, err))
	}
	msgs = append(msgs, checkValues(rs)...)
	switch {
	case rs.Type == "CNAME" && rs.Name == z.Name:
		msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", rs.Name, z.Name))
	case rs.Type == "SOA" && rs.Name != z.Name:
		msgs = append(msgs, fmt.Sprintf("RRSet of type SOA with DNS name %s is not permitted because it is not the apex of zone %s", rs.Name, z.Name))
	case rs.MultiValueAnswer != nil && (rs.Type == "CNAME" || rs.Type == "NS"):
		msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s cannot be a multivalue answer record set: it answers one value", rs.Type, rs.Name))
	case rs.Type == "DS" && rs.Name == z.Name:
		// A zone's own DS set lives in its parent (RFC 4035 §2.4).
		msgs = append(msgs, fmt.Sprintf("RRSet of type DS with DNS name %s is not permitted at apex in zone %s", rs.Name, z.Name))
	case rs.Type == "DS" && (rs.SetIdentifier != "" || rs.AliasTarget != nil):
		// Route 53 lists DS among the types of basic record sets only.
		msgs = append(msgs, fmt.Sprintf("RRSet of type DS with DNS name %s must be a simple record set with values", rs.Name))
	case (rs.Type == "SOA" || rs.Type == "NS" && rs.Name == z.Name) && (rs.SetIdentifier != "" || rs.AliasTarget != nil):
		msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s must be a simple record set with values", rs.Type, rs.Name))
	}
	if a := rs.AliasTarget; a != nil {
		if TrimZoneID(a.HostedZoneId) != z.ID || !inZone(a.DNSName, z.Name) {
			msgs = append(msgs, aliasNotFound(rs, a.HostedZoneId))
		}
		if rs.HealthCheckId != "" {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s, type %s: a HealthCheckId on an alias record set is not supported by this server (use EvaluateTargetHealth)", rs.Name, rs.Type))
		}
	}
	if c := rs.CidrRoutingConfig; c != nil {
		coll, ok := (*CidrCollection)(nil), false
		if refs != nil {
			coll, ok = refs.CidrCollection(c.CollectionId)
		}
		switch {
		case !ok:
			msgs = append(msgs, fmt.Sprintf("The CIDR collection with ID %s does not exist", c.CollectionId))
		case c.LocationName != policy.DefaultLocation && coll.Locations[c.LocationName] == nil:
			msgs = append(msgs, fmt.Sprintf("The CIDR location %s does not exist in CIDR collection %s", c.LocationName, c.CollectionId))
		}
	}
	return msgs
}

func aliasNotFound(rs *ResourceRecordSet, zoneID string) string {
	return fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s, but that target was not found", rs.AliasTarget.DNSName, rs.Type, TrimZoneID(zoneID))
}

// equalRecordSets reports whether a DELETE's record set matches the current one:
// every field, values in any order.
func equalRecordSets(a, b *ResourceRecordSet) bool {
	x, y := cloneRecordSet(a), cloneRecordSet(b)
	for _, rs := range []*ResourceRecordSet{x, y} {
		slices.SortFunc(rs.ResourceRecords, func(p, q ResourceRecord) int { return strings.Compare(p.Value, q.Value) })
		if rs.AliasTarget != nil {
			rs.AliasTarget.HostedZoneId = TrimZoneID(rs.AliasTarget.HostedZoneId)
		}
	}
	return reflect.DeepEqual(x, y)
}

// validate checks the zone-wide rules at every name the batch changed.
func (b *batch) validate() {
	names := make([]string, 0, len(b.byName))
	for n := range b.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		recs := b.atName(name)
		b.checkCNAME(name, recs)
		b.checkDS(name, recs)
		types := map[string]bool{}
		for _, k := range b.byName[name] {
			types[k.typ] = true
		}
		for _, t := range slices.Sorted(mapsKeys(types)) {
			var group []*ResourceRecordSet
			for _, rs := range recs {
				if rs.Type == t {
					group = append(group, rs)
				}
			}
			b.checkGroup(name, t, group)
		}
		if name == b.z.Name {
			b.checkApex(recs)
		}
	}
	b.checkAliases()
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (b *batch) touched(rs *ResourceRecordSet) bool {
	cur, ok := b.over[keyOf(rs)]
	return ok && cur == rs
}

func (b *batch) checkCNAME(name string, recs []*ResourceRecordSet) {
	cname, other := false, false
	for _, rs := range recs {
		if rs.Type == "CNAME" {
			cname = true
		} else {
			other = true
		}
	}
	if cname && other {
		b.msgs = append(b.msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone %s", name, b.z.Name))
	}
}

// checkDS refuses a DS set at a name that is not a delegation: a DS set belongs to
// the parent side of a zone cut (RFC 4035 §3.1.4.1), so it needs NS records beside
// it, and deleting the NS set of a name that keeps its DS is refused the same way.
// The apex is refused by checkNew.
func (b *batch) checkDS(name string, recs []*ResourceRecordSet) {
	ds, ns := false, false
	for _, rs := range recs {
		switch rs.Type {
		case "DS":
			ds = true
		case "NS":
			ns = true
		}
	}
	if ds && !ns && name != b.z.Name {
		b.msgs = append(b.msgs, fmt.Sprintf("RRSet of type DS with DNS name %s is not permitted because a conflicting RRSet of type NS with the same DNS name does not exist in zone %s", name, b.z.Name))
	}
}

func (b *batch) checkApex(recs []*ResourceRecordSet) {
	soa, ns := 0, 0
	for _, rs := range recs {
		switch rs.Type {
		case "SOA":
			soa++
		case "NS":
			ns++
		}
	}
	if soa != 1 {
		b.msgs = append(b.msgs, "A HostedZone must contain exactly one SOA record.")
	}
	if ns == 0 {
		b.msgs = append(b.msgs, "A HostedZone must contain at least one NS record for the zone itself.")
	}
}

// checkGroup checks the record sets of one name and type: one simple record set or
// record sets of one routing policy, without two for the same place.
func (b *batch) checkGroup(name, typ string, group []*ResourceRecordSet) {
	if len(group) == 0 {
		return
	}
	slices.SortFunc(group, func(x, y *ResourceRecordSet) int { return strings.Compare(x.SetIdentifier, y.SetIdentifier) })
	if len(group) > maxGroup {
		b.msgs = append(b.msgs, fmt.Sprintf("RRSet with DNS name %s, type %s cannot be created as more than %d RRSets would have the same name and type", name, typ, maxGroup))
		return
	}
	ref := group[0]
	for _, rs := range group {
		if !b.touched(rs) {
			ref = rs
			break
		}
	}
	kind := routingOf(ref)
	if len(group) > 1 && kind == routeSimple {
		kind = routingOf(group[len(group)-1])
	}
	places := map[string]string{}
	for _, rs := range group {
		if rs.SetIdentifier == "" && len(group) > 1 {
			if b.touched(rs) {
				b.msgs = append(b.msgs, fmt.Sprintf("RRSet with DNS name %s, type %s cannot be created as other RRSets exist with the same name and type.", name, typ))
			}
			continue
		}
		if k := routingOf(rs); k != kind || len(group) > 1 && b.touched(rs) && hasSimple(group) {
			if b.touched(rs) {
				b.msgs = append(b.msgs, fmt.Sprintf("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be created as a non-%s set exists with the same name and type.", name, typ, rs.SetIdentifier, k))
			}
			continue
		}
		if c, f := rs.CidrRoutingConfig, group[0].CidrRoutingConfig; c != nil && f != nil && c.CollectionId != f.CollectionId && b.touched(rs) {
			b.msgs = append(b.msgs, fmt.Sprintf("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be created as the RRSets with the same name and type use CIDR collection %s", name, typ, rs.SetIdentifier, f.CollectionId))
			continue
		}
		place, what := placeOf(rs)
		if what == "" {
			continue
		}
		if other, dup := places[place]; dup && (b.touched(rs) || b.touched(b.lookup(rkey{name, typ, other}))) {
			b.msgs = append(b.msgs, fmt.Sprintf("RRSet with DNS name %s, type %s, SetIdentifier %s cannot be created as the RRSet with SetIdentifier %s has the same %s", name, typ, rs.SetIdentifier, other, what))
		}
		places[place] = rs.SetIdentifier
	}
}

func hasSimple(group []*ResourceRecordSet) bool {
	for _, rs := range group {
		if rs.SetIdentifier == "" {
			return true
		}
	}
	return false
}

// placeOf is what must differ between record sets of one routing group, and its name
// for messages ("" for policies without such a rule).
func placeOf(rs *ResourceRecordSet) (string, string) {
	switch {
	case rs.Failover != "":
		return rs.Failover, "failover type " + rs.Failover
	case rs.GeoLocation != nil:
		g := rs.GeoLocation
		return g.ContinentCode + "/" + g.CountryCode + "/" + g.SubdivisionCode, "geolocation"
	case rs.Region != "":
		return rs.Region, "region " + rs.Region
	case rs.CidrRoutingConfig != nil:
		return rs.CidrRoutingConfig.LocationName, "CIDR location " + rs.CidrRoutingConfig.LocationName
	}
	return "", ""
}

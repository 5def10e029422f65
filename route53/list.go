package route53

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Page sizes of the List operations: default and most.
const (
	MaxRecordSetItems = 300
	MaxZoneItems      = 100
)

// parseMaxItems reads a MaxItems query value: empty is max; larger values are cut
// to max, as Route 53 does.
func parseMaxItems(s string, most int) (int, *apierr.Error) {
	if s == "" {
		return most, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, apierr.InvalidInput("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a positive integer", s)
	}
	return min(n, most), nil
}

// compareRecordSets is ListResourceRecordSets' order: name with its labels reversed
// (see sortKey), then type, then SetIdentifier.
func compareRecordSets(a, b *ResourceRecordSet) int {
	return compareKeyed(sortKey(a.Name), a, sortKey(b.Name), b)
}

func compareKeyed(ka string, a *ResourceRecordSet, kb string, b *ResourceRecordSet) int {
	if c := cmp.Compare(ka, kb); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.SetIdentifier, b.SetIdentifier)
}

// SortRecordSets sorts record sets in place in ListResourceRecordSets' order.
func SortRecordSets(rrsets []ResourceRecordSet) {
	keys := make([]string, len(rrsets))
	idx := make([]int, len(rrsets))
	for i := range rrsets {
		keys[i], idx[i] = sortKey(rrsets[i].Name), i
	}
	slices.SortFunc(idx, func(i, j int) int { return compareKeyed(keys[i], &rrsets[i], keys[j], &rrsets[j]) })
	sorted := make([]ResourceRecordSet, len(rrsets))
	for k, i := range idx {
		sorted[k] = rrsets[i]
	}
	copy(rrsets, sorted)
}

// ListRecordSets pages a zone's record sets (sorted as SortRecordSets sorts them) as
// ListResourceRecordSets does: the page starts at the first record set at or after
// (startName, startType, startIdentifier); a type needs a name and an identifier
// needs a type. maxItems is the query's value ("" for the default 300).
func ListRecordSets(rrsets []ResourceRecordSet, startName, startType, startIdentifier, maxItems string) (*ListResourceRecordSetsResponse, *apierr.Error) {
	n, err := parseMaxItems(maxItems, MaxRecordSetItems)
	if err != nil {
		return nil, err
	}
	switch {
	case startType != "" && startName == "":
		return nil, apierr.InvalidInput("The input is not valid: StartRecordType requires StartRecordName")
	case startIdentifier != "" && startType == "":
		return nil, apierr.InvalidInput("The input is not valid: StartRecordIdentifier requires StartRecordType")
	}
	if startType != "" {
		var v violations
		v.enum(startType, "type", rrTypes)
		if e := v.err(); e != nil {
			return nil, e
		}
	}
	from := 0
	if startName != "" {
		name, ok := NormalizeName(startName)
		if !ok {
			return nil, apierr.New("InvalidInput", 400, "%s is not a valid DNS name", startName)
		}
		start := ResourceRecordSet{Name: name, Type: startType, SetIdentifier: startIdentifier}
		key := sortKey(name)
		from, _ = slices.BinarySearchFunc(rrsets, &start, func(rs ResourceRecordSet, s *ResourceRecordSet) int {
			return compareKeyed(sortKey(rs.Name), &rs, key, s)
		})
	}
	out := &ListResourceRecordSetsResponse{MaxItems: strconv.Itoa(n)}
	end := min(from+n, len(rrsets))
	out.ResourceRecordSets = append([]ResourceRecordSet{}, rrsets[from:end]...)
	if end < len(rrsets) {
		next := &rrsets[end]
		out.IsTruncated = true
		out.NextRecordName, out.NextRecordType, out.NextRecordIdentifier = next.Name, next.Type, next.SetIdentifier
	}
	return out, nil
}

// ListZones pages hosted zones as ListHostedZones does: by ID, from the zone whose ID
// is marker (or the first after it); maxItems "" is the default 100.
func ListZones(zones []HostedZone, marker, maxItems string) (*ListHostedZonesResponse, *apierr.Error) {
	n, err := parseMaxItems(maxItems, MaxZoneItems)
	if err != nil {
		return nil, err
	}
	zs := slices.Clone(zones)
	slices.SortFunc(zs, func(a, b HostedZone) int { return cmp.Compare(a.Id, b.Id) })
	from := 0
	if marker != "" {
		m := "/hostedzone/" + TrimZoneID(marker)
		from, _ = slices.BinarySearchFunc(zs, m, func(z HostedZone, m string) int { return cmp.Compare(z.Id, m) })
	}
	end := min(from+n, len(zs))
	out := &ListHostedZonesResponse{HostedZones: zs[from:end], Marker: marker, MaxItems: strconv.Itoa(n)}
	if end < len(zs) {
		out.IsTruncated, out.NextMarker = true, TrimZoneID(zs[end].Id)
	}
	return out, nil
}

// ListZonesByName pages hosted zones as ListHostedZonesByName does: by name with the
// labels reversed, then ID, from (dnsName, hostedZoneID); an ID needs a name.
func ListZonesByName(zones []HostedZone, dnsName, hostedZoneID, maxItems string) (*ListHostedZonesByNameResponse, *apierr.Error) {
	n, err := parseMaxItems(maxItems, MaxZoneItems)
	if err != nil {
		return nil, err
	}
	if hostedZoneID != "" && dnsName == "" {
		return nil, apierr.InvalidInput("The input is not valid: HostedZoneId requires DNSName")
	}
	type keyed struct {
		key string
		z   HostedZone
	}
	ks := make([]keyed, len(zones))
	for i, z := range zones {
		ks[i] = keyed{sortKey(z.Name), z}
	}
	order := func(ka, ida, kb, idb string) int {
		if c := cmp.Compare(ka, kb); c != 0 {
			return c
		}
		return cmp.Compare(ida, idb)
	}
	slices.SortFunc(ks, func(a, b keyed) int { return order(a.key, a.z.Id, b.key, b.z.Id) })
	from := 0
	out := &ListHostedZonesByNameResponse{MaxItems: strconv.Itoa(n), HostedZoneId: hostedZoneID}
	if dnsName != "" {
		name, e := checkDomainName(dnsName)
		if e != nil {
			return nil, e
		}
		out.DNSName = name
		key, id := sortKey(name), ""
		if hostedZoneID != "" {
			id = "/hostedzone/" + TrimZoneID(hostedZoneID)
		}
		from, _ = slices.BinarySearchFunc(ks, key, func(k keyed, _ string) int { return order(k.key, k.z.Id, key, id) })
	}
	end := min(from+n, len(ks))
	out.HostedZones = []HostedZone{}
	for _, k := range ks[from:end] {
		out.HostedZones = append(out.HostedZones, k.z)
	}
	if end < len(ks) {
		out.IsTruncated = true
		out.NextDNSName, out.NextHostedZoneId = ks[end].z.Name, TrimZoneID(ks[end].z.Id)
	}
	return out, nil
}

package route53

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/policy"
)

// changeFrom builds a change from 4 fuzz bytes, from a vocabulary small enough that
// changes collide: few names, types, identifiers and values.
func changeFrom(z *Zone, b []byte) Change {
	names := []string{"example.com.", "a.example.com.", "b.example.com.", "*.example.com.", "x.example.org.", "A.Example.Com"}
	types := []string{"A", "A", "A", "CNAME", "TXT", "NS", "SOA", "AAAA", "DS", "NAPTR"}
	ids := []string{"", "1", "2", "3"}
	rs := ResourceRecordSet{Name: names[int(b[1])%len(names)], Type: types[int(b[2])%len(types)], TTL: i64(int64(b[3] % 3 * 30))}
	value := map[string][]string{
		"A": {"192.0.2.1", "192.0.2.2"}, "AAAA": {"2001:db8::1"}, "CNAME": {"a.example.com."}, "TXT": {`"t"`, `"u"`},
		"NS": {"ns1.example.com."}, "SOA": {"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400"},
		"DS": {"12345 13 2 " + hex64, "1 8 1 09F6A01D2175742B257C6B98B7C72C44C4040683"}, "NAPTR": {`100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`},
	}[rs.Type]
	for i := 0; i <= int(b[3]>>6)%len(value); i++ {
		rs.ResourceRecords = append(rs.ResourceRecords, ResourceRecord{Value: value[i]})
	}
	v := b[2] >> 3
	rs.SetIdentifier = ids[int(v)%len(ids)]
	if rs.SetIdentifier != "" {
		switch v / 4 % 8 {
		case 0:
			rs.Weight = i64(int64(b[3] % 4))
		case 1:
			rs.Failover = failovers[b[3]%2]
		case 2:
			rs.GeoLocation = []*GeoLocation{{CountryCode: "DE"}, {ContinentCode: "EU"}, {CountryCode: "*"}, {CountryCode: "US", SubdivisionCode: "VA"}}[b[3]%4]
		case 3:
			rs.MultiValueAnswer = ptr(true)
		case 4:
			rs.Region = []string{"us-east-1", "eu-central-1"}[b[3]%2]
		case 5:
			rs.CidrRoutingConfig = &CidrRoutingConfig{CollectionId: testColl.ID, LocationName: []string{"eu-office", "*", "nope"}[b[3]%3]}
		case 6:
			rs.GeoProximityLocation = &GeoProximityLocation{AWSRegion: "eu-central-1", Bias: i64(int64(b[3]%5) - 2)}
		case 7:
			rs.Weight = i64(1)
			rs.HealthCheckId = []string{"hc-1", "missing"}[b[3]%2]
		}
	}
	if b[0]&0x80 != 0 {
		rs.TTL, rs.ResourceRecords = nil, nil
		rs.AliasTarget = &AliasTarget{HostedZoneId: z.ID, DNSName: names[int(b[0]>>4)%3], EvaluateTargetHealth: b[0]&8 != 0}
	}
	return Change{Action: changeActions[int(b[0]&0x7f)%3], ResourceRecordSet: rs}
}

// FuzzApplyChanges applies batches built from the input one after another. Each
// either fails, leaving the record sets as they were, or gives record sets that
// satisfy every rule of a zone and translate into a policy zone that compiles.
func FuzzApplyChanges(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0xff, 0, 2, 3, 1, 0, 1, 2, 9, 0, 1, 0})
	f.Add([]byte{0, 1, 8, 1, 0, 1, 16, 2, 0xff, 0, 0, 0, 0x81, 1, 0, 0})
	f.Add([]byte{0, 2, 3, 0, 0, 2, 0, 0, 1, 2, 3, 0, 0xff, 2, 0x40, 3})
	f.Add([]byte{1, 1, 5, 0, 0, 1, 8, 0x40, 0, 2, 8, 0, 0, 1, 9, 0}) // NS then DS at a., DS at b. (refused), NAPTR
	f.Fuzz(func(t *testing.T, data []byte) {
		z, cur := newTestZone(t)
		for len(data) >= 4 {
			n := 1 + int(data[0]%4)
			var cs []Change
			for ; n > 0 && len(data) >= 4; n-- {
				cs = append(cs, changeFrom(z, data[:4]))
				data = data[4:]
			}
			before := slices.Clone(cur)
			next, err := ApplyChanges(z, cur, batchOf(cs...), refs)
			if !reflect.DeepEqual(before, cur) {
				t.Fatalf("current record sets modified")
			}
			if err != nil {
				if err.Status != 400 && err.Status != 404 {
					t.Fatalf("error status %d: %v", err.Status, err)
				}
				continue
			}
			if e := checkZone(z, next); e != nil {
				t.Fatalf("batch %s gave a zone that breaks a rule: %v\n%v", showChanges(cs), e, next)
			}
			cur = next
		}
	})
}

func showChanges(cs []Change) string {
	s := ""
	for _, c := range cs {
		s += c.Action + " " + show(&c.ResourceRecordSet) + "\n"
	}
	return s
}

// checkZone is the test's own statement of a zone's rules, written apart from
// ApplyChanges' validation.
func checkZone(z *Zone, rrsets []ResourceRecordSet) error {
	for i := 1; i < len(rrsets); i++ {
		if compareRecordSets(&rrsets[i-1], &rrsets[i]) >= 0 {
			return fmt.Errorf("not sorted or not unique at %d: %s", i, rrsets[i].Name)
		}
	}
	groups, _ := groupRecordSets(rrsets)
	types := map[string]map[string]bool{}
	for g, recs := range groups {
		if n, ok := NormalizeName(g.name); !ok || n != g.name || !inZone(g.name, z.Name) {
			return fmt.Errorf("name %q", g.name)
		}
		if types[g.name] == nil {
			types[g.name] = map[string]bool{}
		}
		types[g.name][g.typ] = true
		kinds := map[routing]bool{}
		places := map[string]bool{}
		ttls := map[int64]bool{}
		for _, rs := range recs {
			kinds[routingOf(rs)] = true
			if p, what := placeOf(rs); what != "" {
				if places[p] {
					return fmt.Errorf("%s %s: two record sets at %s", g.name, g.typ, what)
				}
				places[p] = true
			}
			if rs.TTL != nil {
				ttls[*rs.TTL] = true
			}
			if rs.HealthCheckId != "" && !refs.checks[rs.HealthCheckId] {
				return fmt.Errorf("unknown health check %s", rs.HealthCheckId)
			}
			if a := rs.AliasTarget; a != nil && len(groups[group{a.DNSName, rs.Type}]) == 0 {
				return fmt.Errorf("%s %s: alias to missing %s", g.name, g.typ, a.DNSName)
			}
		}
		if g.typ == "DS" && (g.name == z.Name || len(groups[group{g.name, "NS"}]) == 0 || !kinds[routeSimple] || recs[0].AliasTarget != nil) {
			return fmt.Errorf("%s: a DS set that is not the simple one of a delegation", g.name)
		}
		if g.typ == "CNAME" && kinds[routeMultivalue] {
			return fmt.Errorf("%s: a multivalue CNAME", g.name)
		}
		if len(kinds) != 1 || len(recs) > 1 && kinds[routeSimple] || len(ttls) > 1 {
			return fmt.Errorf("%s %s: kinds %v, %d record sets, TTLs %v", g.name, g.typ, kinds, len(recs), ttls)
		}
	}
	for name, ts := range types {
		if ts["CNAME"] && (len(ts) > 1 || name == z.Name) {
			return fmt.Errorf("CNAME at %s beside %v", name, ts)
		}
	}
	if len(groups[group{z.Name, "SOA"}]) != 1 || len(groups[group{z.Name, "NS"}]) == 0 {
		return fmt.Errorf("apex SOA or NS missing")
	}
	pz, colls, err := ToPolicy(z, rrsets, []*CidrCollection{testColl})
	if err != nil {
		return fmt.Errorf("ToPolicy: %v", err)
	}
	checks := testChecks{"hc-1": {}, "hc-2": {}, "hc-3": {}}
	if _, err := policy.Compile(&policy.Data{Zones: []*policy.Zone{pz}, CIDRCollections: colls}, checks.resolve, time.Unix(0, 0)); err != nil {
		return fmt.Errorf("Compile: %v", err)
	}
	return nil
}

package route53

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestApplyChangesAccepts(t *testing.T) {
	z, cur := newTestZone(t)
	cur = mustApply(t, z, cur,
		change(ActionCreate, rec("www.example.com", "A", 60, "192.0.2.1")),
		change(ActionCreate, weighted("one", 10, rec("app.example.com.", "A", 60, "192.0.2.10"))),
		change(ActionCreate, weighted("two", 0, rec("APP.example.com.", "A", 30, "192.0.2.11", "192.0.2.12"))),
		change(ActionCreate, rec("*.example.com.", "TXT", 60, `"hello"`)),
		change(ActionCreate, with(rec("x.example.com.", "A", 0), func(rs *ResourceRecordSet) {
			rs.TTL, rs.ResourceRecords = nil, nil
			rs.AliasTarget = &AliasTarget{HostedZoneId: z.ID, DNSName: "www.example.com", EvaluateTargetHealth: true}
		})),
	)
	var got []string
	for _, rs := range cur {
		got = append(got, rs.Name+" "+rs.Type+" "+rs.SetIdentifier)
	}
	want := []string{"example.com. NS ", "example.com. SOA ", `\052.example.com. TXT `, "app.example.com. A one", "app.example.com. A two", "www.example.com. A ", "x.example.com. A "}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("record sets\n got %q\nwant %q", got, want)
	}
	// Route 53 keeps one TTL per name and type: the last one given.
	for _, rs := range cur[3:5] {
		if *rs.TTL != 30 {
			t.Errorf("%s %s TTL %d, want 30", rs.Name, rs.SetIdentifier, *rs.TTL)
		}
	}
	// UPSERT replaces, DELETE with the current values removes; a DELETE and CREATE
	// of the same record set in one batch is the classic update.
	cur = mustApply(t, z, cur,
		change(ActionUpsert, rec("www.example.com.", "A", 60, "192.0.2.2")),
		change(ActionDelete, rec(`\052.example.com.`, "TXT", 60, `"hello"`)),
		change(ActionCreate, rec("*.example.com.", "TXT", 60, `"bye"`)),
	)
	if v := cur[2].ResourceRecords[0].Value; v != `"bye"` {
		t.Errorf("wildcard TXT %s, want \"bye\"", v)
	}
}

func TestApplyChangesRefuses(t *testing.T) {
	z, cur := newTestZone(t)
	cur = mustApply(t, z, cur,
		change(ActionCreate, rec("www.example.com.", "A", 60, "192.0.2.1")),
		change(ActionCreate, weighted("one", 10, rec("app.example.com.", "A", 60, "192.0.2.10"))),
		change(ActionCreate, rec("c.example.com.", "CNAME", 60, "www.example.com.")),
	)
	alias := func(name, target string) ResourceRecordSet {
		return ResourceRecordSet{Name: name, Type: "A", AliasTarget: &AliasTarget{HostedZoneId: z.ID, DNSName: target}}
	}
	tests := []struct {
		name    string
		changes []Change
		code    string
		want    string
	}{
		{"create existing", []Change{change(ActionCreate, rec("www.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"},
		{"create existing weighted", []Change{change(ActionCreate, weighted("one", 1, rec("app.example.com.", "A", 60, "192.0.2.9")))},
			"InvalidChangeBatch", "Tried to create resource record set [name='app.example.com.', type='A', set-identifier='one'] but it already exists"},
		{"delete missing", []Change{change(ActionDelete, rec("x.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found"},
		{"delete other values", []Change{change(ActionDelete, rec("www.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values"},
		{"delete other TTL", []Change{change(ActionDelete, rec("www.example.com.", "A", 61, "192.0.2.1"))},
			"InvalidChangeBatch", "do not match the current values"},
		{"outside zone", []Change{change(ActionCreate, rec("www.example.org.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "RRSet with DNS name www.example.org. is not permitted in zone example.com."},
		{"suffix is not a subdomain", []Change{change(ActionCreate, rec("badexample.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "is not permitted in zone example.com."},
		{"cname beside A", []Change{change(ActionCreate, rec("www.example.com.", "CNAME", 60, "app.example.com."))},
			"InvalidChangeBatch", "RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com."},
		{"A beside cname", []Change{change(ActionCreate, rec("c.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "RRSet of type CNAME with DNS name c.example.com. is not permitted as it conflicts"},
		{"cname at apex", []Change{change(ActionCreate, rec("example.com.", "CNAME", 60, "www.example.com."))},
			"InvalidChangeBatch", "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com."},
		{"weight 256", []Change{change(ActionCreate, weighted("two", 256, rec("app.example.com.", "A", 60, "192.0.2.9")))},
			"InvalidInput", "Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255"},
		{"bad type", []Change{change(ActionCreate, rec("t.example.com.", "a", 60, "192.0.2.9"))},
			"InvalidInput", "Member must satisfy enum value set"},
		{"bad action", []Change{change("REPLACE", rec("t.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidInput", "changeBatch.changes.1.member.action"},
		{"no changes", nil, "InvalidInput", "changeBatch.changes"},
		{"simple beside weighted", []Change{change(ActionCreate, rec("app.example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "RRSet with DNS name app.example.com., type A cannot be created as other RRSets exist with the same name and type."},
		{"weighted beside simple", []Change{change(ActionCreate, weighted("w", 1, rec("www.example.com.", "A", 60, "192.0.2.9")))},
			"InvalidChangeBatch", "RRSet with DNS name www.example.com., type A, SetIdentifier w cannot be created as a non-weighted set exists with the same name and type."},
		{"failover beside weighted", []Change{change(ActionCreate, with(rec("app.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.Failover = "f", "PRIMARY" }))},
			"InvalidChangeBatch", "SetIdentifier f cannot be created as a non-failover set exists"},
		{"two primaries", []Change{
			change(ActionCreate, with(rec("f.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.Failover = "a", "PRIMARY" })),
			change(ActionCreate, with(rec("f.example.com.", "A", 60, "192.0.2.8"), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.Failover = "b", "PRIMARY" }))},
			"InvalidChangeBatch", "has the same failover type PRIMARY"},
		{"same country twice", []Change{
			change(ActionCreate, with(rec("g.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.GeoLocation = "a", &GeoLocation{CountryCode: "DE"} })),
			change(ActionCreate, with(rec("g.example.com.", "A", 60, "192.0.2.8"), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.GeoLocation = "b", &GeoLocation{CountryCode: "DE"} }))},
			"InvalidChangeBatch", "has the same geolocation"},
		{"routing without identifier", []Change{change(ActionCreate, with(rec("w.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.Weight = i64(1) }))},
			"InvalidInput", "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=w.example.com., Type=A, SetIdentifier=null]"},
		{"identifier without routing", []Change{change(ActionCreate, with(rec("w.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.SetIdentifier = "x" }))},
			"InvalidInput", "but found none in Change"},
		{"two routing fields", []Change{change(ActionCreate, with(rec("w.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) {
			rs.SetIdentifier, rs.Weight, rs.Region = "x", i64(1), "us-east-1"
		}))}, "InvalidInput", "but found more than one in Change"},
		{"no values", []Change{change(ActionCreate, ResourceRecordSet{Name: "n.example.com.", Type: "A"})},
			"InvalidInput", "Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none"},
		{"unknown health check", []Change{change(ActionCreate, with(rec("h.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) { rs.HealthCheckId = "nope" }))},
			"NoSuchHealthCheck", "nope"},
		{"unknown collection", []Change{change(ActionCreate, with(rec("i.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) {
			rs.SetIdentifier, rs.CidrRoutingConfig = "x", &CidrRoutingConfig{CollectionId: "nope", LocationName: "*"}
		}))}, "InvalidChangeBatch", "The CIDR collection with ID nope does not exist"},
		{"unknown location", []Change{change(ActionCreate, with(rec("i.example.com.", "A", 60, "192.0.2.9"), func(rs *ResourceRecordSet) {
			rs.SetIdentifier, rs.CidrRoutingConfig = "x", &CidrRoutingConfig{CollectionId: testColl.ID, LocationName: "mars"}
		}))}, "InvalidChangeBatch", "The CIDR location mars does not exist"},
		{"bad A value", []Change{change(ActionCreate, rec("v.example.com.", "A", 60, "1.2.3"))},
			"InvalidChangeBatch", "Invalid Resource Record: 'FATAL problem: ARDATAInvalid"},
		{"duplicate value", []Change{change(ActionCreate, rec("v.example.com.", "A", 60, "192.0.2.1", "192.0.2.1"))},
			"InvalidChangeBatch", "Duplicate Resource Record: '192.0.2.1'"},
		{"alias to nothing", []Change{change(ActionCreate, alias("a.example.com.", "nothing.example.com."))},
			"InvalidChangeBatch", "Tried to create an alias that targets nothing.example.com., type A in zone " + z.ID + ", but that target was not found"},
		{"alias to other zone", []Change{change(ActionCreate, with(alias("a.example.com.", "www.example.com."), func(rs *ResourceRecordSet) { rs.AliasTarget.HostedZoneId = "Z999" }))},
			"InvalidChangeBatch", "in zone Z999, but that target was not found"},
		{"alias cycle", []Change{change(ActionCreate, alias("a.example.com.", "b.example.com.")), change(ActionCreate, alias("b.example.com.", "a.example.com."))},
			"InvalidChangeBatch", "would form a cycle"},
		{"delete alias target", []Change{change(ActionCreate, alias("a.example.com.", "www.example.com.")), change(ActionDelete, rec("www.example.com.", "A", 60, "192.0.2.1"))},
			"InvalidChangeBatch", "but it is the target of the alias resource record set [name='a.example.com.', type='A']"},
		{"delete SOA", []Change{change(ActionDelete, cur[1])}, "InvalidChangeBatch", "A HostedZone must contain exactly one SOA record."},
		{"delete apex NS", []Change{change(ActionDelete, cur[0])}, "InvalidChangeBatch", "A HostedZone must contain at least one NS record for the zone itself."},
		{"DS without NS", []Change{change(ActionCreate, rec("n.example.com.", "DS", 60, "12345 13 2 "+hex64))},
			"InvalidChangeBatch", "RRSet of type DS with DNS name n.example.com. is not permitted because a conflicting RRSet of type NS with the same DNS name does not exist in zone example.com."},
		{"DS at apex", []Change{change(ActionCreate, rec("example.com.", "DS", 60, "12345 13 2 "+hex64))},
			"InvalidChangeBatch", "RRSet of type DS with DNS name example.com. is not permitted at apex in zone example.com."},
		{"DS weighted", []Change{change(ActionCreate, rec("d.example.com.", "NS", 60, "ns.example.net.")),
			change(ActionCreate, weighted("w", 1, rec("d.example.com.", "DS", 60, "12345 13 2 "+hex64)))},
			"InvalidChangeBatch", "RRSet of type DS with DNS name d.example.com. must be a simple record set with values"},
		{"DS bad digest", []Change{change(ActionCreate, rec("d.example.com.", "NS", 60, "ns.example.net.")),
			change(ActionCreate, rec("d.example.com.", "DS", 60, "12345 13 2 ABCD"))},
			"InvalidChangeBatch", "Invalid Resource Record: 'FATAL problem: DSRDATAInvalid (the digest has 4 hex digits, digest type 2 has 64) encountered with '12345 13 2 ABCD''"},
		{"TLSA no data", []Change{change(ActionCreate, rec("_443._tcp.example.com.", "TLSA", 60, "3 1 1"))},
			"InvalidChangeBatch", "TLSARDATAInvalid (no certificate association data)"},
		{"SSHFP not hex", []Change{change(ActionCreate, rec("h.example.com.", "SSHFP", 60, "4 2 xyz"))},
			"InvalidChangeBatch", "SSHFPRDATAInvalid (the fingerprint"},
		{"NAPTR short", []Change{change(ActionCreate, rec("n.example.com.", "NAPTR", 60, `100 10 "u"`))},
			"InvalidChangeBatch", "NAPTRRDATAInvalid"},
		{"records limit", []Change{change(ActionCreate, rec("m.example.com.", "A", 60, manyAddrs(1001)...))},
			"InvalidChangeBatch", "Number of records limit of 1000 exceeded."},
		{"upsert counts twice", []Change{change(ActionUpsert, rec("m.example.com.", "A", 60, manyAddrs(501)...))},
			"InvalidChangeBatch", "Number of records limit of 1000 exceeded."},
		{"characters limit", []Change{change(ActionCreate, rec("m.example.com.", "TXT", 60, manyTexts(40, 900)...))},
			"InvalidChangeBatch", "Number of characters limit of 32000 exceeded."},
		{"multivalue CNAME", []Change{change(ActionCreate, with(rec("mc.example.com.", "CNAME", 60, "www.example.com."), func(rs *ResourceRecordSet) { rs.SetIdentifier, rs.MultiValueAnswer = "1", ptr(true) }))},
			"InvalidChangeBatch", "cannot be a multivalue answer record set"},
		{"bad name", []Change{change(ActionCreate, rec("a..example.com.", "A", 60, "192.0.2.9"))},
			"InvalidChangeBatch", "DomainNameInvalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fmt.Sprint(cur)
			next, err := ApplyChanges(z, cur, batchOf(tc.changes...), refs)
			if err == nil {
				t.Fatalf("accepted: %v", next)
			}
			if err.Code != tc.code || !strings.Contains(err.Error()+err.Message, tc.want) {
				t.Errorf("got %s %q %q, want %s containing %q", err.Code, err.Message, err.Messages, tc.code, tc.want)
			}
			if fmt.Sprint(cur) != before {
				t.Errorf("current record sets changed")
			}
		})
	}
}

func manyAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.%d.%d.1", i/256, i%256)
	}
	return out
}

func manyTexts(n, size int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`"%d%s"`, i, strings.Repeat("x", size))
	}
	return out
}

func TestTrafficPolicyInstanceRecordSets(t *testing.T) {
	z, cur := newTestZone(t)
	tp := ResourceRecordSet{Name: "tp.example.com.", Type: "A", TrafficPolicyInstanceId: "inst-1"}
	d, err := PlanInstanceChanges(z, cur, batchOf(change(ActionCreate, tp)), refs, "inst-1")
	if err != nil {
		t.Fatal(err)
	}
	cur = d.Apply(cur)
	tests := []struct {
		name     string
		c        Change
		instance string
		code     string
		want     string
	}{
		{"user names an instance", change(ActionCreate, with(tp, func(rs *ResourceRecordSet) { rs.Name = "x.example.com." })), "", "InvalidInput", "changed through the instance"},
		{"user deletes an instance's record set", change(ActionDelete, tp), "", "InvalidInput", "changed through the instance"},
		{"user upserts over it", change(ActionUpsert, rec("tp.example.com.", "A", 60, "192.0.2.1")), "", "InvalidChangeBatch", "belongs to traffic policy instance inst-1"},
		{"another instance", change(ActionDelete, with(tp, func(rs *ResourceRecordSet) { rs.TrafficPolicyInstanceId = "inst-2" })), "inst-2", "InvalidChangeBatch", "belongs to traffic policy instance inst-1"},
		{"CNAME beside it", change(ActionCreate, rec("tp.example.com.", "CNAME", 60, "www.example.com.")), "", "InvalidChangeBatch", "conflicts with other records"},
	}
	for _, tc := range tests {
		_, err := PlanInstanceChanges(z, cur, batchOf(tc.c), refs, tc.instance)
		if err == nil || err.Code != tc.code || !strings.Contains(err.Message+strings.Join(err.Messages, "|"), tc.want) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.code, tc.want)
		}
	}
	if _, err := PlanInstanceChanges(z, cur, batchOf(change(ActionDelete, tp)), refs, "inst-1"); err != nil {
		t.Errorf("the instance deletes its record set: %v", err)
	}
	pz, _, perr := ToPolicy(z, cur, nil)
	if perr != nil || len(pz.Records) != 1 {
		t.Errorf("ToPolicy leaves instance record sets out: %v %v", pz, perr)
	}
}

const hex64 = "2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E"

// TestApplyChangesNewTypes: NAPTR, SPF, DS, TLSA and SSHFP are accepted as Route 53
// accepts them (NAPTR routed, DS beside the NS of a delegation), and the NS set of a
// delegation that keeps its DS set cannot be deleted.
func TestApplyChangesNewTypes(t *testing.T) {
	z, cur := newTestZone(t)
	naptr := `100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`
	cur = mustApply(t, z, cur,
		change(ActionCreate, weighted("udp", 3, rec("sip.example.com.", "NAPTR", 60, naptr))),
		change(ActionCreate, weighted("tcp", 1, rec("sip.example.com.", "NAPTR", 60, `100 20 "S" "SIP+D2T" "" _sip._tcp.example.com.`))),
		change(ActionCreate, rec("example.com.", "SPF", 60, `"v=spf1 -all"`)),
		change(ActionCreate, rec("child.example.com.", "NS", 60, "ns1.child.example.net.")),
		change(ActionCreate, rec("child.example.com.", "DS", 60, "12345 13 2 "+hex64)),
		change(ActionCreate, rec("_443._tcp.www.example.com.", "TLSA", 60, "3 1 1 "+hex64)),
		change(ActionCreate, rec("host.example.com.", "SSHFP", 60, "4 2 "+hex64, "1 1 09F6A01D2175742B257C6B98B7C72C44C4040683")),
	)
	var got []string
	for _, rs := range cur {
		got = append(got, rs.Name+" "+rs.Type+" "+rs.SetIdentifier)
	}
	for _, want := range []string{"sip.example.com. NAPTR udp", "sip.example.com. NAPTR tcp", "example.com. SPF ", "child.example.com. DS ",
		"_443._tcp.www.example.com. TLSA ", "host.example.com. SSHFP "} {
		if !strings.Contains(strings.Join(got, "\n")+"\n", want+"\n") {
			t.Errorf("no %q in %q", want, got)
		}
	}
	var ns ResourceRecordSet
	for _, rs := range cur {
		if rs.Name == "child.example.com." && rs.Type == "NS" {
			ns = rs
		}
	}
	_, err := ApplyChanges(z, cur, batchOf(change(ActionDelete, ns)), refs)
	if err == nil || !strings.Contains(err.Error(), "RRSet of type DS with DNS name child.example.com. is not permitted because a conflicting RRSet of type NS") {
		t.Errorf("deleting the NS beside a DS: %v", err)
	}
}

package trafficflow

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/policy"

	"github.com/miekg/dns"
)

// instanceState holds policy P1 (version 1 A, version 2 AAAA, version 3 A).
func instanceState(t *testing.T) *fakeState {
	s := newState()
	createPolicy(t, s, "web", docA, "", "P1")
	for _, d := range []string{docAAAA, docA} {
		p, _, err := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: d})
		if err != nil {
			t.Fatal(err)
		}
		s.put(p)
	}
	return s
}

func instReq(zone, name string, version int) *CreateTrafficPolicyInstanceRequest {
	return &CreateTrafficPolicyInstanceRequest{HostedZoneId: zone, Name: name, TTL: ptr(int64(60)), TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(version)}
}

func TestCreateTrafficPolicyInstance(t *testing.T) {
	s := instanceState(t)
	in, resp, err := CreateTrafficPolicyInstance(s, instReq("/hostedzone/Z1", "WWW.example.com", 1), "I1")
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "www.example.com." || in.HostedZoneId != "Z1" || in.State != StateCreating || in.TrafficPolicyType != "A" ||
		resp.Location != "/2013-04-01/trafficpolicyinstance/I1" || resp.TrafficPolicyInstance != *in {
		t.Errorf("instance %+v, response %+v", in, resp)
	}
	s.putInstance(in)
	s.records["Z1|api.example.com."] = []uint16{dns.TypeA}
	s.records["Z1|alias.example.com."] = []uint16{dns.TypeCNAME}

	tests := []struct {
		name   string
		req    *CreateTrafficPolicyInstanceRequest
		code   string
		status int
		msg    string
	}{
		{"same name and type", instReq("Z1", "www.example.com.", 3), "TrafficPolicyInstanceAlreadyExists", 409, "I1 already serves www.example.com. A"},
		{"unknown zone", instReq("Z9", "www.example.com", 1), "NoSuchHostedZone", 404, "Z9"},
		{"name outside the zone", instReq("Z1", "www.example.net", 1), "InvalidInput", 400, "not inside the zone example.com."},
		{"bad name", instReq("Z1", "a b.example.com", 1), "InvalidInput", 400, "not a valid owner name"},
		{"unknown policy", &CreateTrafficPolicyInstanceRequest{HostedZoneId: "Z1", Name: "x.example.com", TTL: ptr(int64(1)), TrafficPolicyId: "P9", TrafficPolicyVersion: ptr(1)}, "NoSuchTrafficPolicy", 404, "P9"},
		{"unknown version", instReq("Z1", "x.example.com", 7), "NoSuchTrafficPolicy", 404, "version: 7"},
		{"no version", &CreateTrafficPolicyInstanceRequest{HostedZoneId: "Z1", Name: "x.example.com", TTL: ptr(int64(1)), TrafficPolicyId: "P1"}, "InvalidInput", 400, "TrafficPolicyVersion"},
		{"no TTL", &CreateTrafficPolicyInstanceRequest{HostedZoneId: "Z1", Name: "x.example.com", TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(1)}, "InvalidInput", 400, "TTL is required"},
		{"TTL too big", &CreateTrafficPolicyInstanceRequest{HostedZoneId: "Z1", Name: "x.example.com", TTL: ptr(int64(1) << 31), TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(1)}, "InvalidInput", 400, "TTL must be"},
		{"record set of that type", instReq("Z1", "api.example.com", 1), "InvalidInput", 400, "api.example.com. of type A already exists"},
		{"beside a CNAME", instReq("Z1", "alias.example.com", 1), "InvalidInput", 400, "a CNAME cannot be beside another type"},
		{"ID taken", instReq("Z2", "www.example.net", 1), "TrafficPolicyInstanceAlreadyExists", 409, "ID I1"},
	}
	for _, tc := range tests {
		_, _, err := CreateTrafficPolicyInstance(s, tc.req, "I1x")
		if tc.name == "ID taken" {
			_, _, err = CreateTrafficPolicyInstance(s, tc.req, "I1")
		}
		wantErr(t, tc.name, err, tc.code, tc.status, tc.msg)
	}

	aaaa, _, err := CreateTrafficPolicyInstance(s, instReq("Z1", "www.example.com", 2), "I2")
	if err != nil || aaaa.TrafficPolicyType != "AAAA" {
		t.Fatalf("AAAA beside A at one name: %v", err)
	}
	s.putInstance(aaaa)
	wild, _, err := CreateTrafficPolicyInstance(s, instReq("Z1", `\052.apps.example.com`, 1), "I3")
	if err != nil || wild.Name != "*.apps.example.com." {
		t.Fatalf(`\052 is a wildcard: %v %+v`, err, wild)
	}
	cname, _, _ := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: strings.Replace(strings.Replace(docAAAA, `"AAAA"`, `"CNAME"`, 1), "2001:db8::1", "lb.example.net.", 1)})
	s.put(cname)
	_, _, err = CreateTrafficPolicyInstance(s, instReq("Z1", "example.com", 4), "I4")
	wantErr(t, "CNAME at the apex", err, "InvalidInput", 400, "zone apex")
	_, _, err = CreateTrafficPolicyInstance(s, instReq("Z1", "www.example.com", 4), "I4")
	wantErr(t, "CNAME beside the instances", err, "InvalidInput", 400, "a CNAME cannot be beside another type")
	s.limits.Instances = 2
	_, _, err = CreateTrafficPolicyInstance(s, instReq("Z2", "www.example.net", 1), "I4")
	wantErr(t, "limit", err, "TooManyTrafficPolicyInstances", 400, "2 traffic policy instances")

	_, _, err = DeleteTrafficPolicy(s, "P1", "2")
	wantErr(t, "delete a version in use", err, "TrafficPolicyInUse", 400, "instance I2")
	if c := GetTrafficPolicyInstanceCount(s); c.TrafficPolicyInstanceCount != 2 {
		t.Errorf("count %d", c.TrafficPolicyInstanceCount)
	}
}

func TestUpdateDeleteTrafficPolicyInstance(t *testing.T) {
	s := instanceState(t)
	in, _, _ := CreateTrafficPolicyInstance(s, instReq("Z1", "www.example.com", 1), "I1")
	in.State = StateApplied
	s.putInstance(in)

	up, resp, err := UpdateTrafficPolicyInstance(s, "I1", &UpdateTrafficPolicyInstanceRequest{TTL: ptr(int64(300)), TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(3)})
	if err != nil || up.TrafficPolicyVersion != 3 || up.TTL != 300 || up.State != StateCreating || resp.TrafficPolicyInstance != *up || s.instances[0].TrafficPolicyVersion != 1 {
		t.Fatalf("update: %v %+v", err, up)
	}
	_, _, err = UpdateTrafficPolicyInstance(s, "I1", &UpdateTrafficPolicyInstanceRequest{TTL: ptr(int64(300)), TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(2)})
	wantErr(t, "another type", err, "ConflictingTypes", 400, "version 2 answers AAAA; instance I1 answers A")
	_, _, err = UpdateTrafficPolicyInstance(s, "I9", &UpdateTrafficPolicyInstanceRequest{TTL: ptr(int64(300)), TrafficPolicyId: "P1", TrafficPolicyVersion: ptr(3)})
	wantErr(t, "unknown instance", err, "NoSuchTrafficPolicyInstance", 404, "I9")

	got := must(GetTrafficPolicyInstance(s, "I1"))
	if got.TrafficPolicyInstance.State != StateApplied {
		t.Errorf("get: %+v", got)
	}
	_, err = GetTrafficPolicyInstance(s, "")
	wantErr(t, "empty ID", err, "InvalidInput", 400, "Id")

	del, _, err := DeleteTrafficPolicyInstance(s, "I1")
	if err != nil || del.Id != "I1" {
		t.Fatalf("delete: %v", err)
	}
	_, _, err = DeleteTrafficPolicyInstance(s, "I2")
	wantErr(t, "delete unknown", err, "NoSuchTrafficPolicyInstance", 404, "I2")
}

func TestListTrafficPolicyInstancesPaging(t *testing.T) {
	s := instanceState(t)
	s.limits.Instances = 100
	n := 0
	for _, zone := range []string{"Z2", "Z1"} {
		origin := s.zones[zone]
		for _, name := range []string{"b", "a", "c"} {
			for _, v := range []int{1, 2} {
				n++
				in, _, err := CreateTrafficPolicyInstance(s, instReq(zone, name+"."+origin, v), fmt.Sprintf("I%02d", n))
				if err != nil {
					t.Fatal(err)
				}
				s.putInstance(in)
			}
		}
	}
	var all []string
	var zm, nm, tm string
	for range 10 {
		page := must(ListTrafficPolicyInstances(s, zm, nm, tm, "5"))
		for _, in := range page.TrafficPolicyInstances.Items {
			all = append(all, in.HostedZoneId+" "+in.Name+" "+in.TrafficPolicyType)
		}
		if !page.IsTruncated {
			break
		}
		zm, nm, tm = page.HostedZoneIdMarker, page.TrafficPolicyInstanceNameMarker, page.TrafficPolicyInstanceTypeMarker
	}
	want := "Z1 a.example.com. A,Z1 a.example.com. AAAA,Z1 b.example.com. A,Z1 b.example.com. AAAA,Z1 c.example.com. A,Z1 c.example.com. AAAA," +
		"Z2 a.example.net. A,Z2 a.example.net. AAAA,Z2 b.example.net. A,Z2 b.example.net. AAAA,Z2 c.example.net. A,Z2 c.example.net. AAAA"
	if strings.Join(all, ",") != want {
		t.Errorf("pages:\n%s\nwant\n%s", strings.Join(all, ","), want)
	}

	hz := must(ListTrafficPolicyInstancesByHostedZone(s, "Z2", "b.example.net.", "AAAA", "2"))
	if len(hz.TrafficPolicyInstances.Items) != 2 || hz.TrafficPolicyInstances.Items[0].Name != "b.example.net." ||
		hz.TrafficPolicyInstances.Items[1].Name != "c.example.net." || hz.TrafficPolicyInstanceNameMarker != "c.example.net." || !hz.IsTruncated {
		t.Errorf("by zone from a marker: %+v", hz)
	}
	_, err := ListTrafficPolicyInstancesByHostedZone(s, "Z9", "", "", "")
	wantErr(t, "unknown zone", err, "NoSuchHostedZone", 404, "Z9")

	bp := must(ListTrafficPolicyInstancesByPolicy(s, "P1", "2", "", "", "", ""))
	if len(bp.TrafficPolicyInstances.Items) != 6 || bp.IsTruncated {
		t.Errorf("by policy version 2: %d", len(bp.TrafficPolicyInstances.Items))
	}
	for _, in := range bp.TrafficPolicyInstances.Items {
		if in.TrafficPolicyVersion != 2 {
			t.Errorf("by policy version 2: %+v", in)
		}
	}
	_, err = ListTrafficPolicyInstancesByPolicy(s, "P1", "9", "", "", "", "")
	wantErr(t, "unknown version", err, "NoSuchTrafficPolicy", 404, "version: 9")
	_, err = ListTrafficPolicyInstances(s, "Z1", "", "", "")
	wantErr(t, "partial markers", err, "InvalidInput", 400, "every marker")
	if c := GetTrafficPolicyInstanceCount(s); c.TrafficPolicyInstanceCount != 12 {
		t.Errorf("count %d", c.TrafficPolicyInstanceCount)
	}
}

// The record set an instance serves compiles and follows its policy's health check.
func TestInstanceRecordSet(t *testing.T) {
	s := instanceState(t)
	in, _, _ := CreateTrafficPolicyInstance(s, instReq("Z1", "www.example.com", 1), "I1")
	rs, err := InstanceRecordSet(s.policies[0], in, Options{})
	if err != nil || rs.Name != "www.example.com." || rs.Type != dns.TypeA || rs.TTL != 60 {
		t.Fatalf("%v %+v", err, rs)
	}
	c := checks{}
	snap, err := policy.Compile(&policy.Data{Zones: []*policy.Zone{{Origin: "example.com.", Records: []*policy.RecordSet{rs}}}}, Resolver(c.resolve), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tree := snap.Zone("www.example.com.").Set("www.example.com.", dns.TypeA).Tree
	if got := answer(tree, nil, 1); got != "192.0.2.1" {
		t.Errorf("healthy: %s", got)
	}
	c.set("hc-1")
	if got := answer(tree, nil, 1); got != "192.0.2.2" {
		t.Errorf("hc-1 down: %s", got)
	}
	in.TrafficPolicyVersion = 9
	if _, err := InstanceRecordSet(s.policies[0], in, Options{}); err == nil {
		t.Error("an unknown version made a record set")
	}
}

package trafficflow

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// getTrafficPolicyOutput is what `aws route53 get-traffic-policy` prints.
const getTrafficPolicyOutput = `{
    "TrafficPolicy": {
        "Id": "0a1b2c3d-0000-4000-8000-000000000001",
        "Version": 2,
        "Name": "www-geo",
        "Type": "A",
        "Document": "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"A\",\"StartEndpoint\":\"a\",\"Endpoints\":{\"a\":{\"Type\":\"value\",\"Value\":\"192.0.2.1\"}}}",
        "Comment": "second try"
    }
}
`

func TestParseCLIPolicies(t *testing.T) {
	ps, err := ParseCLIPolicies([]byte(getTrafficPolicyOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Name != "www-geo" || len(ps[0].Versions) != 1 || ps[0].Versions[0].Version != 2 || ps[0].Versions[0].Comment != "second try" {
		t.Fatalf("%+v", ps[0])
	}
	out, err := MarshalCLIPolicy(ps[0], 2)
	if err != nil || string(out) != getTrafficPolicyOutput {
		t.Errorf("written back:\n%s\nwant\n%s", out, getTrafficPolicyOutput)
	}

	// Versions of one policy from several commands, gathered with jq -s.
	v1 := strings.Replace(strings.Replace(getTrafficPolicyOutput, `"Version": 2`, `"Version": 1`, 1), `"Comment": "second try"`, `"Comment": ""`, 1)
	ps, err = ParseCLIPolicies([]byte("[" + getTrafficPolicyOutput + "," + v1 + "]"))
	if err != nil || len(ps) != 1 || len(ps[0].Versions) != 2 || ps[0].Versions[0].Version != 1 {
		t.Fatalf("two versions: %v %+v", err, ps)
	}

	bad := []struct{ name, json, want string }{
		{"bad document", strings.Replace(getTrafficPolicyOutput, `192.0.2.1`, `192.0.2.300`, 1), `Document: Endpoints.a.Value: "192.0.2.300" is not A data`},
		{"type mismatch", strings.Replace(getTrafficPolicyOutput, `"Type": "A"`, `"Type": "AAAA"`, 1), `Type "AAAA", but the document's RecordType is "A"`},
		{"unknown field", strings.Replace(getTrafficPolicyOutput, `"Name"`, `"Nome": "x", "Name"`, 1), `unknown field "Nome"`},
		{"no version", strings.Replace(getTrafficPolicyOutput, `"Version": 2`, `"Version": 0`, 1), "Version must be 1..1000"},
		{"nothing", `{"IsTruncated": false}`, "no TrafficPolicy or TrafficPolicies"},
		{"same name, two IDs", "[" + getTrafficPolicyOutput + "," + strings.Replace(getTrafficPolicyOutput, "0001", "0002", 1) + "]", `both named "www-geo"`},
		{"a version twice, differently", "[" + getTrafficPolicyOutput + "," + strings.Replace(getTrafficPolicyOutput, "second try", "third", 1) + "]", "the version twice, differently"},
		{"not JSON", `{"TrafficPolicy": `, "traffic policy JSON"},
	}
	for _, tc := range bad {
		if _, err := ParseCLIPolicies([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
}

// A policy exported as list-traffic-policy-versions prints it and imported again
// is the policy without its deleted versions, numbers kept.
func TestCLIPolicyRoundTrip(t *testing.T) {
	s := newState()
	for _, id := range []string{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"} {
		s.checks[id] = true
	}
	createPolicy(t, s, "web", docA, "one", "P1")
	for _, d := range []string{docAAAA, geoDoc} {
		p, _, err := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: d, Comment: "c <&>"})
		if err != nil {
			t.Fatal(err)
		}
		s.put(p)
	}
	p, _, _ := DeleteTrafficPolicy(s, "P1", "1")
	out, err := MarshalCLIVersions(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"Comment": "c <&>"`) || !strings.HasPrefix(string(out), "{\n    \"TrafficPolicies\": [\n") {
		t.Errorf("output:\n%s", out)
	}
	back, err := ParseCLIPolicies(out)
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{Id: "P1", Name: "web", Versions: p.Versions[1:]}
	if len(back) != 1 || !reflect.DeepEqual(back[0], want) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", back[0], want)
	}
	// (apiErr, not err: a nil *apierr.Error in an error variable is not nil)
	next, _, apiErr := CreateTrafficPolicyVersion(&fakeState{policies: back, checks: map[string]bool{}, limits: DefaultLimits}, "P1", &CreateTrafficPolicyVersionRequest{Document: docAAAA})
	if apiErr != nil || next.Versions[len(next.Versions)-1].Version != 4 {
		t.Errorf("numbering goes on after import: %v", apiErr)
	}
}

func TestCLIInstances(t *testing.T) {
	list := []*TrafficPolicyInstance{
		{Id: "I1", HostedZoneId: "Z1", Name: "www.example.com.", TTL: 60, State: StateApplied, TrafficPolicyId: "P1", TrafficPolicyVersion: 2, TrafficPolicyType: "A"},
		{Id: "I2", HostedZoneId: "Z1", Name: "*.apps.example.com.", TTL: 0, State: StateFailed, Message: "no", TrafficPolicyId: "P1", TrafficPolicyVersion: 1, TrafficPolicyType: "A"},
	}
	out, err := MarshalCLIInstances(list)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCLIInstances(out)
	if err != nil || !reflect.DeepEqual(back, list) {
		t.Fatalf("round trip: %v\n%s", err, out)
	}
	// As Route 53 prints them: zone ID with its prefix, \052 for *, no final dot.
	aws := `{"TrafficPolicyInstance": {"Id": "I3", "HostedZoneId": "/hostedzone/Z2", "Name": "\\052.Example.net", "TTL": 30, "State": "Applied",
		"Message": "", "TrafficPolicyId": "P1", "TrafficPolicyVersion": 1, "TrafficPolicyType": "A"}}`
	got, err := ParseCLIInstances([]byte(aws))
	if err != nil || got[0].HostedZoneId != "Z2" || got[0].Name != "*.example.net." {
		t.Errorf("%v %+v", err, got)
	}
	if got, err := ParseCLIInstances([]byte(`{"TrafficPolicyInstances": [], "IsTruncated": false, "MaxItems": "100"}`)); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v", err)
	}
	for _, bad := range []string{`{}`, `{"TrafficPolicyInstance": {"Id": "I1"}}`, `{"TrafficPolicyInstances": [{"Id":"I1","HostedZoneId":"Z","TrafficPolicyId":"P","TTL":-1}]}`} {
		if _, err := ParseCLIInstances([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil || m["MaxItems"] != "100" || m["IsTruncated"] != false {
		t.Errorf("list fields: %v %v", err, m)
	}
}

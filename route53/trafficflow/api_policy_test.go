package trafficflow

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
)

func TestPolicyLifecycle(t *testing.T) {
	s := newState()
	p, resp := createPolicy(t, s, "web", docA, "first", "P1")
	if resp.Location != "/2013-04-01/trafficpolicy/P1/1" || resp.TrafficPolicy.Version != 1 || resp.TrafficPolicy.Type != "A" || p.Versions[0].Comment != "first" {
		t.Errorf("create: %+v %+v", resp, p)
	}

	_, _, err := CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "web", Document: docA}, "P2")
	wantErr(t, "same name", err, "TrafficPolicyAlreadyExists", 409, `"web"`)
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "x", Document: strings.Replace(docA, `"XX"`, "", 1) + "]"}, "P2")
	wantErr(t, "bad JSON", err, "InvalidTrafficPolicyDocument", 400, "Document: data after the JSON document")
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "x", Document: strings.Replace(docA, "hc-1", "hc-9", 1)}, "P2")
	wantErr(t, "unknown check", err, "InvalidTrafficPolicyDocument", 400, `Rules.f.Primary.HealthCheck: no health check with ID "hc-9"`)
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "x", Document: docA + strings.Repeat(" ", MaxDocumentSize)}, "P2")
	wantErr(t, "too big", err, "InvalidInput", 400, "at most 102400")
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "", Document: docA}, "P2")
	wantErr(t, "no name", err, "InvalidInput", 400, "Name must be 1 to 512")
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "x", Document: docA, Comment: strings.Repeat("c", 1025)}, "P2")
	wantErr(t, "long comment", err, "InvalidInput", 400, "Comment")

	got := must(GetTrafficPolicy(s, "P1", "1"))
	if got.TrafficPolicy.Document != docA || got.TrafficPolicy.Name != "web" {
		t.Errorf("get: %+v", got)
	}
	_, err = GetTrafficPolicy(s, "P1", "2")
	wantErr(t, "no version 2", err, "NoSuchTrafficPolicy", 404, "P1")
	_, err = GetTrafficPolicy(s, "P9", "1")
	wantErr(t, "no policy", err, "NoSuchTrafficPolicy", 404, "P9")
	_, err = GetTrafficPolicy(s, "P1", "x")
	wantErr(t, "bad version", err, "InvalidInput", 400, `"x"`)
	_, err = GetTrafficPolicy(s, strings.Repeat("i", 37), "1")
	wantErr(t, "long ID", err, "InvalidInput", 400, "1 to 36")

	v2, vr, err := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: docAAAA})
	if err != nil || vr.TrafficPolicy.Version != 2 || vr.TrafficPolicy.Type != "AAAA" || vr.Location != "/2013-04-01/trafficpolicy/P1/2" {
		t.Fatalf("version 2: %v %+v", err, vr)
	}
	if len(s.policies[0].Versions) != 1 {
		t.Fatal("an operation changed the state it was given")
	}
	s.put(v2)
	_, _, err = CreateTrafficPolicyVersion(s, "P9", &CreateTrafficPolicyVersionRequest{Document: docAAAA})
	wantErr(t, "version of nothing", err, "NoSuchTrafficPolicy", 404, "P9")

	pv := must(ListTrafficPolicyVersions(s, "P1", "", "1"))
	if len(pv.TrafficPolicies.Items) != 1 || !pv.IsTruncated || pv.TrafficPolicyVersionMarker != "2" || pv.MaxItems != "1" {
		t.Errorf("versions page 1: %+v", pv)
	}
	pv = must(ListTrafficPolicyVersions(s, "P1", "2", "1"))
	if len(pv.TrafficPolicies.Items) != 1 || pv.TrafficPolicies.Items[0].Version != 2 || pv.IsTruncated {
		t.Errorf("versions page 2: %+v", pv)
	}

	c, cr, err := UpdateTrafficPolicyComment(s, "P1", "1", &UpdateTrafficPolicyCommentRequest{Comment: "renamed"})
	if err != nil || cr.TrafficPolicy.Comment != "renamed" || c.version(1).Comment != "renamed" || s.policies[0].version(1).Comment != "first" {
		t.Fatalf("comment: %v %+v", err, cr)
	}
	s.put(c)

	d, _, err := DeleteTrafficPolicy(s, "P1", "1")
	if err != nil || !d.version(1).Deleted {
		t.Fatalf("delete: %v", err)
	}
	s.put(d)
	if g := must(GetTrafficPolicy(s, "P1", "1")); g.TrafficPolicy.Comment != "renamed" {
		t.Error("a deleted version stays readable by ID")
	}
	_, _, err = DeleteTrafficPolicy(s, "P1", "1")
	wantErr(t, "delete twice", err, "NoSuchTrafficPolicy", 404, "version: 1")
	_, _, err = UpdateTrafficPolicyComment(s, "P1", "1", &UpdateTrafficPolicyCommentRequest{Comment: "x"})
	wantErr(t, "comment a deleted version", err, "NoSuchTrafficPolicy", 404, "P1")
	if pv := must(ListTrafficPolicyVersions(s, "P1", "", "")); len(pv.TrafficPolicies.Items) != 1 || pv.TrafficPolicies.Items[0].Version != 2 {
		t.Errorf("deleted versions are not listed: %+v", pv)
	}
	d, _, _ = DeleteTrafficPolicy(s, "P1", "2")
	s.put(d)
	if lp := must(ListTrafficPolicies(s, "", "")); len(lp.TrafficPolicySummaries.Items) != 0 {
		t.Errorf("a policy without versions is not listed: %+v", lp)
	}
	p3, _, err := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: docA})
	if err != nil || p3.Versions[2].Version != 3 {
		t.Fatalf("numbers go on after deleted versions: %v %+v", err, p3)
	}
	createPolicy(t, s, "web", docA, "", "P2") // the name of a deleted policy is free
}

func createPolicy(t *testing.T, s *fakeState, name, document, comment, id string) (*Policy, *CreateTrafficPolicyResponse) {
	t.Helper()
	p, resp, err := CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: name, Document: document, Comment: comment}, id)
	if err != nil {
		t.Fatal(err)
	}
	s.put(p)
	return p, resp
}

func TestListTrafficPoliciesPaging(t *testing.T) {
	s := newState()
	for _, id := range []string{"C", "A", "B"} {
		createPolicy(t, s, "p"+id, docA, "", id)
	}
	v, _, _ := CreateTrafficPolicyVersion(s, "A", &CreateTrafficPolicyVersionRequest{Document: docAAAA})
	s.put(v)
	var ids []string
	marker := ""
	for range 5 {
		page := must(ListTrafficPolicies(s, marker, "2"))
		for _, sum := range page.TrafficPolicySummaries.Items {
			ids = append(ids, sum.Id)
			if sum.Id == "A" && (sum.LatestVersion != 2 || sum.TrafficPolicyCount != 2 || sum.Type != "AAAA") {
				t.Errorf("summary of A: %+v", sum)
			}
		}
		if !page.IsTruncated {
			break
		}
		marker = page.TrafficPolicyIdMarker
	}
	if strings.Join(ids, "") != "CAB" {
		t.Errorf("pages in creation order: %v", ids)
	}
	_, err := ListTrafficPolicies(s, "nope", "")
	wantErr(t, "unknown marker", err, "InvalidInput", 400, "nope")
	_, err = ListTrafficPolicies(s, "", "0")
	wantErr(t, "maxitems 0", err, "InvalidInput", 400, "maxitems")
	if p := must(ListTrafficPolicies(s, "", "500")); len(p.TrafficPolicySummaries.Items) != 3 || p.MaxItems != "500" {
		t.Errorf("maxitems 500: %+v", p)
	}
}

func TestPolicyLimits(t *testing.T) {
	s := newState()
	s.limits = Limits{Policies: 1, Versions: 2, Instances: 1}
	createPolicy(t, s, "one", docA, "", "P1")
	_, _, err := CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "two", Document: docA}, "P2")
	wantErr(t, "policies", err, "TooManyTrafficPolicies", 400, "limit")
	v, _, _ := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: docA})
	s.put(v)
	_, _, err = CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: docA})
	wantErr(t, "versions", err, "TooManyTrafficPolicyVersionsForCurrentPolicy", 400, "2 versions")
	_, _, err = CreateTrafficPolicy(s, &CreateTrafficPolicyRequest{Name: "two", Document: docA}, "P1")
	wantErr(t, "ID taken", err, "TrafficPolicyAlreadyExists", 409, "P1")
}

func TestNewID(t *testing.T) {
	id, err := NewID(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
	if err != nil || id != "abababab-abab-4bab-abab-abababababab" {
		t.Errorf("NewID = %q, %v", id, err)
	}
	id, _ = NewID(nil)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("NewID(nil) = %q", id)
	}
	if _, err := NewID(bytes.NewReader(nil)); err == nil {
		t.Error("NewID read nothing without an error")
	}
}

// Responses are written in Route 53's namespace, with list elements even when
// empty.
func TestResponseXML(t *testing.T) {
	s := newState()
	b, err := xml.Marshal(must(ListTrafficPolicies(s, "", "")))
	if err != nil {
		t.Fatal(err)
	}
	want := `<ListTrafficPoliciesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><TrafficPolicySummaries></TrafficPolicySummaries><IsTruncated>false</IsTruncated><TrafficPolicyIdMarker></TrafficPolicyIdMarker><MaxItems>100</MaxItems></ListTrafficPoliciesResponse>`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	_, resp := createPolicy(t, s, "web", docA, "", "P1")
	b, _ = xml.Marshal(resp)
	if !strings.Contains(string(b), `<CreateTrafficPolicyResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><TrafficPolicy><Id>P1</Id><Version>1</Version><Name>web</Name><Type>A</Type><Document>{&#34;AWSPolicyFormatVersion&#34;`) || strings.Contains(string(b), "Location") {
		t.Errorf("create response: %s", b)
	}
	var req CreateTrafficPolicyRequest
	body := `<CreateTrafficPolicyRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>n</Name><Document>{}</Document><Comment>c</Comment></CreateTrafficPolicyRequest>`
	if err := xml.Unmarshal([]byte(body), &req); err != nil || req.Name != "n" || req.Document != "{}" || req.Comment != "c" {
		t.Errorf("request: %v %+v", err, req)
	}
	if err := xml.Unmarshal([]byte(strings.ReplaceAll(body, "2013-04-01", "2012-12-12")), &req); err == nil {
		t.Error("a request in another namespace decoded")
	}
}

func TestHealthCheckUsers(t *testing.T) {
	s := newState()
	for _, id := range []string{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"} {
		s.checks[id] = true
	}
	createPolicy(t, s, "a", docA, "", "P1")
	createPolicy(t, s, "g", geoDoc, "", "P2")
	v, _, _ := CreateTrafficPolicyVersion(s, "P1", &CreateTrafficPolicyVersionRequest{Document: docA})
	s.put(v)
	if got := HealthCheckUsers(s.policies, "hc-1"); strings.Join(got, " ") != "P1/1 P1/2" {
		t.Errorf("hc-1 users: %v", got)
	}
	d, _, _ := DeleteTrafficPolicy(s, "P1", "1")
	s.put(d)
	if got := HealthCheckUsers(s.policies, "hc-1"); strings.Join(got, " ") != "P1/2" {
		t.Errorf("hc-1 users after deleting version 1: %v", got)
	}
	if got := HealthCheckUsers(s.policies, "22222222-2222-2222-2222-222222222222"); strings.Join(got, " ") != "P2/1" {
		t.Errorf("geo users: %v", got)
	}
	if got := HealthCheckUsers(s.policies, "hc-2"); got != nil {
		t.Errorf("unused check: %v", got)
	}
	g, _ := Parse([]byte(geoDoc))
	if got := g.HealthChecks(); len(got) != 3 || got[1] != "22222222-2222-2222-2222-222222222222" {
		t.Errorf("HealthChecks() = %v", got)
	}
}

package api_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// geoPolicy answers Germans with .10, Americans with .20 while check is up, and
// everyone else with .30.
func geoPolicy(check string) string {
	return fmt.Sprintf(`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"by_country",
  "Endpoints":{"de":{"Type":"value","Value":"192.0.2.10"},"us":{"Type":"value","Value":"192.0.2.20"},"other":{"Type":"value","Value":"192.0.2.30"}},
  "Rules":{"by_country":{"RuleType":"geo","Locations":[
    {"EndpointReference":"de","Country":"DE"},
    {"EndpointReference":"us","Country":"US","HealthCheck":%q},
    {"EndpointReference":"other","IsDefault":true}]}}}`, check)
}

// failoverPolicy answers .40 unless it is down, then .41.
const failoverPolicy = `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartRule":"f",
  "Endpoints":{"a":{"Type":"value","Value":"192.0.2.40"},"b":{"Type":"value","Value":"192.0.2.41"}},
  "Rules":{"f":{"RuleType":"failover","Primary":{"EndpointReference":"a"},"Secondary":{"EndpointReference":"b"}}}}`

func TestAPITrafficPolicies(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("z")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := z.HostedZone.Id
	host, port := okEndpoint(t)
	hcOut, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(port),
			RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	checkID := hcOut.HealthCheck.Id

	// Policies and versions.
	p, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("geo"), Document: aws.String(geoPolicy(*checkID)), Comment: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	policyID := p.TrafficPolicy.Id
	if aws.ToInt32(p.TrafficPolicy.Version) != 1 || p.TrafficPolicy.Type != types.RRTypeA || aws.ToString(p.Location) != "/2013-04-01/trafficpolicy/"+*policyID+"/1" {
		t.Errorf("CreateTrafficPolicy: %+v at %q", p.TrafficPolicy, aws.ToString(p.Location))
	}
	refusals := []struct {
		name, code string
		err        error
	}{}
	refuse := func(name, code string, err error) {
		refusals = append(refusals, struct {
			name, code string
			err        error
		}{name, code, err})
	}
	_, err = c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("geo"), Document: aws.String(failoverPolicy)})
	refuse("same name", "TrafficPolicyAlreadyExists", err)
	_, err = c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("bad"), Document: aws.String(`{"AWSPolicyFormatVersion":"2015-10-01"}`)})
	refuse("bad document", "InvalidTrafficPolicyDocument", err)
	_, err = c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("nocheck"), Document: aws.String(geoPolicy("99999999-9999-4999-8999-999999999999"))})
	refuse("unknown health check", "InvalidTrafficPolicyDocument", err)
	v2, err := c.CreateTrafficPolicyVersion(ctx, &route53.CreateTrafficPolicyVersionInput{Id: policyID, Document: aws.String(failoverPolicy)})
	if err != nil || aws.ToInt32(v2.TrafficPolicy.Version) != 2 {
		t.Fatalf("CreateTrafficPolicyVersion: %+v %v", v2, err)
	}
	if _, err := c.UpdateTrafficPolicyComment(ctx, &route53.UpdateTrafficPolicyCommentInput{Id: policyID, Version: aws.Int32(2), Comment: aws.String("failover")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetTrafficPolicy(ctx, &route53.GetTrafficPolicyInput{Id: policyID, Version: aws.Int32(2)})
	if err != nil || aws.ToString(got.TrafficPolicy.Comment) != "failover" || aws.ToString(got.TrafficPolicy.Document) != failoverPolicy {
		t.Errorf("GetTrafficPolicy: %+v %v", got, err)
	}
	list, err := c.ListTrafficPolicies(ctx, &route53.ListTrafficPoliciesInput{})
	if err != nil || len(list.TrafficPolicySummaries) != 1 || aws.ToInt32(list.TrafficPolicySummaries[0].LatestVersion) != 2 {
		t.Errorf("ListTrafficPolicies: %+v %v", list, err)
	}
	versions, err := c.ListTrafficPolicyVersions(ctx, &route53.ListTrafficPolicyVersionsInput{Id: policyID})
	if err != nil || len(versions.TrafficPolicies) != 2 {
		t.Errorf("ListTrafficPolicyVersions: %+v %v", versions, err)
	}

	// An instance serves the policy at its name, as one record set of the zone.
	if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID,
		ChangeBatch: change(types.ChangeActionCreate, rrset("taken.example.org", "", 0, "", "192.0.2.99"))}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateTrafficPolicyInstance(ctx, instanceInput(zoneID, "taken.example.org", policyID, 1))
	refuse("instance over a record set", "InvalidInput", err)
	in, err := c.CreateTrafficPolicyInstance(ctx, instanceInput(zoneID, "www.example.org", policyID, 1))
	if err != nil {
		t.Fatal(err)
	}
	instID := in.TrafficPolicyInstance.Id
	if aws.ToString(in.TrafficPolicyInstance.State) != "Applied" || aws.ToString(in.Location) != "/2013-04-01/trafficpolicyinstance/"+*instID {
		t.Errorf("CreateTrafficPolicyInstance: %+v at %q", in.TrafficPolicyInstance, aws.ToString(in.Location))
	}
	_, err = c.CreateTrafficPolicyInstance(ctx, instanceInput(zoneID, "www.example.org", policyID, 2))
	refuse("second instance at a name", "TrafficPolicyInstanceAlreadyExists", err)
	eventually(t, "the instance is served", func() bool { return s.answer("www.example.org.", dns.TypeA, berlin, noClient) != "" })
	for _, tc := range []struct {
		who, want string
		answer    string
	}{
		{"Berlin", "192.0.2.10", s.answer("www.example.org.", dns.TypeA, berlin, noClient)},
		{"Ashburn", "192.0.2.20", s.answer("www.example.org.", dns.TypeA, ashburn, noClient)},
		{"Tokyo", "192.0.2.30", s.answer("www.example.org.", dns.TypeA, tokyo, noClient)},
		{"unknown", "192.0.2.30", s.answer("www.example.org.", dns.TypeA, noLocation, noClient)},
	} {
		if tc.answer != tc.want {
			t.Errorf("a client in %s gets %q, want %q", tc.who, tc.answer, tc.want)
		}
	}

	// The health check on the US location moves Americans to the default.
	if _, err := c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: checkID, Disabled: aws.Bool(true), Inverted: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Americans answered by the default once the US check is down", func() bool {
		return s.answer("www.example.org.", dns.TypeA, ashburn, noClient) == "192.0.2.30"
	})

	// ListResourceRecordSets shows the instance's record set; ChangeResourceRecordSets
	// cannot touch it.
	rrs, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zoneID, StartRecordName: aws.String("www.example.org")})
	if err != nil || len(rrs.ResourceRecordSets) != 1 || aws.ToString(rrs.ResourceRecordSets[0].TrafficPolicyInstanceId) != *instID ||
		aws.ToInt64(rrs.ResourceRecordSets[0].TTL) != 60 || len(rrs.ResourceRecordSets[0].ResourceRecords) != 0 {
		t.Errorf("ListResourceRecordSets: %+v %v", rrs, err)
	}
	for _, action := range []types.ChangeAction{types.ChangeActionUpsert, types.ChangeActionDelete, types.ChangeActionCreate} {
		_, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID,
			ChangeBatch: change(action, rrset("www.example.org", "", 0, "", "192.0.2.1"))})
		var icb *types.InvalidChangeBatch
		if !errors.As(err, &icb) || !strings.Contains(strings.Join(icb.Messages, " "), "traffic policy instance "+*instID) {
			t.Errorf("%s of the instance's record set: %v", action, err)
		}
	}
	cname := rrset("www.example.org", "", 0, "", "other.example.org")
	cname.Type = types.RRTypeCname
	_, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate, cname)})
	refuse("a CNAME beside the instance's record set", "InvalidChangeBatch", err)
	txt := rrset("www.example.org", "", 0, "", `"v=1"`)
	txt.Type = types.RRTypeTxt
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate, txt)})
	if err != nil {
		t.Fatalf("a TXT beside the instance's record set: %v", err)
	}
	insync(t, c, out.ChangeInfo.Id)
	if got := s.answer("www.example.org.", dns.TypeTXT, noLocation, noClient); got != `"v=1"` {
		t.Errorf("TXT beside the instance answers %q", got)
	}
	if got := s.answer("www.example.org.", dns.TypeA, berlin, noClient); got != "192.0.2.10" {
		t.Errorf("the instance answers %q after a TXT was added beside it", got)
	}
	_, err = c.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: policyID, Version: aws.Int32(1)})
	refuse("delete a version in use", "TrafficPolicyInUse", err)
	_, err = c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: checkID})
	refuse("delete a health check a version uses", "HealthCheckInUse", err)
	_, err = c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: zoneID})
	refuse("delete a zone with an instance", "HostedZoneNotEmpty", err)

	// Reading instances.
	gi, err := c.GetTrafficPolicyInstance(ctx, &route53.GetTrafficPolicyInstanceInput{Id: instID})
	if err != nil || aws.ToString(gi.TrafficPolicyInstance.Name) != "www.example.org." || aws.ToString(gi.TrafficPolicyInstance.State) != "Applied" {
		t.Errorf("GetTrafficPolicyInstance: %+v %v", gi, err)
	}
	all, err := c.ListTrafficPolicyInstances(ctx, &route53.ListTrafficPolicyInstancesInput{})
	if err != nil || len(all.TrafficPolicyInstances) != 1 {
		t.Errorf("ListTrafficPolicyInstances: %+v %v", all, err)
	}
	byZone, err := c.ListTrafficPolicyInstancesByHostedZone(ctx, &route53.ListTrafficPolicyInstancesByHostedZoneInput{HostedZoneId: zoneID})
	if err != nil || len(byZone.TrafficPolicyInstances) != 1 {
		t.Errorf("ListTrafficPolicyInstancesByHostedZone: %+v %v", byZone, err)
	}
	byPolicy, err := c.ListTrafficPolicyInstancesByPolicy(ctx, &route53.ListTrafficPolicyInstancesByPolicyInput{TrafficPolicyId: policyID, TrafficPolicyVersion: aws.Int32(2)})
	if err != nil || len(byPolicy.TrafficPolicyInstances) != 0 {
		t.Errorf("ListTrafficPolicyInstancesByPolicy v2: %+v %v", byPolicy, err)
	}
	count, err := c.GetTrafficPolicyInstanceCount(ctx, &route53.GetTrafficPolicyInstanceCountInput{})
	if err != nil || aws.ToInt32(count.TrafficPolicyInstanceCount) != 1 {
		t.Errorf("GetTrafficPolicyInstanceCount: %+v %v", count, err)
	}

	// An update moves the instance to version 2: compiled into the snapshot in
	// place (not a whole rebuild).
	up, err := c.UpdateTrafficPolicyInstance(ctx, &route53.UpdateTrafficPolicyInstanceInput{Id: instID, TTL: aws.Int64(120), TrafficPolicyId: policyID, TrafficPolicyVersion: aws.Int32(2)})
	if err != nil || aws.ToInt32(up.TrafficPolicyInstance.TrafficPolicyVersion) != 2 || aws.ToString(up.TrafficPolicyInstance.State) != "Applied" {
		t.Fatalf("UpdateTrafficPolicyInstance: %+v %v", up, err)
	}
	eventually(t, "version 2 served", func() bool { return s.answer("www.example.org.", dns.TypeA, berlin, noClient) == "192.0.2.40" })
	if cur := s.replica.Current(); cur.Fresh {
		t.Error("an instance update recompiled every zone")
	}
	if set := s.replica.Current().Snap.Zone("www.example.org.").Set("www.example.org.", dns.TypeA); set.TTL != 120 {
		t.Errorf("TTL %d after the update, want 120", set.TTL)
	}

	// Version 1 is free now: deleted, still readable by ID, no longer listed;
	// the health check only it used can go.
	if _, err := c.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: policyID, Version: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetTrafficPolicy(ctx, &route53.GetTrafficPolicyInput{Id: policyID, Version: aws.Int32(1)}); err != nil {
		t.Errorf("a deleted version is readable by ID: %v", err)
	}
	if versions, err := c.ListTrafficPolicyVersions(ctx, &route53.ListTrafficPolicyVersionsInput{Id: policyID}); err != nil || len(versions.TrafficPolicies) != 1 {
		t.Errorf("ListTrafficPolicyVersions after delete: %+v %v", versions, err)
	}
	if _, err := c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: checkID}); err != nil {
		t.Errorf("delete of a check no live version uses: %v", err)
	}

	// Deleting the instance removes its record set from the zone and the answers.
	if _, err := c.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: instID}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted instance is no longer served", func() bool { return s.answer("www.example.org.", dns.TypeA, berlin, noClient) == "" })
	rrs, err = c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zoneID})
	if err != nil || len(rrs.ResourceRecordSets) != 4 { // SOA, NS, taken, www TXT
		t.Errorf("ListResourceRecordSets after the delete: %+v %v", rrs, err)
	}
	_, err = c.GetTrafficPolicyInstance(ctx, &route53.GetTrafficPolicyInstanceInput{Id: instID})
	refuse("get a deleted instance", "NoSuchTrafficPolicyInstance", err)
	_, err = c.CreateTrafficPolicyInstance(ctx, instanceInput(aws.String("ZNOSUCHZONE1"), "www.example.org", policyID, 2))
	refuse("instance in an unknown zone", "NoSuchHostedZone", err)
	_, err = c.CreateTrafficPolicyInstance(ctx, instanceInput(zoneID, "www.example.org", policyID, 1))
	refuse("instance of a deleted version", "NoSuchTrafficPolicy", err)

	for _, r := range refusals {
		if errCode(r.err) != r.code {
			t.Errorf("%s: got %v, want %s", r.name, r.err, r.code)
		}
	}
}

func instanceInput(zoneID *string, name string, policyID *string, version int32) *route53.CreateTrafficPolicyInstanceInput {
	return &route53.CreateTrafficPolicyInstanceInput{HostedZoneId: zoneID, Name: aws.String(name), TTL: aws.Int64(60),
		TrafficPolicyId: policyID, TrafficPolicyVersion: aws.Int32(version)}
}

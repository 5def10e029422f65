package route53

import (
	"encoding/xml"
	"strings"
	"testing"
)

const ns = `xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`

// changeRequest is what the AWS SDK for Go v2 sends for ChangeResourceRecordSets.
const changeRequest = `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Comment>web</Comment><Changes>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>www.example.com</Name><Type>A</Type>
<SetIdentifier>one</SetIdentifier><Weight>10</Weight><TTL>60</TTL>
<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord><ResourceRecord><Value>192.0.2.2</Value></ResourceRecord></ResourceRecords>
<HealthCheckId>hc-1</HealthCheckId></ResourceRecordSet></Change>
<Change><Action>UPSERT</Action><ResourceRecordSet><Name>geo.example.com</Name><Type>A</Type><SetIdentifier>g</SetIdentifier>
<GeoLocation><CountryCode>US</CountryCode><SubdivisionCode>VA</SubdivisionCode></GeoLocation>
<AliasTarget><HostedZoneId>Z1</HostedZoneId><DNSName>www.example.com</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>
</ResourceRecordSet></Change>
<Change><Action>CREATE</Action><ResourceRecordSet><Name>gp.example.com</Name><Type>A</Type><SetIdentifier>p</SetIdentifier><TTL>0</TTL>
<ResourceRecords><ResourceRecord><Value>192.0.2.3</Value></ResourceRecord></ResourceRecords>
<CidrRoutingConfig><CollectionId>c</CollectionId><LocationName>*</LocationName></CidrRoutingConfig>
<GeoProximityLocation><Coordinates><Latitude>50.11</Latitude><Longitude>8.68</Longitude></Coordinates><Bias>-5</Bias></GeoProximityLocation>
</ResourceRecordSet></Change>
</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`

func TestDecodeChangeBatch(t *testing.T) {
	var req ChangeResourceRecordSetsRequest
	if err := Decode(strings.NewReader(changeRequest), &req); err != nil {
		t.Fatal(err)
	}
	cs := req.ChangeBatch.Changes
	if req.ChangeBatch.Comment != "web" || len(cs) != 3 {
		t.Fatalf("decoded %+v", req)
	}
	a, b, c := cs[0].ResourceRecordSet, cs[1].ResourceRecordSet, cs[2].ResourceRecordSet
	switch {
	case cs[0].Action != "CREATE" || *a.Weight != 10 || *a.TTL != 60 || len(a.ResourceRecords) != 2 || a.HealthCheckId != "hc-1":
		t.Errorf("change 1: %s", show(&a))
	case b.GeoLocation.SubdivisionCode != "VA" || !b.AliasTarget.EvaluateTargetHealth || b.TTL != nil:
		t.Errorf("change 2: %s", show(&b))
	case *c.TTL != 0 || c.CidrRoutingConfig.LocationName != "*" || *c.GeoProximityLocation.Bias != -5 || c.GeoProximityLocation.Coordinates.Longitude != "8.68":
		t.Errorf("change 3: %s", show(&c))
	}
	// What Decode reads, xml.Marshal writes back the same.
	out, err := xml.Marshal(&req)
	if err != nil {
		t.Fatal(err)
	}
	var again ChangeResourceRecordSetsRequest
	if err := Decode(strings.NewReader(string(out)), &again); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if show(&again.ChangeBatch.Changes[2].ResourceRecordSet) != show(&c) {
		t.Errorf("marshal round trip: %s", out)
	}
}

// TestDecodePrefixed: a namespace prefix is as good as a default namespace.
func TestDecodePrefixed(t *testing.T) {
	in := `<r:ChangeResourceRecordSetsRequest xmlns:r="https://route53.amazonaws.com/doc/2013-04-01/"><r:ChangeBatch><r:Comment>c</r:Comment></r:ChangeBatch></r:ChangeResourceRecordSetsRequest>`
	var req ChangeResourceRecordSetsRequest
	if err := Decode(strings.NewReader(in), &req); err != nil || req.ChangeBatch.Comment != "c" {
		t.Errorf("%+v %v", req, err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	wrap := func(rrset string) string {
		return `<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet>` +
			rrset + `</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
	}
	tests := []struct{ name, in, want string }{
		{"malformed", `<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch>`, "Invalid XML"},
		{"not XML", `{"ChangeBatch": {}}`, "Invalid XML"},
		{"empty", ``, "no root element"},
		{"no namespace", `<ChangeResourceRecordSetsRequest><ChangeBatch/></ChangeResourceRecordSetsRequest>`, "cvc-elt.1"},
		{"wrong namespace", `<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2012-12-12/"><ChangeBatch/></ChangeResourceRecordSetsRequest>`, "cvc-elt.1"},
		{"wrong root", `<CreateHostedZoneRequest ` + ns + `/>`, "Cannot find the declaration of element 'CreateHostedZoneRequest'"},
		{"unknown element", wrap(`<Name>a.example.com</Name><Type>A</Type><Wieght>1</Wieght>`), "Invalid content was found starting with element 'Wieght'"},
		{"child in other namespace", wrap(`<Name xmlns="urn:x">a.example.com</Name>`), "starting with element 'Name'"},
		{"element in a value", wrap(`<Name><b>a</b></Name>`), "cvc-type.3.1.2"},
		{"text in a structure", wrap(`hello<Name>a</Name>`), "cvc-complex-type.2.3"},
		{"repeated element", wrap(`<Name>a</Name><Name>b</Name>`), "cvc-complex-type.2.4.d"},
		{"attribute", wrap(`<Name ttl="5">a</Name>`), "Attribute 'ttl' is not allowed"},
		{"attribute on the root", `<ChangeResourceRecordSetsRequest ` + ns + ` id="1"/>`, "Attribute 'id' is not allowed"},
		{"bad number", wrap(`<Name>a</Name><Type>A</Type><TTL>sixty</TTL>`), "Invalid XML"},
		{"bad bool", wrap(`<Name>a</Name><Type>A</Type><MultiValueAnswer>maybe</MultiValueAnswer>`), "Invalid XML"},
		{"two roots", `<ChangeResourceRecordSetsRequest ` + ns + `/><ChangeResourceRecordSetsRequest ` + ns + `/>`, "after the root element"},
		{"doctype", `<!DOCTYPE x [<!ENTITY a "b">]><ChangeResourceRecordSetsRequest ` + ns + `/>`, "DOCTYPE"},
		{"too big", `<ChangeResourceRecordSetsRequest ` + ns + `>` + strings.Repeat(" ", MaxRequestBody) + `</ChangeResourceRecordSetsRequest>`, "larger than"},
	}
	for _, tc := range tests {
		var req ChangeResourceRecordSetsRequest
		err := Decode(strings.NewReader(tc.in), &req)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if err.Code != "InvalidInput" || err.Status != 400 || !strings.Contains(err.Message, tc.want) {
			t.Errorf("%s: %s %d %q, want InvalidInput 400 containing %q", tc.name, err.Code, err.Status, err.Message, tc.want)
		}
	}
}

// TestDecodeEveryRequest decodes a document of each request type.
func TestDecodeEveryRequest(t *testing.T) {
	tests := []struct {
		in string
		v  any
	}{
		{`<CreateHostedZoneRequest ` + ns + `><Name>example.com</Name><CallerReference>r</CallerReference><HostedZoneConfig><Comment>c</Comment><PrivateZone>false</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>`, &CreateHostedZoneRequest{}},
		{`<CreateCidrCollectionRequest ` + ns + `><Name>corp</Name><CallerReference>r</CallerReference></CreateCidrCollectionRequest>`, &CreateCidrCollectionRequest{}},
		{`<ChangeCidrCollectionRequest ` + ns + `><CollectionVersion>1</CollectionVersion><Changes><member><LocationName>eu</LocationName><Action>PUT</Action><CidrList><Cidr>192.0.2.0/24</Cidr><Cidr>2001:db8::/32</Cidr></CidrList></member></Changes></ChangeCidrCollectionRequest>`, &ChangeCidrCollectionRequest{}},
	}
	for _, tc := range tests {
		if err := Decode(strings.NewReader(tc.in), tc.v); err != nil {
			t.Errorf("%T: %v", tc.v, err)
		}
	}
	var c ChangeCidrCollectionRequest
	_ = Decode(strings.NewReader(tests[2].in), &c)
	if len(c.Changes) != 1 || len(c.Changes[0].CidrList) != 2 || *c.CollectionVersion != 1 {
		t.Errorf("ChangeCidrCollection: %+v", c)
	}
}

package trafficflow

import (
	"errors"
	"strings"
	"testing"
)

// geoDoc is the format's geolocation example (docs.aws.amazon.com, Traffic Policy
// Document Format), as AWS prints it.
const geoDoc = `{
  "AWSPolicyFormatVersion":"2015-10-01",
  "RecordType":"A",
  "StartRule":"geo_dest",
  "Endpoints":{
    "english":{"Type":"value","Value":"192.0.2.1"},
    "french":{"Type":"value","Value":"192.0.2.2"},
    "german":{"Type":"value","Value":"192.0.2.3"}
  },
  "Rules":{
    "geo_dest":{
      "RuleType":"geo",
      "Locations":[
        {"EndpointReference":"english","Country":"*","HealthCheck":"11111111-1111-1111-1111-111111111111"},
        {"EndpointReference":"french","Country":"FR","IsDefault":false,"HealthCheck":"22222222-2222-2222-2222-222222222222"},
        {"EndpointReference":"french","Country":"BE","IsDefault":false,"HealthCheck":"22222222-2222-2222-2222-222222222222"},
        {"EndpointReference":"german","Country":"DE","IsDefault":false,"HealthCheck":"33333333-3333-3333-3333-333333333333"}
      ]
    }
  }
}`

// doc wraps rules and endpoints (JSON object bodies) into a 2015-10-01 A document.
func doc(start, endpoints, rules string) string {
	s := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A",` + start
	if endpoints != "" {
		s += `,"Endpoints":{` + endpoints + `}`
	}
	if rules != "" {
		s += `,"Rules":{` + rules + `}`
	}
	return s + "}"
}

const twoEndpoints = `"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"}`

func TestParseGood(t *testing.T) {
	tests := []struct {
		name, doc string
		check     func(*testing.T, *Document)
	}{
		{"geolocation example", geoDoc, func(t *testing.T, d *Document) {
			l := d.Rules["geo_dest"].Locations
			if len(l) != 4 || !l[0].IsDefault || l[1].Country != "FR" || l[3].HealthCheck != "33333333-3333-3333-3333-333333333333" {
				t.Errorf("locations %+v", l)
			}
			if !l[1].EvaluateTargetHealth {
				t.Error("EvaluateTargetHealth defaults to true")
			}
		}},
		{"start endpoint", doc(`"StartEndpoint":"a"`, twoEndpoints, ""), func(t *testing.T, d *Document) {
			if d.StartEndpoint != "a" || d.RRType != 1 {
				t.Errorf("%+v", d)
			}
			if u := d.Unused(); len(u) != 1 || u[0] != "Endpoints.b" {
				t.Errorf("Unused() = %v", u)
			}
		}},
		{"strings for numbers and booleans", doc(`"StartRule":"w"`, twoEndpoints,
			`"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"3","EvaluateTargetHealth":"false"},{"EndpointReference":"b","Weight":0}]}`),
			func(t *testing.T, d *Document) {
				it := d.Rules["w"].Items
				if it[0].Weight != 3 || it[0].EvaluateTargetHealth || it[1].Weight != 0 {
					t.Errorf("items %+v %+v", it[0], it[1])
				}
			}},
		{"geoproximity 2015: region and coordinates", doc(`"StartRule":"g"`, twoEndpoints,
			`"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-west-1","Bias":"10"},{"EndpointReference":"b","Latitude":"51.50","Longitude":-0.16,"Bias":-5}]}`),
			func(t *testing.T, d *Document) {
				g := d.Rules["g"].GeoproximityLocations
				if g[0].Region != "us-west-1" || g[0].Bias != 10 || g[0].Lat == 0 || g[1].Lat != 51.5 || g[1].Lon != -0.16 || g[1].Bias != -5 {
					t.Errorf("%+v %+v", g[0], g[1])
				}
			}},
		{"geoproximity 2023: Location", strings.Replace(doc(`"StartRule":"g"`, twoEndpoints,
			`"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"Region","LocationName":"aws:route53:eu-west-1"}},{"EndpointReference":"b","Location":{"Type":"Coordinate","Latitude":"38.9","Longitude":"-77.01"},"Bias":"0"}]}`),
			"2015-10-01", "2023-05-09", 1),
			func(t *testing.T, d *Document) {
				g := d.Rules["g"].GeoproximityLocations
				if g[0].Region != "eu-west-1" || g[1].Lat != 38.9 || g[1].Lon != -77.01 {
					t.Errorf("%+v %+v", g[0], g[1])
				}
			}},
		{"subdivision and continent", doc(`"StartRule":"g"`, twoEndpoints,
			`"g":{"RuleType":"geo","Locations":[{"EndpointReference":"a","Country":"US","Subdivision":"va"},{"EndpointReference":"b","Continent":"eu"},{"EndpointReference":"b","IsDefault":true}]}`),
			func(t *testing.T, d *Document) {
				l := d.Rules["g"].Locations
				if l[0].Subdivision != "VA" || l[1].Continent != "EU" || !l[2].IsDefault {
					t.Errorf("%+v %+v %+v", l[0], l[1], l[2])
				}
			}},
		{"unused rule is accepted", doc(`"StartEndpoint":"a"`, twoEndpoints,
			`"spare":{"RuleType":"failover","Primary":{"EndpointReference":"a"},"Secondary":{"EndpointReference":"b"}}`),
			func(t *testing.T, d *Document) {
				if u := d.Unused(); len(u) != 2 || u[0] != "Endpoints.b" || u[1] != "Rules.spare" {
					t.Errorf("Unused() = %v", u)
				}
			}},
		{"NAPTR weighted", naptrDoc(`100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.`),
			func(t *testing.T, d *Document) {
				if d.RecordType != "NAPTR" || d.Rules["w"].Items[1].Weight != 1 {
					t.Errorf("%s %+v", d.RecordType, d.Rules["w"])
				}
			}},
		{"SPF value", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"spf","StartEndpoint":"s","Endpoints":{"s":{"Type":"value","Value":"\"v=spf1 -all\""}}}`,
			func(t *testing.T, d *Document) {
				if d.RecordType != "SPF" {
					t.Error(d.RecordType)
				}
			}},
		{"MX values", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"MX","StartEndpoint":"m","Endpoints":{"m":{"Type":"value","Value":"10 mail.example.com."}}}`,
			func(t *testing.T, d *Document) {
				if d.RecordType != "MX" {
					t.Error(d.RecordType)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, d)
		})
	}
}

func TestParseBad(t *testing.T) {
	failover := func(p, s string) string {
		return doc(`"StartRule":"f"`, twoEndpoints, `"f":{"RuleType":"failover","Primary":`+p+`,"Secondary":`+s+`}`)
	}
	geo := func(locs string) string {
		return doc(`"StartRule":"eu"`, twoEndpoints, `"eu":{"RuleType":"geo","Locations":[`+locs+`]}`)
	}
	tests := []struct{ name, doc, want string }{
		{"empty", ``, "Document: invalid JSON: the document ends early"},
		{"cut short", `{"AWSPolicyFormatVersion":`, "AWSPolicyFormatVersion: invalid JSON: the document ends early"},
		{"syntax error inside", `{"Rules":{"eu":{"RuleType":"geo",]}}}`, "Rules.eu: invalid JSON at byte"},
		{"trailing data", doc(`"StartEndpoint":"a"`, twoEndpoints, "") + "{}", "Document: data after the JSON document"},
		{"duplicate key", `{"RecordType":"A","RecordType":"AAAA"}`, "RecordType: duplicate key"},
		{"not an object", `[]`, "Document: must be a traffic policy document (an object), not an array"},
		{"unknown key", doc(`"StartEndpoint":"a","Comment":"x"`, twoEndpoints, ""), "Comment: unknown key"},
		{"bad version", strings.Replace(doc(`"StartEndpoint":"a"`, twoEndpoints, ""), "2015-10-01", "2012-10-17", 1), `AWSPolicyFormatVersion: must be "2015-10-01" or "2023-05-09", not "2012-10-17"`},
		{"missing version", `{"RecordType":"A","StartEndpoint":"a","Endpoints":{` + twoEndpoints + `}}`, "AWSPolicyFormatVersion: missing"},
		{"record type not served", strings.Replace(doc(`"StartEndpoint":"a"`, twoEndpoints, ""), `"A"`, `"NS"`, 1), `RecordType: "NS" is not a record type`},
		// Route 53's traffic policy format routes A AAAA CAA CNAME MX NAPTR PTR SPF SRV TXT only.
		{"DS not routed", strings.Replace(doc(`"StartEndpoint":"a"`, twoEndpoints, ""), `"A"`, `"DS"`, 1), `RecordType: "DS" is not a record type`},
		{"TLSA not routed", strings.Replace(doc(`"StartEndpoint":"a"`, twoEndpoints, ""), `"A"`, `"TLSA"`, 1), `RecordType: "TLSA" is not a record type`},
		{"SSHFP not routed", strings.Replace(doc(`"StartEndpoint":"a"`, twoEndpoints, ""), `"A"`, `"SSHFP"`, 1), `RecordType: "SSHFP" is not a record type`},
		{"bad NAPTR value", naptrDoc(`100 10 \"S\"`), `Endpoints.u.Value: "100 10 \"S\"" is not NAPTR data`},
		{"bad SPF value", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"SPF","StartEndpoint":"s","Endpoints":{"s":{"Type":"value","Value":""}}}`, `Endpoints.s.Value`},
		{"no start", doc(`"Endpoints":{}`, "", ""), "Document: missing StartEndpoint or StartRule"},
		{"both starts", doc(`"StartEndpoint":"a","StartRule":"r"`, twoEndpoints, ""), "StartRule: a document has StartEndpoint or StartRule, not both"},
		{"dangling start", doc(`"StartRule":"nope"`, twoEndpoints, ""), `StartRule: no rule "nope" in Rules`},
		{"elb endpoint named", doc(`"StartEndpoint":"my_elb"`, `"my_elb":{"Type":"elastic-load-balancer","Value":"elb-1.us-east-1.elb.amazonaws.com"}`, ""),
			`Endpoints.my_elb.Type: "elastic-load-balancer" endpoints name an AWS resource that only AWS resolves; coretraffic serves "value" endpoints only`},
		{"s3 endpoint", doc(`"StartEndpoint":"s"`, `"s":{"Type":"s3-website","Region":"us-east-1","Value":"www.example.com"}`, ""), `Endpoints.s.Type: "s3-website" endpoints`},
		{"unknown endpoint type", doc(`"StartEndpoint":"a"`, `"a":{"Type":"ip","Value":"192.0.2.1"}`, ""), `Endpoints.a.Type: unknown endpoint type "ip"`},
		{"bad value", doc(`"StartEndpoint":"a"`, `"a":{"Type":"value","Value":"2001:db8::1"}`, ""), `Endpoints.a.Value: "2001:db8::1" is not A data`},
		{"value with newline", doc(`"StartEndpoint":"a"`, `"a":{"Type":"value","Value":"192.0.2.1\n192.0.2.2"}`, ""), `Endpoints.a.Value: "192.0.2.1\n192.0.2.2" is not one line`},
		{"region on a value endpoint", doc(`"StartEndpoint":"a"`, `"a":{"Type":"value","Region":"us-east-1","Value":"192.0.2.1"}`, ""), "Endpoints.a.Region: only s3-website endpoints have a Region"},
		{"quoted id", doc(`"StartEndpoint":"a"`, `"a":{"Type":"value","Value":"192.0.2.1"},"x.y":{"Type":"cloudfront","Value":"d1.cloudfront.net"}`, ""), `Endpoints["x.y"].Type: "cloudfront" endpoints`},
		{"unknown rule type", doc(`"StartRule":"r"`, twoEndpoints, `"r":{"RuleType":"random"}`), `Rules.r.RuleType: unknown rule type "random"`},
		{"key of another rule type", doc(`"StartRule":"r"`, twoEndpoints, `"r":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1}],"Locations":[]}`), "Rules.r.Locations: unknown key (a weighted rule has RuleType, Items)"},
		{"failover without secondary", doc(`"StartRule":"f"`, twoEndpoints, `"f":{"RuleType":"failover","Primary":{"EndpointReference":"a"}}`), "Rules.f.Secondary: missing"},
		{"both references", failover(`{"EndpointReference":"a","RuleReference":"f"}`, `{"EndpointReference":"b"}`), "Rules.f.Primary.RuleReference: a reference has EndpointReference or RuleReference, not both"},
		{"no reference", failover(`{"HealthCheck":"h1"}`, `{"EndpointReference":"b"}`), "Rules.f.Primary: missing EndpointReference or RuleReference"},
		{"dangling endpoint", failover(`{"EndpointReference":"a"}`, `{"EndpointReference":"c"}`), `Rules.f.Secondary.EndpointReference: no endpoint "c" in Endpoints`},
		{"dangling rule", failover(`{"EndpointReference":"a"}`, `{"RuleReference":"g"}`), `Rules.f.Secondary.RuleReference: no rule "g" in Rules`},
		{"bad boolean", failover(`{"EndpointReference":"a","EvaluateTargetHealth":"yes"}`, `{"EndpointReference":"b"}`), `Rules.f.Primary.EvaluateTargetHealth: must be true or false, not "yes"`},
		{"bad health check", failover(`{"EndpointReference":"a","HealthCheck":"a&b"}`, `{"EndpointReference":"b"}`), `Rules.f.Primary.HealthCheck: "a&b" is not a health check ID`},
		{"unknown country", geo(`{"EndpointReference":"a","Country":"DE"},{"EndpointReference":"a","Country":"FR"},{"EndpointReference":"b","Country":"XX"}`), `Rules.eu.Locations[2].Country: unknown country "XX"`},
		{"unknown continent", geo(`{"EndpointReference":"a","Continent":"EA"}`), `Rules.eu.Locations[0].Continent: unknown continent "EA"`},
		{"subdivision outside US", geo(`{"EndpointReference":"a","Country":"DE","Subdivision":"HE"}`), `Rules.eu.Locations[0].Subdivision: a Subdivision needs Country "US"`},
		{"unknown subdivision", geo(`{"EndpointReference":"a","Country":"US","Subdivision":"XY"}`), `Rules.eu.Locations[0].Subdivision: unknown subdivision "XY"`},
		{"continent and country", geo(`{"EndpointReference":"a","Continent":"EU","Country":"DE"}`), "Rules.eu.Locations[0].Continent: a location has Continent or Country, not both"},
		{"default with country", geo(`{"EndpointReference":"a","IsDefault":true,"Country":"DE"}`), "Rules.eu.Locations[0]: the default location"},
		{"empty location", geo(`{"EndpointReference":"a"}`), "Rules.eu.Locations[0]: a location needs Continent, Country"},
		{"two defaults", geo(`{"EndpointReference":"a","Country":"*"},{"EndpointReference":"b","IsDefault":true}`), "Rules.eu.Locations[1]: the default is already the location of Locations[0]"},
		{"same country twice", geo(`{"EndpointReference":"a","Country":"DE"},{"EndpointReference":"b","Country":"de"}`), "Rules.eu.Locations[1]: Country DE is already the location of Locations[0]"},
		{"empty list", geo(``), "Rules.eu.Locations: must not be empty"},
		{"latency unknown region", doc(`"StartRule":"l"`, twoEndpoints, `"l":{"RuleType":"latency","Regions":[{"EndpointReference":"a","Region":"mars-north-1"}]}`), `Rules.l.Regions[0].Region: unknown AWS region "mars-north-1"`},
		{"weight out of range", doc(`"StartRule":"w"`, twoEndpoints, `"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":256}]}`), "Rules.w.Items[0].Weight: must be an integer 0..255, not 256"},
		{"weight missing", doc(`"StartRule":"w"`, twoEndpoints, `"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a"}]}`), "Rules.w.Items[0].Weight: missing"},
		{"multivalue rule reference", doc(`"StartRule":"m"`, twoEndpoints, `"m":{"RuleType":"multivalue","Items":[{"RuleReference":"m"}]}`), "Rules.m.Items[0].RuleReference: multivalue items name endpoints only"},
		{"bias out of range", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-east-1","Bias":100}]}`), "Rules.g.GeoproximityLocations[0].Bias: must be an integer -99..99, not 100"},
		{"region without prefix", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"us-east-1"}]}`), `Rules.g.GeoproximityLocations[0].Region: "us-east-1": write an AWS region as aws:route53:<region>`},
		{"three decimals", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":"51.501","Longitude":"0"}]}`), "Rules.g.GeoproximityLocations[0].Latitude: 51.501 has more than two decimals"},
		{"latitude out of range", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":91,"Longitude":0}]}`), "Rules.g.GeoproximityLocations[0].Latitude: must be −90..90 degrees, not 91"},
		{"longitude missing", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Latitude":1}]}`), "Rules.g.GeoproximityLocations[0].Longitude: missing"},
		{"Location in 2015", doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"Region","LocationName":"aws:route53:us-east-1"}}]}`), "Rules.g.GeoproximityLocations[0].Location: Location is format 2023-05-09"},
		{"local zone", strings.Replace(doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"LocalZone","LocationName":"aws:route53:us-east-1-atl-1a"}}]}`), "2015-10-01", "2023-05-09", 1),
			`Rules.g.GeoproximityLocations[0].Location.LocationName: Local Zone "aws:route53:us-east-1-atl-1a": coretraffic has no coordinates`},
		{"cycle", doc(`"StartRule":"a1"`, twoEndpoints,
			`"a1":{"RuleType":"failover","Primary":{"RuleReference":"b1"},"Secondary":{"EndpointReference":"a"}},"b1":{"RuleType":"weighted","Items":[{"RuleReference":"a1","Weight":1}]}`),
			"rules reference each other in a cycle: a1 → b1 → a1"},
		{"self reference", doc(`"StartRule":"s"`, twoEndpoints, `"s":{"RuleType":"failover","Primary":{"RuleReference":"s"},"Secondary":{"EndpointReference":"a"}}`), "Rules.s: rules reference each other in a cycle: s → s"},
		{"multivalue CNAME", `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"CNAME","StartRule":"m","Endpoints":{"a":{"Type":"value","Value":"x.example.com."}},"Rules":{"m":{"RuleType":"multivalue","Items":[{"EndpointReference":"a"}]}}}`,
			"Rules.m.RuleType: a multivalue rule cannot answer CNAME"},
		{"not UTF-8", "{\"RecordType\":\"\xff\"}", "Document: not UTF-8 text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			var de *DocError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DocError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
			if ae := de.APIError(); ae.Code != "InvalidTrafficPolicyDocument" || ae.Status != 400 {
				t.Errorf("APIError() = %+v", ae)
			}
		})
	}
}

func TestParseManyProblems(t *testing.T) {
	var eps []string
	for i := range 30 {
		eps = append(eps, `"e`+strings.Repeat("x", i)+`":{"Type":"cloudfront","Value":"d.cloudfront.net"}`)
	}
	_, err := Parse([]byte(doc(`"StartEndpoint":"e"`, strings.Join(eps, ","), "")))
	var de *DocError
	if !errors.As(err, &de) || len(de.Problems) != 30 {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasSuffix(err.Error(), "; and 10 more") || !strings.HasPrefix(err.Error(), "Endpoints.e.Type: ") {
		t.Errorf("err = %v", err)
	}
}

func TestParseTooBig(t *testing.T) {
	big := doc(`"StartEndpoint":"a"`, twoEndpoints, "") + strings.Repeat(" ", MaxDocumentSize)
	if _, err := Parse([]byte(big)); err == nil || !strings.Contains(err.Error(), "at most 102400") {
		t.Errorf("err = %v", err)
	}
}

// A rule that names the next twice, fifteen deep, would be a tree of 2^15 leaves.
func TestParseExpansionBound(t *testing.T) {
	var rules []string
	for i := range 15 {
		next := `{"RuleReference":"r` + string(rune('a'+i+1)) + `"}`
		if i == 14 {
			next = `{"EndpointReference":"a"}`
		}
		rules = append(rules, `"r`+string(rune('a'+i))+`":{"RuleType":"failover","Primary":`+next+`,"Secondary":`+next+`}`)
	}
	_, err := Parse([]byte(doc(`"StartRule":"ra"`, twoEndpoints, strings.Join(rules, ","))))
	if err == nil || !strings.Contains(err.Error(), "expands to more than 20000 policy nodes") {
		t.Errorf("err = %v", err)
	}
}

// naptrDoc is a weighted NAPTR document whose first endpoint has value u (JSON
// string contents) and whose second a good NAPTR value.
func naptrDoc(u string) string {
	return `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"NAPTR","StartRule":"w","Endpoints":{` +
		`"u":{"Type":"value","Value":"` + u + `"},"t":{"Type":"value","Value":"100 20 \"S\" \"SIP+D2T\" \"\" _sip._tcp.example.com."}},` +
		`"Rules":{"w":{"RuleType":"weighted","Items":[{"EndpointReference":"u","Weight":3},{"EndpointReference":"t","Weight":1}]}}}`
}

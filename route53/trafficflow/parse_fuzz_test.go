package trafficflow

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/policy"
)

// FuzzParse: an accepted document translates and compiles without error (every
// health check resolving); a refused one is a *DocError whose every problem has a
// path and a message.
func FuzzParse(f *testing.F) {
	for _, s := range []string{geoDoc, combinedDoc(""), combinedDoc(`,"EvaluateTargetHealth":"false"`),
		doc(`"StartEndpoint":"a"`, twoEndpoints, ""),
		doc(`"StartRule":"g"`, twoEndpoints, `"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Region":"aws:route53:us-west-1","Bias":"10"},{"EndpointReference":"b","Latitude":"51.50","Longitude":-0.16}]}`),
		doc(`"StartRule":"w"`, twoEndpoints, `"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"3","HealthCheck":"h"},{"RuleReference":"m","Weight":0,"EvaluateTargetHealth":false}]},"m":{"RuleType":"multivalue","Items":[{"EndpointReference":"b","HealthCheck":"x"}]}`),
		`{"AWSPolicyFormatVersion":"2023-05-09","RecordType":"AAAA","StartRule":"g","Endpoints":{"a":{"Type":"value","Value":"2001:db8::1"}},"Rules":{"g":{"RuleType":"geoproximity","GeoproximityLocations":[{"EndpointReference":"a","Location":{"Type":"Coordinate","Latitude":"1.5","Longitude":"2"}}]}}}`,
		`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"MX","StartEndpoint":"m","Endpoints":{"m":{"Type":"value","Value":"10 mail.example.com."}}}`,
		naptrDoc(`100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.`),
		`{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"SPF","StartEndpoint":"s","Endpoints":{"s":{"Type":"value","Value":"\"v=spf1 -all\""}}}`,
		`{"Rules":{"a":{"RuleType":"latency","Regions":[{"RuleReference":"a","Region":"us-east-1"}]}}}`,
	} {
		f.Add([]byte(s))
	}
	resolve := func(string) (policy.HealthSource, bool) { return allUp(nil), true }
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			var de *DocError
			if !errors.As(err, &de) || len(de.Problems) == 0 {
				t.Fatalf("refused without problems: %v", err)
			}
			for _, p := range de.Problems {
				if p.Path == "" || p.Msg == "" || strings.HasPrefix(p.Path, ".") {
					t.Fatalf("problem without a path or message: %+v", p)
				}
			}
			return
		}
		rs, err := RecordSet(d, "www.example.org.", 60, Options{})
		if err != nil {
			t.Fatalf("accepted but not translated: %v", err)
		}
		data2 := &policy.Data{Zones: []*policy.Zone{{Origin: "example.org.", TTL: 60, Records: []*policy.RecordSet{rs}}}}
		if _, err := policy.Compile(data2, Resolver(resolve), time.Unix(0, 0)); err != nil {
			t.Fatalf("accepted but not compiled: %v\n%s", err, data)
		}
	})
}

package checks

import (
	"strings"
	"testing"
)

func BenchmarkDecodeCreateToSpec(b *testing.B) {
	doc := `<CreateHealthCheckRequest ` + ns + `><CallerReference>r</CallerReference><HealthCheckConfig>` +
		`<IPAddress>192.0.2.1</IPAddress><Port>443</Port><Type>HTTPS_STR_MATCH</Type><ResourcePath>/health</ResourcePath>` +
		`<FullyQualifiedDomainName>www.example.org</FullyQualifiedDomainName><SearchString>ok</SearchString>` +
		`<RequestInterval>10</RequestInterval><FailureThreshold>2</FailureThreshold></HealthCheckConfig></CreateHealthCheckRequest>`
	b.ReportAllocs()
	for b.Loop() {
		req, err := DecodeCreate(strings.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		hc, _, err := Create(req, nil, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ToSpec(hc.ID, hc.HealthCheckConfig); err != nil {
			b.Fatal(err)
		}
	}
}

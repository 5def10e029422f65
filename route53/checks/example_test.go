package checks_test

import (
	"fmt"
	"strings"

	"github.com/coretraffic/coretraffic/route53/checks"
)

// A CreateHealthCheck body becomes a stored health check and an engine Spec.
func ExampleToSpec() {
	body := `<CreateHealthCheckRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <CallerReference>web-eu-1</CallerReference>
  <HealthCheckConfig>
    <IPAddress>192.0.2.10</IPAddress><Port>8080</Port><Type>HTTP_STR_MATCH</Type>
    <ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>www.example.org</FullyQualifiedDomainName>
    <SearchString>ok</SearchString><RequestInterval>10</RequestInterval>
  </HealthCheckConfig>
</CreateHealthCheckRequest>`
	req, err := checks.DecodeCreate(strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	hc, created, err := checks.Create(req, nil, false) // nil: no check with this CallerReference yet
	if err != nil {
		fmt.Println(err)
		return
	}
	spec, _ := checks.ToSpec("example-id", hc.HealthCheckConfig)
	fmt.Println(created, hc.HealthCheckVersion, hc.HealthCheckConfig.FailureThreshold)
	fmt.Println(spec.Type, spec.URL, "via", spec.Address)
	fmt.Println(spec.Interval, spec.Timeout, spec.Fall, spec.Rise, spec.Match, spec.MatchLimit)
	// Output:
	// true 1 3
	// http http://www.example.org:8080/health via 192.0.2.10
	// 10s 6s 3 3 ok 5120
}

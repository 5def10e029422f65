package transfer

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/checks"
)

// The SDK's types and ours carry the same members under the same names (Route
// 53's), so JSON converts between them: a member the SDK gains and we lack is
// dropped, never renamed.

func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}

func toSDKRecordSet(rs route53.ResourceRecordSet) (types.ResourceRecordSet, error) {
	var out types.ResourceRecordSet
	return out, convert(rs, &out)
}

func fromSDKRecordSet(rs types.ResourceRecordSet) (route53.ResourceRecordSet, error) {
	var out route53.ResourceRecordSet
	return out, convert(rs, &out)
}

func toSDKCheckConfig(c checks.HealthCheckConfig) (*types.HealthCheckConfig, error) {
	var out types.HealthCheckConfig
	return &out, convert(cliCheck(checks.HealthCheck{HealthCheckConfig: c}).HealthCheckConfig, &out)
}

func fromSDKCheck(h types.HealthCheck) (checks.HealthCheck, error) {
	var c cliHealthCheck
	if err := convert(h, &c); err != nil {
		return checks.HealthCheck{}, err
	}
	return fromCLI(c)
}

// fromCLI is a health check of the CLI's (or SDK's) members as stored.
func fromCLI(c cliHealthCheck) (checks.HealthCheck, error) {
	cc := c.HealthCheckConfig
	if present(cc.AlarmIdentifier) || cc.RoutingControlArn != "" || cc.InsufficientDataHealthStatus != "" {
		return checks.HealthCheck{}, fmt.Errorf("type %s (CloudWatch alarms, recovery controls) is not supported", cc.Type)
	}
	if !checks.ValidID(c.Id) {
		return checks.HealthCheck{}, fmt.Errorf("Id %q is not a health check ID", c.Id)
	}
	hc := checks.HealthCheck{ID: c.Id, CallerReference: c.CallerReference, HealthCheckVersion: c.HealthCheckVersion,
		HealthCheckConfig: checks.HealthCheckConfig{IPAddress: cc.IPAddress, Port: cc.Port, Type: cc.Type,
			ResourcePath: cc.ResourcePath, FullyQualifiedDomainName: cc.FullyQualifiedDomainName, SearchString: cc.SearchString,
			RequestInterval: cc.RequestInterval, FailureThreshold: cc.FailureThreshold, MeasureLatency: cc.MeasureLatency,
			Inverted: cc.Inverted, Disabled: cc.Disabled, HealthThreshold: cc.HealthThreshold,
			ChildHealthChecks: cc.ChildHealthChecks, EnableSNI: cc.EnableSNI, Regions: cc.Regions}}
	hc.HealthCheckConfig.Normalize()
	if err := hc.HealthCheckConfig.Validate(); err != nil {
		return checks.HealthCheck{}, fmt.Errorf("%s", err.Message)
	}
	if hc.HealthCheckVersion == 0 {
		hc.HealthCheckVersion = 1
	}
	return hc, nil
}

func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

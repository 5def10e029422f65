package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// Files names the aws CLI outputs an import reads.
type Files struct {
	// Zones are list-resource-record-sets outputs, one per zone: "PATH", the zone
	// being the name of the apex SOA record set in it, or "ZONE=PATH".
	Zones []string
	// Checks are list-health-checks (or get-health-check) outputs.
	Checks []string
	// Policies are get-traffic-policy or list-traffic-policy-versions outputs.
	Policies []string
	// Instances are list-traffic-policy-instances (or get-…) outputs.
	Instances []string
	// Collections are list-cidr-collections outputs; Blocks the list-cidr-blocks
	// output of each of their collections, "ID=PATH".
	Collections, Blocks []string
}

// Read reads the files into a Bundle. Record sets that a traffic policy instance
// created (TrafficPolicyInstanceId) are left out: the instance makes them.
func Read(f Files) (*Bundle, error) {
	b := &Bundle{}
	for _, arg := range f.Zones {
		z, err := ReadZoneFile(arg)
		if err != nil {
			return nil, err
		}
		for _, o := range b.Zones {
			if o.Name == z.Name {
				return nil, fmt.Errorf("%s: zone %s is in another file too", arg, z.Name)
			}
		}
		b.Zones = append(b.Zones, z)
	}
	for _, path := range f.Checks {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		hcs, err := ParseCLIHealthChecks(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.Checks = append(b.Checks, hcs...)
	}
	for _, path := range f.Policies {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		ps, err := trafficflow.ParseCLIPolicies(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.Policies = append(b.Policies, ps...)
	}
	for _, path := range f.Instances {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		ins, err := trafficflow.ParseCLIInstances(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b.Instances = append(b.Instances, ins...)
	}
	colls, err := readCollections(f.Collections, f.Blocks)
	if err != nil {
		return nil, err
	}
	b.Collections = colls
	return b, b.check()
}

// check refuses what would break on the way in: duplicate check IDs, record sets
// naming checks the bundle lacks, instances of missing policies or zones.
func (b *Bundle) check() error {
	ids := map[string]bool{}
	for _, hc := range b.Checks {
		if ids[hc.ID] {
			return fmt.Errorf("health check %s twice", hc.ID)
		}
		ids[hc.ID] = true
	}
	for _, hc := range b.Checks {
		for _, c := range hc.HealthCheckConfig.ChildHealthChecks {
			if !ids[c] {
				return fmt.Errorf("health check %s: child %s is not in the health checks read", hc.ID, c)
			}
		}
	}
	colls := map[string]bool{}
	for _, c := range b.Collections {
		colls[c.ID] = true
	}
	for _, z := range b.Zones {
		for _, rs := range z.RecordSets {
			if rs.HealthCheckId != "" && !ids[rs.HealthCheckId] {
				return fmt.Errorf("zone %s: %s %s %q uses health check %s, which is not in the health checks read", z.Name, rs.Name, rs.Type, rs.SetIdentifier, rs.HealthCheckId)
			}
			if c := rs.CidrRoutingConfig; c != nil && !colls[c.CollectionId] {
				return fmt.Errorf("zone %s: %s %s %q uses CIDR collection %s, which is not in the CIDR collections read", z.Name, rs.Name, rs.Type, rs.SetIdentifier, c.CollectionId)
			}
		}
	}
	for _, in := range b.Instances {
		if b.policyVersion(in.TrafficPolicyId, in.TrafficPolicyVersion) == nil {
			return fmt.Errorf("traffic policy instance %s: policy %s version %d is not in the traffic policies read", in.Id, in.TrafficPolicyId, in.TrafficPolicyVersion)
		}
		if b.zoneOf(in.Name) == nil {
			return fmt.Errorf("traffic policy instance %s: %s is in none of the zones read", in.Id, in.Name)
		}
	}
	return nil
}

func (b *Bundle) policy(id string) *trafficflow.Policy {
	for _, p := range b.Policies {
		if p.Id == id {
			return p
		}
	}
	return nil
}

func (b *Bundle) policyVersion(id string, v int) *trafficflow.PolicyVersion {
	for _, p := range b.Policies {
		if p.Id != id {
			continue
		}
		for i := range p.Versions {
			if p.Versions[i].Version == v {
				return &p.Versions[i]
			}
		}
	}
	return nil
}

// ReadZoneFile reads one zone's list-resource-record-sets output: arg is "PATH"
// or "ZONE=PATH".
func ReadZoneFile(arg string) (Zone, error) {
	name, path, named := strings.Cut(arg, "=")
	if !named {
		path = arg
	}
	fh, err := os.Open(path)
	if err != nil {
		return Zone{}, err
	}
	defer fh.Close()
	rrsets, err := route53.ReadCLIJSON(fh)
	if err != nil {
		return Zone{}, fmt.Errorf("%s: %w", path, err)
	}
	var kept []route53.ResourceRecordSet
	for _, rs := range rrsets {
		if rs.TrafficPolicyInstanceId == "" {
			kept = append(kept, rs)
		}
	}
	z := Zone{RecordSets: kept}
	if named {
		n, ok := route53.NormalizeName(name)
		if !ok {
			return Zone{}, fmt.Errorf("%s: zone %q is not a domain name", arg, name)
		}
		z.Name = n
	} else {
		for _, rs := range kept {
			if rs.Type == "SOA" {
				z.Name = rs.Name
			}
		}
		if z.Name == "" {
			return Zone{}, fmt.Errorf("%s: no SOA record set to name the zone: give ZONE=%s", path, path)
		}
	}
	for i, rs := range kept {
		if !inZone(rs.Name, z.Name) {
			return Zone{}, fmt.Errorf("%s: ResourceRecordSets[%d]: %s is not in zone %s", path, i, rs.Name, z.Name)
		}
	}
	return z, nil
}

// cliHealthCheck is a health check as the aws CLI prints it.
type cliHealthCheck struct {
	Id                           string
	CallerReference              string
	LinkedService                json.RawMessage `json:",omitempty"`
	HealthCheckConfig            cliCheckConfig
	HealthCheckVersion           int64
	CloudWatchAlarmConfiguration json.RawMessage `json:",omitempty"`
}

// cliCheckConfig is HealthCheckConfig under Route 53's JSON member names.
type cliCheckConfig struct {
	IPAddress                    string `json:",omitempty"`
	Port                         int    `json:",omitempty"`
	Type                         string
	ResourcePath                 string          `json:",omitempty"`
	FullyQualifiedDomainName     string          `json:",omitempty"`
	SearchString                 string          `json:",omitempty"`
	RequestInterval              int             `json:",omitempty"`
	FailureThreshold             int             `json:",omitempty"`
	MeasureLatency               *bool           `json:",omitempty"`
	Inverted                     bool            `json:"Inverted"`
	Disabled                     bool            `json:"Disabled"`
	HealthThreshold              *int            `json:",omitempty"`
	ChildHealthChecks            []string        `json:",omitempty"`
	EnableSNI                    *bool           `json:",omitempty"`
	Regions                      []string        `json:",omitempty"`
	AlarmIdentifier              json.RawMessage `json:",omitempty"`
	InsufficientDataHealthStatus string          `json:",omitempty"`
	RoutingControlArn            string          `json:",omitempty"`
}

// cliHealthChecks is list-health-checks' output (HealthChecks) or
// get-health-check's (HealthCheck).
type cliHealthChecks struct {
	HealthChecks []cliHealthCheck `json:",omitempty"`
	HealthCheck  *cliHealthCheck  `json:",omitempty"`
	Marker       *string          `json:",omitempty"`
	NextMarker   *string          `json:",omitempty"`
	IsTruncated  *bool            `json:",omitempty"`
	MaxItems     *string          `json:",omitempty"`
}

// ParseCLIHealthChecks reads list-health-checks (or get-health-check) output.
// Types coretraffic cannot probe (CLOUDWATCH_METRIC, RECOVERY_CONTROL) are errors,
// as is a config Route 53 would refuse.
func ParseCLIHealthChecks(data []byte) ([]checks.HealthCheck, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc cliHealthChecks
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("health check JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("health check JSON: more than one document")
	}
	list := doc.HealthChecks
	if doc.HealthCheck != nil {
		list = append(list, *doc.HealthCheck)
	}
	if list == nil && doc.HealthChecks == nil {
		return nil, errors.New("health check JSON: no HealthChecks or HealthCheck member")
	}
	var out []checks.HealthCheck
	for i, c := range list {
		hc, err := fromCLI(c)
		if err != nil {
			return nil, fmt.Errorf("HealthChecks[%d] (%s): %w", i, c.Id, err)
		}
		out = append(out, hc)
	}
	return out, nil
}

// cliCheck is hc as the aws CLI prints it.
func cliCheck(hc checks.HealthCheck) cliHealthCheck {
	c := hc.HealthCheckConfig
	return cliHealthCheck{Id: hc.ID, CallerReference: hc.CallerReference, HealthCheckVersion: hc.HealthCheckVersion,
		HealthCheckConfig: cliCheckConfig{IPAddress: c.IPAddress, Port: c.Port, Type: c.Type, ResourcePath: c.ResourcePath,
			FullyQualifiedDomainName: c.FullyQualifiedDomainName, SearchString: c.SearchString, RequestInterval: c.RequestInterval,
			FailureThreshold: c.FailureThreshold, MeasureLatency: c.MeasureLatency, Inverted: c.Inverted, Disabled: c.Disabled,
			HealthThreshold: c.HealthThreshold, ChildHealthChecks: c.ChildHealthChecks, EnableSNI: c.EnableSNI, Regions: c.Regions}}
}

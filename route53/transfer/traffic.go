package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// plainRecordSets are a zone's record sets but those traffic policy instances made
// (TrafficPolicyInstanceId): list-resource-record-sets shows those, and the
// instances make them again.
func plainRecordSets(z *Zone) []route53.ResourceRecordSet {
	out := make([]route53.ResourceRecordSet, 0, len(z.RecordSets))
	for _, rs := range z.RecordSets {
		if rs.TrafficPolicyInstanceId == "" {
			out = append(out, rs)
		}
	}
	return out
}

// importTraffic creates b's traffic policies (each version in order: Route 53
// numbers versions, so deleted versions' gaps close) with the health check IDs in
// their documents rewritten to the imported checks', then the instances in the
// imported zones. IDs the server gave are recorded in out.
func (c *Client) importTraffic(ctx context.Context, b *Bundle, out *Imported) error {
	versions := map[string]map[int]int{} // policy ID → version → new version
	for _, p := range b.Policies {
		versions[p.Id] = map[int]int{}
		for i, v := range p.Versions {
			doc := v.Document
			for old, nid := range out.CheckIDs {
				doc = strings.ReplaceAll(doc, old, nid)
			}
			var tp *types.TrafficPolicy
			if i == 0 {
				res, err := c.R53.CreateTrafficPolicy(ctx, &r53.CreateTrafficPolicyInput{Name: aws.String(p.Name), Document: aws.String(doc), Comment: optional(v.Comment)})
				if err != nil {
					return fmt.Errorf("traffic policy %s (%s): %w", p.Id, p.Name, err)
				}
				tp = res.TrafficPolicy
				out.PolicyIDs[p.Id] = aws.ToString(tp.Id)
			} else {
				res, err := c.R53.CreateTrafficPolicyVersion(ctx, &r53.CreateTrafficPolicyVersionInput{Id: aws.String(out.PolicyIDs[p.Id]), Document: aws.String(doc), Comment: optional(v.Comment)})
				if err != nil {
					return fmt.Errorf("traffic policy %s (%s) version %d: %w", p.Id, p.Name, v.Version, err)
				}
				tp = res.TrafficPolicy
			}
			versions[p.Id][v.Version] = int(aws.ToInt32(tp.Version))
		}
	}
	for _, in := range b.Instances {
		z := b.zoneOf(in.Name)
		res, err := c.R53.CreateTrafficPolicyInstance(ctx, &r53.CreateTrafficPolicyInstanceInput{
			HostedZoneId: aws.String(out.ZoneIDs[z.Name]), Name: aws.String(in.Name), TTL: aws.Int64(in.TTL),
			TrafficPolicyId: aws.String(out.PolicyIDs[in.TrafficPolicyId]), TrafficPolicyVersion: aws.Int32(int32(versions[in.TrafficPolicyId][in.TrafficPolicyVersion]))})
		if err != nil {
			return fmt.Errorf("traffic policy instance %s (%s): %w", in.Id, in.Name, err)
		}
		out.InstanceIDs[in.Id] = aws.ToString(res.TrafficPolicyInstance.Id)
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// exportTraffic reads the server's traffic policies (every version) and instances.
func (c *Client) exportTraffic(ctx context.Context, b *Bundle) error {
	var tps []types.TrafficPolicy
	in := &r53.ListTrafficPoliciesInput{}
	for {
		page, err := c.R53.ListTrafficPolicies(ctx, in)
		if err != nil {
			return err
		}
		for _, s := range page.TrafficPolicySummaries {
			vin := &r53.ListTrafficPolicyVersionsInput{Id: s.Id}
			for {
				vp, err := c.R53.ListTrafficPolicyVersions(ctx, vin)
				if err != nil {
					return fmt.Errorf("traffic policy %s: %w", aws.ToString(s.Id), err)
				}
				tps = append(tps, vp.TrafficPolicies...)
				if !vp.IsTruncated {
					break
				}
				vin.TrafficPolicyVersionMarker = vp.TrafficPolicyVersionMarker
			}
		}
		if !page.IsTruncated {
			break
		}
		in.TrafficPolicyIdMarker = page.TrafficPolicyIdMarker
	}
	if len(tps) > 0 {
		data, err := json.Marshal(map[string]any{"TrafficPolicies": tps})
		if err != nil {
			return err
		}
		if b.Policies, err = trafficflow.ParseCLIPolicies(data); err != nil {
			return err
		}
	}
	var ins []types.TrafficPolicyInstance
	iin := &r53.ListTrafficPolicyInstancesInput{}
	for {
		page, err := c.R53.ListTrafficPolicyInstances(ctx, iin)
		if err != nil {
			return err
		}
		ins = append(ins, page.TrafficPolicyInstances...)
		if !page.IsTruncated {
			break
		}
		iin.HostedZoneIdMarker, iin.TrafficPolicyInstanceNameMarker, iin.TrafficPolicyInstanceTypeMarker =
			page.HostedZoneIdMarker, page.TrafficPolicyInstanceNameMarker, page.TrafficPolicyInstanceTypeMarker
	}
	if len(ins) > 0 {
		data, err := json.Marshal(map[string]any{"TrafficPolicyInstances": ins})
		if err != nil {
			return err
		}
		if b.Instances, err = trafficflow.ParseCLIInstances(data); err != nil {
			return err
		}
	}
	return nil
}

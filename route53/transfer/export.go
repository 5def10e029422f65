package transfer

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/coretraffic/coretraffic/route53"
)

// Export reads the server's hosted zones (every record set, paged as the aws CLI
// pages; those of traffic policy instances too, as list-resource-record-sets shows
// them), health checks, traffic policies and instances into a Bundle.
func (c *Client) Export(ctx context.Context) (*Bundle, error) {
	b := &Bundle{}
	zones := r53.NewListHostedZonesPaginator(c.R53, &r53.ListHostedZonesInput{})
	for zones.HasMorePages() {
		page, err := zones.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, hz := range page.HostedZones {
			id := route53.TrimZoneID(aws.ToString(hz.Id))
			name, _ := route53.NormalizeName(aws.ToString(hz.Name))
			z := Zone{Name: name, ID: id}
			if err := c.exportRecordSets(ctx, &z); err != nil {
				return nil, fmt.Errorf("zone %s (%s): %w", name, id, err)
			}
			b.Zones = append(b.Zones, z)
		}
	}
	hcs := r53.NewListHealthChecksPaginator(c.R53, &r53.ListHealthChecksInput{})
	for hcs.HasMorePages() {
		page, err := hcs.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range page.HealthChecks {
			hc, err := fromSDKCheck(h)
			if err != nil {
				return nil, fmt.Errorf("health check %s: %w", aws.ToString(h.Id), err)
			}
			b.Checks = append(b.Checks, hc)
		}
	}
	colls, err := c.exportCollections(ctx)
	if err != nil {
		return nil, err
	}
	b.Collections = colls
	return b, c.exportTraffic(ctx, b)
}

func (c *Client) exportRecordSets(ctx context.Context, z *Zone) error {
	in := &r53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.ID)}
	for {
		page, err := c.R53.ListResourceRecordSets(ctx, in)
		if err != nil {
			return err
		}
		for _, s := range page.ResourceRecordSets {
			rs, err := fromSDKRecordSet(s)
			if err != nil {
				return err
			}
			z.RecordSets = append(z.RecordSets, rs)
		}
		if !page.IsTruncated {
			return nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

package transfer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/route53"
)

// Imported is what an import did.
type Imported struct {
	// CheckIDs maps each health check's ID in the bundle to its ID on the server:
	// Route 53 chooses IDs, so record sets' HealthCheckId (and calculated checks'
	// children) are rewritten to these.
	CheckIDs map[string]string
	// ZoneIDs maps each zone's name to its ID on the server; Created says which the
	// import created.
	ZoneIDs map[string]string
	Created map[string]bool
	// Changes are the IDs of the change batches applied, in order.
	Changes []string
	// PolicyIDs and InstanceIDs map traffic policies' and instances' IDs to the
	// server's.
	PolicyIDs, InstanceIDs map[string]string
	// CollectionIDs maps CIDR collections' IDs to the server's; record sets'
	// CidrRoutingConfig is rewritten to them.
	CollectionIDs map[string]string
}

// Import writes b through the API: health checks first (children before the
// calculated checks that use them; a check's CallerReference is kept, so importing
// again finds the checks it created), then per zone the hosted zone (created when
// no zone has its name) and its record sets in batches within Route 53's limits
// (route53.ImportBatches: CREATE into a new zone, UPSERT into an existing one; the
// apex SOA and NS are UPSERTs), then traffic policies and their instances (see
// importTraffic). Record sets instances made are left to the instances.
func (c *Client) Import(ctx context.Context, b *Bundle) (*Imported, error) {
	out := &Imported{CheckIDs: map[string]string{}, ZoneIDs: map[string]string{}, Created: map[string]bool{},
		PolicyIDs: map[string]string{}, InstanceIDs: map[string]string{}, CollectionIDs: map[string]string{}}
	ordered, err := orderChecks(b.Checks)
	if err != nil {
		return nil, err
	}
	for _, h := range ordered {
		cfg := h.HealthCheckConfig
		cfg.ChildHealthChecks = nil
		for _, child := range h.HealthCheckConfig.ChildHealthChecks {
			cfg.ChildHealthChecks = append(cfg.ChildHealthChecks, out.CheckIDs[child])
		}
		sdkCfg, err := toSDKCheckConfig(cfg)
		if err != nil {
			return nil, err
		}
		ref := h.CallerReference
		if ref == "" {
			ref = "import-" + h.ID
		}
		res, err := c.R53.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String(ref), HealthCheckConfig: sdkCfg})
		if err != nil {
			return out, fmt.Errorf("health check %s (%s): %w", h.ID, ref, err)
		}
		out.CheckIDs[h.ID] = aws.ToString(res.HealthCheck.Id)
	}
	if err := c.importCollections(ctx, b.Collections, out); err != nil {
		return out, err
	}
	for _, z := range b.Zones {
		if err := c.importZone(ctx, z, out); err != nil {
			return out, fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	return out, c.importTraffic(ctx, b, out)
}

func (c *Client) importZone(ctx context.Context, z Zone, out *Imported) error {
	id, err := c.zoneID(ctx, z.Name)
	if err != nil {
		return err
	}
	if id == "" {
		res, err := c.R53.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String(z.Name),
			CallerReference: aws.String(fmt.Sprintf("import %s %d", z.Name, time.Now().UnixNano()))})
		if err != nil {
			return err
		}
		id = route53.TrimZoneID(aws.ToString(res.HostedZone.Id))
		out.Created[z.Name] = true
	}
	out.ZoneIDs[z.Name] = id
	rrsets := make([]route53.ResourceRecordSet, 0, len(z.RecordSets))
	for _, rs := range plainRecordSets(&z) {
		if rs.HealthCheckId != "" {
			nid, ok := out.CheckIDs[rs.HealthCheckId]
			if !ok {
				return fmt.Errorf("%s %s %q: health check %s is not imported", rs.Name, rs.Type, rs.SetIdentifier, rs.HealthCheckId)
			}
			rs.HealthCheckId = nid
		}
		if cr := rs.CidrRoutingConfig; cr != nil {
			nid, ok := out.CollectionIDs[cr.CollectionId]
			if !ok {
				return fmt.Errorf("%s %s %q: CIDR collection %s is not imported", rs.Name, rs.Type, rs.SetIdentifier, cr.CollectionId)
			}
			rs.CidrRoutingConfig = &route53.CidrRoutingConfig{CollectionId: nid, LocationName: cr.LocationName}
		}
		rrsets = append(rrsets, rs)
	}
	changes := route53.ImportRecordSets(&route53.Zone{ID: id, Name: z.Name}, rrsets)
	if !out.Created[z.Name] {
		for i := range changes {
			changes[i].Action = route53.ActionUpsert
		}
	}
	for _, cb := range route53.ImportBatches(changes) {
		batch := &types.ChangeBatch{Comment: aws.String(cb.Comment)}
		for _, ch := range cb.Changes {
			rs, err := toSDKRecordSet(ch.ResourceRecordSet)
			if err != nil {
				return err
			}
			batch.Changes = append(batch.Changes, types.Change{Action: types.ChangeAction(ch.Action), ResourceRecordSet: &rs})
		}
		res, err := c.R53.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(id), ChangeBatch: batch})
		if err != nil {
			return fmt.Errorf("batch %q: %w", cb.Comment, err)
		}
		out.Changes = append(out.Changes, strings.TrimPrefix(aws.ToString(res.ChangeInfo.Id), "/change/"))
	}
	return nil
}

// zoneID is the ID of the hosted zone named name, "" when there is none.
func (c *Client) zoneID(ctx context.Context, name string) (string, error) {
	res, err := c.R53.ListHostedZonesByName(ctx, &r53.ListHostedZonesByNameInput{DNSName: aws.String(name), MaxItems: aws.Int32(1)})
	if err != nil {
		return "", err
	}
	for _, hz := range res.HostedZones {
		if n, _ := route53.NormalizeName(aws.ToString(hz.Name)); n == name {
			return route53.TrimZoneID(aws.ToString(hz.Id)), nil
		}
	}
	return "", nil
}

// WaitInsync waits until the server answers with every change (GetChange INSYNC).
func (c *Client) WaitInsync(ctx context.Context, ids []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, id := range ids {
		for {
			res, err := c.R53.GetChange(ctx, &r53.GetChangeInput{Id: aws.String(id)})
			if err != nil {
				return err
			}
			if res.ChangeInfo.Status == types.ChangeStatusInsync {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("change %s still %s after %v", id, res.ChangeInfo.Status, timeout)
			}
			time.Sleep(200 * time.Millisecond) // well within the server's request rate
		}
	}
	return nil
}

package api_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestDeleteZoneReleasesHealthChecks: the apex SOA and NS may carry a health check;
// deleting the zone deletes them, so the check is no longer in use (the hcref/
// index entries go with the record sets).
func TestDeleteZoneReleasesHealthChecks(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	portNum, _ := strconv.Atoi(port)

	for i, typ := range []types.RRType{types.RRTypeNs, types.RRTypeSoa} {
		t.Run(string(typ), func(t *testing.T) {
			ref := "dz-" + string(typ)
			z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("dz" + strconv.Itoa(i) + ".example"), CallerReference: aws.String(ref)})
			if err != nil {
				t.Fatal(err)
			}
			h, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(ref),
				HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(int32(portNum))}})
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id})
			if err != nil {
				t.Fatal(err)
			}
			var apex *types.ResourceRecordSet
			for j := range list.ResourceRecordSets {
				if list.ResourceRecordSets[j].Type == typ {
					apex = &list.ResourceRecordSets[j]
				}
			}
			if apex == nil {
				t.Fatalf("no apex %s in %+v", typ, list.ResourceRecordSets)
			}
			apex.HealthCheckId = h.HealthCheck.Id
			if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
				ChangeBatch: change(types.ChangeActionUpsert, *apex)}); err != nil {
				t.Fatal(err)
			}
			_, err = c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: h.HealthCheck.Id})
			if errCode(err) != "HealthCheckInUse" {
				t.Fatalf("delete of the check the apex %s uses: %v, want HealthCheckInUse", typ, err)
			}
			if want := "[name='dz" + strconv.Itoa(i) + ".example.', type='" + string(typ) + "']"; !strings.Contains(err.Error(), want) || strings.ContainsRune(err.Error(), '\uFFFD') {
				t.Errorf("HealthCheckInUse: %v, want the record set named as %s", err, want)
			}
			if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: z.HostedZone.Id}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: h.HealthCheck.Id}); err != nil {
				t.Errorf("delete of the check after its zone was deleted: %v", err)
			}
		})
	}
}

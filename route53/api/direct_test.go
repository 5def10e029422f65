package api_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// The operations for callers authenticated elsewhere run the HTTP operations' code:
// a plan is refused as the batch would be and changes nothing; an accepted plan
// lists what would change; ChangeRecordSets logs the caller it is given.
func TestDirectOperations(t *testing.T) {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep := replica.New(st, hc.New(hc.Options{}), "direct-test", t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	defer func() { cancel(); <-done }()
	keys, _ := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	s := api.New(api.Config{Store: st, Replica: rep, Keys: keys, Auth: sigv4.Options{Rate: -1}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := r53.New(r53.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, ""), Retryer: aws.NopRetryer{}})
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("example.com."), CallerReference: aws.String("direct")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
	w := func(weight int64) *route53.ChangeBatch {
		return &route53.ChangeBatch{Comment: "w", Changes: []route53.Change{{Action: route53.ActionUpsert, ResourceRecordSet: route53.ResourceRecordSet{
			Name: "w.example.com.", Type: "A", SetIdentifier: "a", Weight: &weight, TTL: aws.Int64(60),
			ResourceRecords: []route53.ResourceRecord{{Value: "192.0.2.1"}}}}}}
	}
	rev := st.Revision()
	if _, aerr := s.PlanRecordSets(ctx, zoneID, w(300)); aerr == nil || aerr.Code != "InvalidInput" || !strings.Contains(aerr.Message, "weight") {
		t.Fatalf("plan of weight 300: %v", aerr)
	}
	p, aerr := s.PlanRecordSets(ctx, zoneID, w(10))
	if aerr != nil || len(p.Before) != 0 || len(p.After) != 1 || *p.After[0].Weight != 10 || p.ZoneID != zoneID {
		t.Fatalf("plan: %+v %v", p, aerr)
	}
	if st.Revision() != rev {
		t.Fatal("a plan changed the store")
	}
	info, aerr := s.ChangeRecordSets(ctx, "AKIDCONSOLEUSER", zoneID, w(10))
	if aerr != nil || st.Revision() == rev {
		t.Fatalf("change: %v", aerr)
	}
	p, aerr = s.PlanRecordSets(ctx, zoneID, w(20))
	if aerr != nil || len(p.Before) != 1 || *p.Before[0].Weight != 10 || *p.After[0].Weight != 20 {
		t.Fatalf("plan over the change: %+v %v", p, aerr)
	}
	log, aerr := s.ListChanges(ctx, zoneID, time.Time{}, 10)
	if aerr != nil || len(log.Changes) == 0 || log.Changes[0].Caller != "AKIDCONSOLEUSER" || "/change/"+log.Changes[0].Id != info.Id {
		t.Fatalf("change log %+v %v", log, aerr)
	}
	if _, aerr := s.ListChanges(ctx, "", time.Time{}, 0); aerr == nil {
		t.Fatal("ListChanges of 0 items")
	}
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	defer rcancel()
	rep.WaitServed(rctx, st.Revision())
	if got, aerr := s.GetChange(ctx, info.Id); aerr != nil || got.Status != route53.StatusInsync {
		t.Fatalf("GetChange %+v %v", got, aerr)
	}
	rv, aerr := s.RevertChange(ctx, "AKIDCONSOLEUSER", log.Changes[0].Id)
	if aerr != nil || !strings.HasPrefix(rv.Comment, "revert of") {
		t.Fatalf("revert %+v %v", rv, aerr)
	}
}

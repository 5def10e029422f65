package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

const (
	testKey    = "AKIDAPITEST"
	testSecret = "api-test-secret"
)

// apiServer is a Route 53 API on a real bbolt store with a running replica.
type apiServer struct {
	url     string
	replica *replica.Replica
	store   *boltstore.Store
}

func (s *apiServer) revision(t *testing.T) int64 {
	t.Helper()
	return s.store.Revision()
}

func startAPI(t *testing.T) *apiServer {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	engine := hc.New(hc.Options{})
	rep := replica.New(st, engine, "api-test", t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: st, Replica: rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1}}))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		st.Close()
	})
	return &apiServer{url: srv.URL, replica: rep, store: st}
}

func (s *apiServer) client(secret string) *route53.Client {
	return route53.New(route53.Options{BaseEndpoint: aws.String(s.url), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testKey, secret, ""),
		Retryer:     aws.NopRetryer{}})
}

// insyncWait bounds insync: a correctness wait, not a latency goal (bench/api
// measures that). A 98,000-node alias tree compiles in about a second alone but
// took over 5 s on a 2-core machine at load 22.
const insyncWait = 30 * time.Second

func insync(t *testing.T, c *route53.Client, id *string) {
	t.Helper()
	deadline := time.Now().Add(insyncWait)
	for {
		out, err := c.GetChange(context.Background(), &route53.GetChangeInput{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		if out.ChangeInfo.Status == types.ChangeStatusInsync {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("change %s still %s after %v", aws.ToString(id), out.ChangeInfo.Status, insyncWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func rrset(name, setID string, weight int64, check, value string) types.ResourceRecordSet {
	rs := types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, TTL: aws.Int64(30),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}
	if setID != "" {
		rs.SetIdentifier, rs.Weight = aws.String(setID), aws.Int64(weight)
	}
	if check != "" {
		rs.HealthCheckId = aws.String(check)
	}
	return rs
}

func change(action types.ChangeAction, rs ...types.ResourceRecordSet) *types.ChangeBatch {
	cb := &types.ChangeBatch{}
	for i := range rs {
		cb.Changes = append(cb.Changes, types.Change{Action: action, ResourceRecordSet: &rs[i]})
	}
	return cb
}

// errCode is the Route 53 error code the SDK parsed from an error answer.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("not an API error: %v", err)
}

func TestAPIZonesRecordsChanges(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()

	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("Example.ORG"), CallerReference: aws.String("ref-1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(z.HostedZone.Name) != "example.org." || len(z.DelegationSet.NameServers) != 4 {
		t.Fatalf("CreateHostedZone: %+v %+v", z.HostedZone, z.DelegationSet)
	}
	zoneID := z.HostedZone.Id
	insync(t, c, z.ChangeInfo.Id)
	if _, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("other.org"), CallerReference: aws.String("ref-1")}); errCode(err) != "HostedZoneAlreadyExists" {
		t.Errorf("reused caller reference: %v", err)
	}

	// A probed endpoint for the health check of one of a weighted pair.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "OK") }))
	t.Cleanup(func() { ln.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	var portNum int32
	fmt.Sscan(port, &portNum)
	hcOut, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("hc-1"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(portNum),
			ResourcePath: aws.String("/health"), RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	checkID := aws.ToString(hcOut.HealthCheck.Id)

	batch := change(types.ChangeActionCreate,
		rrset("www.example.org", "a", 70, checkID, "192.0.2.1"),
		rrset("www.example.org", "b", 30, "", "192.0.2.2"),
		rrset("static.example.org", "", 0, "", "192.0.2.3"))
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: batch})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChangeInfo.Status != types.ChangeStatusPending && out.ChangeInfo.Status != types.ChangeStatusInsync {
		t.Errorf("ChangeInfo %+v", out.ChangeInfo)
	}
	insync(t, c, out.ChangeInfo.Id)

	// The replica serves what the API acknowledged.
	snap := s.replica.Current().Snap
	zone := snap.Zone("www.example.org.")
	if zone == nil || zone.Set("www.example.org.", dns.TypeA) == nil || zone.Set("static.example.org.", dns.TypeA) == nil {
		t.Fatalf("the replica serves %v", snap.Origins())
	}

	// The same batch again is refused whole with Route 53's message; nothing changes.
	_, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: batch})
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) || len(icb.Messages) != 3 || !strings.Contains(icb.Messages[0], "but it already exists") {
		t.Fatalf("repeated batch: %v", err)
	}

	// Listing: Route 53's order, paged.
	var got []string
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: zoneID, MaxItems: aws.Int32(2)}
	for pages := 0; ; pages++ {
		page, err := c.ListResourceRecordSets(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range page.ResourceRecordSets {
			got = append(got, aws.ToString(rs.Name)+"/"+string(rs.Type)+"/"+aws.ToString(rs.SetIdentifier))
		}
		if !page.IsTruncated {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
	want := "example.org./NS/ example.org./SOA/ static.example.org./A/ www.example.org./A/a www.example.org./A/b"
	if strings.Join(got, " ") != want {
		t.Errorf("ListResourceRecordSets:\n got %s\nwant %s", strings.Join(got, " "), want)
	}

	// UPSERT and DELETE reach the replica; the deleted name is gone.
	up, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: &types.ChangeBatch{Changes: []types.Change{
		{Action: types.ChangeActionUpsert, ResourceRecordSet: ptr(rrset("static.example.org", "", 0, "", "192.0.2.99"))},
		{Action: types.ChangeActionDelete, ResourceRecordSet: ptr(rrset("www.example.org", "b", 30, "", "192.0.2.2"))},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, up.ChangeInfo.Id)
	zone = s.replica.Current().Snap.Zone("static.example.org.")
	if v := zone.Set("static.example.org.", dns.TypeA).Tree.Endpoints; len(v) != 1 || v[0].Value != "192.0.2.99" {
		t.Errorf("after UPSERT static answers %v", v)
	}

	// Refusals with Route 53's codes, and nothing changed.
	if _, err := c.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("ZNOSUCHZONE1")}); errCode(err) != "NoSuchHostedZone" {
		t.Errorf("unknown zone: %v", err)
	}
	if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: zoneID}); errCode(err) != "HostedZoneNotEmpty" {
		t.Errorf("delete of a zone with records: %v", err)
	}
	if _, err := c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: aws.String(checkID)}); errCode(err) != "HealthCheckInUse" {
		t.Errorf("delete of a check in use: %v", err)
	}
	_, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID,
		ChangeBatch: change(types.ChangeActionCreate, rrset("x.example.org", "w", 256, "", "192.0.2.4"))})
	if errCode(err) != "InvalidInput" {
		t.Errorf("weight 256: %v", err)
	}
	if _, err := s.client("wrong-secret").ListHostedZones(ctx, &route53.ListHostedZonesInput{}); errCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v", err)
	}
	zones, err := c.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	if err != nil || len(zones.HostedZones) != 1 || aws.ToInt64(zones.HostedZones[0].ResourceRecordSetCount) != 4 {
		t.Errorf("ListHostedZones: %+v %v", zones, err)
	}

	// Health check status: this server's observation.
	st, err := c.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: aws.String(checkID)})
	if err != nil || len(st.HealthCheckObservations) != 1 {
		t.Fatalf("GetHealthCheckStatus: %+v %v", st, err)
	}
}

func ptr[T any](v T) *T { return &v }

package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/route53/vantage"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// TestHealthListsPeerReplicas: two replicas share one etcd; the console of the
// first lists, beside its own probes, the second replica's observation of the
// same check, under that replica's vantage name.
func TestHealthListsPeerReplicas(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	if err != nil {
		t.Fatal(err)
	}
	type site struct {
		st  *etcdstore.Store
		rep *replica.Replica
		eng *hc.Engine
	}
	start := func(region string) site {
		st, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{m.ClientURL},
			Prefix: "/console-vantage/", Member: region, PresenceTTL: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		eng := hc.New(hc.Options{})
		rep, err := replica.NewWithOptions(st, eng, replica.Options{Owner: "console-" + region, Logf: t.Logf,
			Vantage: vantage.Options{Region: region, Heartbeat: 100 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); rep.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done; st.Close() })
		return site{st, rep, eng}
	}
	eu := start("eu-central-1")
	start("us-east-1") // the peer: its own engine probes the same target

	apiSrv := httptest.NewServer(api.New(api.Config{Store: eu.st, Replica: eu.rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1}}))
	defer apiSrv.Close()
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer target.Close()
	u, _ := url.Parse(target.URL)
	port, _ := strconv.Atoi(u.Port())
	client := r53.New(r53.Options{BaseEndpoint: aws.String(apiSrv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, ""), Retryer: aws.NopRetryer{}})
	out, err := client.CreateHealthCheck(context.Background(), &r53.CreateHealthCheckInput{CallerReference: aws.String("peer"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String(u.Hostname()),
			Port: aws.Int32(int32(port)), RequestInterval: aws.Int32(10)}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.HealthCheck.Id)

	c := New(Config{Store: eu.st, Replica: eu.rep, Engine: eu.eng, Keys: keys, Logf: t.Logf})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	f := &fixture{t: t, srv: httptest.NewServer(c)}
	defer f.srv.Close()
	b := f.browser().login()

	var peer checkerDoc
	deadline := time.Now().Add(15 * time.Second)
	for peer.ID == "" {
		var doc struct{ Checks []checkDoc }
		b.get("/api/health", &doc)
		for _, ck := range doc.Checks {
			if ck.Name != id {
				continue
			}
			if ck.CallerReference != "peer" || len(ck.Checkers) == 0 || ck.Checkers[0].ID != "local" {
				t.Fatalf("check %s: %+v, want caller reference peer and this process first", id, ck)
			}
			for _, k := range ck.Checkers[1:] {
				if k.ID == "us-east-1 127.0.0.1" && k.Status != "" {
					peer = k
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the us-east-1 replica's observation of %s never listed: %+v", id, doc.Checks)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !peer.Up || peer.Status != "Success: TCP connection established" || peer.CheckedTime == nil || peer.CheckedTime.IsZero() {
		t.Errorf("peer observation %+v, want up, Route 53's TCP success text and its time", peer)
	}
}

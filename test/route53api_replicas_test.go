package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// TestRoute53APIReplicas is issue 12 through the binary: two coretraffic processes
// on one etcd. A change made through one's API is answered by the other, and
// GetChange says INSYNC on both once both serve it; when one is killed, its lease
// expires and changes are INSYNC again without it. A server restarted while etcd is
// down serves its snapshot, and follows etcd once it is back.
func TestRoute53APIReplicas(t *testing.T) {
	bin := e2e.CoreTraffic(t)
	etcd := etcdtest.Start(t, etcdtest.Config{})
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDREP\naws_secret_access_key = rep-secret\n"), 0o600)
	type server struct {
		s        *e2e.Server
		dns      string
		api      *route53.Client
		name     string
		corefile string
		metrics  string // the prometheus endpoint
	}
	start := func(name string) *server {
		dnsPort, apiPort, metricsPort := e2e.FreePort(t), e2e.FreePort(t), e2e.FreePort(t)
		store := fmt.Sprintf("store etcd {\n            endpoint %s\n            prefix /e2e/\n            snapshot %s\n            name %s\n        }",
			etcd.ClientURL, filepath.Join(dir, name+".snapshot"), name)
		corefile := fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    prometheus 127.0.0.1:%d\n    route53api 127.0.0.1:%d {\n        %s\n        credentials %s\n    }\n    policy {\n        %s\n    }\n}\n",
			dnsPort, metricsPort, apiPort, store, creds, store)
		addr := fmt.Sprintf("127.0.0.1:%d", dnsPort)
		return &server{s: e2e.Start(t, bin, corefile, dir, addr), dns: addr, name: name, corefile: corefile, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
			api: route53.New(route53.Options{BaseEndpoint: aws.String(fmt.Sprintf("http://127.0.0.1:%d", apiPort)), Region: "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider("AKIDREP", "rep-secret", "")})}
	}
	a, b := start("a"), start("b")
	ctx := context.Background()

	z, err := a.api.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("rep.example"), CallerReference: aws.String("rep-1")})
	if err != nil {
		t.Fatalf("%v\n%s", err, a.s.Output())
	}
	upsert := func(via *server, ip string) (string, time.Time) {
		t.Helper()
		out, err := via.api.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
			ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{
				Name: aws.String("www.rep.example"), Type: types.RRTypeA, TTL: aws.Int64(60),
				ResourceRecords: []types.ResourceRecord{{Value: aws.String(ip)}}}}}}})
		if err != nil {
			t.Fatalf("UPSERT via %s: %v\n%s", via.name, err, via.s.Output())
		}
		return aws.ToString(out.ChangeInfo.Id), time.Now()
	}
	status := func(via *server, id string) types.ChangeStatus {
		out, err := via.api.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetChange via %s: %v", via.name, err)
		}
		return out.ChangeInfo.Status
	}
	answers := func(s *server) string {
		r, _, err := (&dns.Client{Timeout: time.Second}).Exchange(new(dns.Msg).SetQuestion("www.rep.example.", dns.TypeA), s.dns)
		if err != nil || len(r.Answer) != 1 {
			return ""
		}
		return r.Answer[0].(*dns.A).A.String()
	}

	id, acked := upsert(a, "192.0.2.1")
	waitFor(t, "INSYNC on a", 10*time.Second, func() bool { return status(a, id) == types.ChangeStatusInsync })
	insync := time.Since(acked)
	if got := answers(b); got != "192.0.2.1" {
		t.Fatalf("INSYNC on a, but b answers %q\n--- b ---\n%s", got, b.s.Output())
	}
	if got := status(b, id); got != types.ChangeStatusInsync {
		t.Errorf("GetChange via b: %s", got)
	}
	t.Logf("UPSERT via a: INSYNC %v after the ack, answered by b", insync)

	// Through b, answered by a.
	id, acked = upsert(b, "192.0.2.2")
	waitFor(t, "INSYNC on b", 10*time.Second, func() bool { return status(b, id) == types.ChangeStatusInsync })
	t.Logf("UPSERT via b: INSYNC %v after the ack", time.Since(acked))
	if got := answers(a); got != "192.0.2.2" {
		t.Fatalf("INSYNC on b, but a answers %q", got)
	}

	// b dies without a goodbye: its lease (5 s) expires and a's changes are INSYNC again.
	b.s.Signal(syscall.SIGKILL)
	b.s.Wait(10 * time.Second)
	id, acked = upsert(a, "192.0.2.3")
	waitFor(t, "INSYNC without b", 15*time.Second, func() bool { return status(a, id) == types.ChangeStatusInsync })
	t.Logf("after b's SIGKILL: INSYNC %v after the ack (b's lease expiring)", time.Since(acked))
	if got := answers(a); got != "192.0.2.3" {
		t.Errorf("a answers %q", got)
	}

	// a stops (its snapshot written at shutdown), etcd goes down, a starts again:
	// it answers from its snapshot, then follows etcd once etcd is back.
	a.s.Stop()
	etcd.Kill()
	restarted := time.Now()
	a.s = e2e.Start(t, bin, a.corefile, dir, a.dns)
	if got := answers(a); got != "192.0.2.3" {
		t.Fatalf("restarted with etcd down: answers %q, want the snapshot's 192.0.2.3\n%s", got, a.s.Output())
	}
	t.Logf("restarted with etcd down: answering from the snapshot %v after the start", time.Since(restarted))
	// Not in touch with its store: the metric says so (and DNS keeps answering).
	staleLine := fmt.Sprintf("coredns_store_stale_seconds{store=%q} ", "etcd:"+etcd.ClientURL+"/e2e/")
	stale := func() string {
		for _, line := range strings.Split(httpGetBody(t, a.metrics), "\n") {
			if strings.HasPrefix(line, staleLine) {
				return strings.TrimPrefix(line, staleLine)
			}
		}
		return "missing"
	}
	waitFor(t, "stale metric above 0 with etcd down", 10*time.Second, func() bool { v := stale(); return v != "0" && v != "missing" })
	t.Logf("etcd down: stale %s s", stale())
	etcd.Restart()
	var okID string
	waitFor(t, "a writes again once etcd is back", 15*time.Second, func() bool {
		out, err := a.api.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
			ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{
				Name: aws.String("www.rep.example"), Type: types.RRTypeA, TTL: aws.Int64(60),
				ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.4")}}}}}}})
		if err == nil {
			okID = aws.ToString(out.ChangeInfo.Id)
		}
		return err == nil
	})
	waitFor(t, "INSYNC after etcd came back", 10*time.Second, func() bool { return status(a, okID) == types.ChangeStatusInsync })
	if got := answers(a); got != "192.0.2.4" {
		t.Errorf("after etcd came back a answers %q", got)
	}
	waitFor(t, "stale metric back to 0", 10*time.Second, func() bool { return stale() == "0" })
}

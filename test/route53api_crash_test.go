package test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// TestRoute53APIKill9: the server is killed with SIGKILL while change batches
// stream in; after a restart on the same store every acknowledged batch is there —
// listed by the API and answered over DNS — and no batch is there in part.
func TestRoute53APIKill9(t *testing.T) {
	bin := e2e.CoreTraffic(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDKILL\naws_secret_access_key = kill-secret\n"), 0o600)
	dnsPort, apiPort := e2e.FreePort(t), e2e.FreePort(t)
	store := filepath.Join(dir, "store.db")
	corefile := fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    route53api 127.0.0.1:%d {\n        store %s\n        credentials %s\n        rate 100000\n    }\n    policy {\n        store %s\n    }\n}\n",
		dnsPort, apiPort, store, creds, store)
	addr := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	c := route53.New(route53.Options{BaseEndpoint: aws.String(fmt.Sprintf("http://127.0.0.1:%d", apiPort)), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDKILL", "kill-secret", ""), Retryer: aws.NopRetryer{}})
	ctx := context.Background()

	s := e2e.Start(t, bin, corefile, dir, addr)
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("kill.example"), CallerReference: aws.String("kill-1")})
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Output())
	}
	// Batch k writes b<k>-0, -1, -2 together; acknowledged batches are noted.
	var mu sync.Mutex
	var acked []int
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; ; k += 3 {
				select {
				case <-stop:
					return
				default:
				}
				var changes []types.Change
				for part := range 3 {
					changes = append(changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
						Name: aws.String(fmt.Sprintf("b%d-%d.kill.example", k, part)), Type: types.RRTypeA, TTL: aws.Int64(60),
						ResourceRecords: []types.ResourceRecord{{Value: aws.String(fmt.Sprintf("10.0.%d.%d", k/250, k%250))}}}})
				}
				if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
					ChangeBatch: &types.ChangeBatch{Changes: changes}}); err != nil {
					return // the server died under us
				}
				mu.Lock()
				acked = append(acked, k)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	s.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	s.Wait(10 * time.Second)
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	if n < 10 {
		t.Fatalf("only %d batches acknowledged before the kill\n%s", n, s.Output())
	}

	s2 := e2e.Start(t, bin, corefile, dir, addr)
	present := map[string]bool{}
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id}
	for {
		page, err := c.ListResourceRecordSets(ctx, in)
		if err != nil {
			t.Fatalf("%v\n%s", err, s2.Output())
		}
		for _, rs := range page.ResourceRecordSets {
			present[aws.ToString(rs.Name)] = true
		}
		if !page.IsTruncated {
			break
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
	for _, k := range acked {
		for part := range 3 {
			if name := fmt.Sprintf("b%d-%d.kill.example.", k, part); !present[name] {
				t.Errorf("acknowledged batch %d lost %s", k, name)
			}
		}
	}
	batches := 0
	for k := 0; k < 100000; k++ {
		parts := 0
		for part := range 3 {
			if present[fmt.Sprintf("b%d-%d.kill.example.", k, part)] {
				parts++
			}
		}
		if parts != 0 && parts != 3 {
			t.Errorf("batch %d is there in part: %d of 3 record sets", k, parts)
		}
		if parts == 3 {
			batches++
		}
	}
	t.Logf("%d batches acknowledged before SIGKILL, %d present after the restart", n, batches)
	// And they are answered.
	waitFor(t, "the last acknowledged batch answered", 10*time.Second, func() bool {
		m := new(dns.Msg)
		m.SetQuestion(fmt.Sprintf("b%d-2.kill.example.", acked[n-1]), dns.TypeA)
		r, err := dns.Exchange(m, addr)
		return err == nil && len(r.Answer) == 1
	})
}

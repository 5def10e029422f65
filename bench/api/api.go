package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

const (
	accessKey = "AKIDBENCH"
	secretKey = "bench-secret"
)

func newClient(endpoint string) *route53.Client {
	return route53.New(route53.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
	})
}

// loadZone creates the zone and its n record sets through the API in batches of at
// most 1,000 ResourceRecord elements (Route 53's limit), and waits for INSYNC.
func loadZone(ctx context.Context, c *route53.Client, n int) (zoneID string, took time.Duration, err error) {
	start := time.Now()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(zoneName), CallerReference: aws.String(fmt.Sprint(start.UnixNano()))})
	if err != nil {
		return "", 0, err
	}
	zoneID = aws.ToString(z.HostedZone.Id)
	var batch []types.Change
	var last string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
			ChangeBatch: &types.ChangeBatch{Changes: batch}})
		if err != nil {
			return err
		}
		last, batch = aws.ToString(out.ChangeInfo.Id), batch[:0]
		return nil
	}
	for i := range n {
		for _, rs := range rrsets(i, 0) {
			batch = append(batch, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &rs})
		}
		if len(batch) >= 999 {
			if err := flush(); err != nil {
				return "", 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return "", 0, err
	}
	if err := waitInsync(ctx, c, last, 5*time.Minute); err != nil {
		return "", 0, err
	}
	return zoneID, time.Since(start), nil
}

func waitInsync(ctx context.Context, c *route53.Client, changeID string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		out, err := c.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(changeID)})
		if err != nil {
			return err
		}
		if out.ChangeInfo.Status == types.ChangeStatusInsync {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("change %s not INSYNC after %v", changeID, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// upsert replaces record set i (a one-value set) with generation gen and returns
// the change's ID.
func upsert(ctx context.Context, c *route53.Client, zoneID string, i, gen int) (string, error) {
	rs := rrsets(i, gen)[0]
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionUpsert, ResourceRecordSet: &rs}}}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ChangeInfo.Id), nil
}

// visibility measures, for count UPSERTs of one-value record sets, the time from the
// API's 200 to the first DNS answer with the new value (polled every 0.5 ms over UDP).
func visibility(ctx context.Context, c *route53.Client, zoneID, dnsAddr string, n, count int) (api, seen []time.Duration, err error) {
	conn, err := net.Dial("udp", dnsAddr)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	dc := &dns.Conn{Conn: conn}
	for k := range count {
		i := 1 + k*7919%(n-1)
		if weightedSet(i) {
			i++
		}
		gen := 1000 + k
		t0 := time.Now()
		if _, err := upsert(ctx, c, zoneID, i, gen); err != nil {
			return nil, nil, err
		}
		t1 := time.Now()
		want := value(i, gen, 0)
		for {
			if got, _ := askA(dc, recordName(i)); got == want {
				break
			}
			if time.Since(t1) > 10*time.Second {
				return nil, nil, fmt.Errorf("%s: %s not answered 10 s after the API's 200", recordName(i), want)
			}
			time.Sleep(500 * time.Microsecond)
		}
		api, seen = append(api, t1.Sub(t0)), append(seen, time.Since(t1))
	}
	return api, seen, nil
}

// sustained sends one-change UPSERT batches from workers goroutines for d and returns
// how many were acknowledged, how long that took, and how long until the last
// acknowledged one was INSYNC (answered by the server) after that.
func sustained(ctx context.Context, c *route53.Client, zoneID string, n, workers int, d time.Duration) (int64, time.Duration, time.Duration, error) {
	var acked atomic.Int64
	var last atomic.Pointer[string]
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; time.Since(start) < d; k++ {
				i := 1 + (w*100003+k*7919)%(n-1)
				if weightedSet(i) {
					i++
				}
				id, err := upsert(ctx, c, zoneID, i, 5000+k)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				acked.Add(1)
				last.Store(&id)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if firstErr != nil || last.Load() == nil {
		return acked.Load(), took, 0, firstErr
	}
	// Every worker's last change is acknowledged; the store applies changes in
	// order, so the one stored last is INSYNC only when all are.
	if err := waitInsync(ctx, c, *last.Load(), 5*time.Minute); err != nil {
		return 0, 0, 0, err
	}
	return acked.Load(), took, time.Since(start) - took, nil
}

func askA(c *dns.Conn, name string) (string, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	c.SetDeadline(time.Now().Add(time.Second))
	if err := c.WriteMsg(m); err != nil {
		return "", err
	}
	for {
		r, err := c.ReadMsg()
		if err != nil {
			return "", err
		}
		if r.Id != m.Id {
			continue
		}
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				return a.A.String(), nil
			}
		}
		return "", fmt.Errorf("%s: rcode %s, no A", name, dns.RcodeToString[r.Rcode])
	}
}

// percentile of sorted durations, nearest rank.
func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

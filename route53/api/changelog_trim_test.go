package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/route53/transfer"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// TestTrimChangeLog: changes older than the retention leave the change log, in
// store transactions of at most 100 deletions, and with them GetChange (then
// NoSuchChange), ListChanges and the replica's change index; newer ones stay; a
// second trim finds nothing; a retention of 0 keeps every change.
func TestTrimChangeLog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
		wantGone  bool
	}{
		{"90 days", 90 * 24 * time.Hour, true},
		{"keep every change", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rep := replica.New(st, hc.New(hc.Options{}), "trim-test", t.Logf)
			rctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); rep.Run(rctx) }()
			defer func() { cancel(); <-done }()
			keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
			if err != nil {
				t.Fatal(err)
			}
			var now atomic.Int64
			now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
			srv := api.New(api.Config{Store: st, Replica: rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1},
				Now: func() time.Time { return time.Unix(0, now.Load()) }, ChangeRetention: tc.retention})
			hs := httptest.NewServer(srv)
			defer hs.Close()
			c := route53.New(route53.Options{BaseEndpoint: aws.String(hs.URL), Region: "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, ""), Retryer: aws.NopRetryer{}})

			z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("trim")})
			if err != nil {
				t.Fatal(err)
			}
			apply := func(i int) *string {
				t.Helper()
				rs := rrset(fmt.Sprintf("h%d.example.org", i), "", 0, "", "192.0.2.1")
				out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
					ChangeBatch: &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionUpsert, ResourceRecordSet: &rs}}}})
				if err != nil {
					t.Fatal(err)
				}
				return out.ChangeInfo.Id
			}
			const oldChanges = 120 // and the zone's creation: two transactions of deletions
			var old []*string
			for i := range oldChanges {
				old = append(old, apply(i))
			}
			insync(t, c, old[len(old)-1])
			now.Add(int64(91 * 24 * time.Hour))
			recent := apply(1000)
			insync(t, c, recent)

			n, err := srv.TrimChangeLog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if tc.wantGone {
				want = oldChanges + 1
			}
			if n != want {
				t.Fatalf("trimmed %d changes, want %d", n, want)
			}
			if again, err := srv.TrimChangeLog(ctx); err != nil || again != 0 {
				t.Errorf("second trim: %d, %v; want 0", again, err)
			}

			_, err = c.GetChange(ctx, &route53.GetChangeInput{Id: old[0]})
			var nsc *types.NoSuchChange
			if gone := errors.As(err, &nsc); gone != tc.wantGone {
				t.Errorf("GetChange of a 91-day-old change: %v (NoSuchChange %v, want %v)", err, gone, tc.wantGone)
			}
			insync(t, c, recent)
			tcl := transfer.NewClient(hs.URL, credentials.NewStaticCredentialsProvider(testKey, testSecret, ""))
			list, err := tcl.Changes(ctx, transfer.ChangeFilter{Since: "2000-01-01T00:00:00Z", MaxItems: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(list.Changes); got != 1+oldChanges+1-n {
				t.Errorf("ListChanges: %d changes, want %d", got, 1+oldChanges+1-n)
			}
			id := strings.TrimPrefix(aws.ToString(old[5]), "/change/")
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, known := rep.ChangeRevision(id)
				if known != tc.wantGone {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the replica still knows trimmed change %s = %v", id, known)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

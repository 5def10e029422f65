package replica_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// TestSettled: Settled closes once the first load is compiled — published, or
// refused (a DNS server waits for it at start-up either way, so a refusal must not
// leave it waiting) — and not before the replica runs.
func TestSettled(t *testing.T) {
	for _, tc := range []struct {
		name string
		bad  bool // the store holds a record set that does not compile
	}{
		{"good data", false},
		{"refused data", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			z := benchZone(t, st, 3)
			if tc.bad {
				rs := oneA(9, 0)
				_, err := st.Update(context.Background(), func(tx store.Tx) error {
					return tx.Put(catalog.RecordKey(z.ID, &rs), []byte(`{"Name":"r9.bench.example.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"2001:db8::9"}]}`))
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			rep := replica.New(st, hc.New(hc.Options{}), "settled-test", nil)
			select {
			case <-rep.Settled():
				t.Fatal("settled before running")
			default:
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); rep.Run(ctx) }()
			defer func() { cancel(); <-done }()
			select {
			case <-rep.Settled():
			case <-time.After(10 * time.Second):
				t.Fatal("not settled 10 s after Run")
			}
			if !tc.bad && rep.Current() == nil {
				t.Error("settled without publishing good data")
			}
		})
	}
}

package replica_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// benchZone writes a zone of n one-value A record sets into st.
func benchZone(tb testing.TB, st store.Store, n int) *route53.Zone {
	tb.Helper()
	z, apex, aerr := route53.CreateZone(&route53.CreateHostedZoneRequest{Name: "bench.example", CallerReference: "bench"}, nil, route53.ZoneOptions{})
	if aerr != nil {
		tb.Fatal(aerr)
	}
	put := func(tx store.Tx, key string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return tx.Put(key, b)
	}
	for from := 0; from < n; from += 10000 {
		if _, err := st.Update(context.Background(), func(tx store.Tx) error {
			if from == 0 {
				if err := put(tx, catalog.ZoneKey(z.ID), &catalog.Zone{Zone: *z, Sets: int64(n + 2)}); err != nil {
					return err
				}
				for i := range apex {
					if err := put(tx, catalog.RecordKey(z.ID, &apex[i]), &apex[i]); err != nil {
						return err
					}
				}
			}
			for i := from; i < min(from+10000, n); i++ {
				rs := oneA(i, 0)
				if err := put(tx, catalog.RecordKey(z.ID, &rs), &rs); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return z
}

func oneA(i, gen int) route53.ResourceRecordSet {
	ttl := int64(60)
	return route53.ResourceRecordSet{Name: fmt.Sprintf("r%d.bench.example.", i), Type: "A", TTL: &ttl,
		ResourceRecords: []route53.ResourceRecord{{Value: fmt.Sprintf("10.%d.%d.%d", gen%250, i/250%250, i%250)}}}
}

// BenchmarkReplicaUpsert is the replica's share of the API issue's "UPSERT answered
// within 100 ms" in a 100,000-record-set zone: one record set written to the store
// (fsync included) until the replica has published the snapshot that serves it.
func BenchmarkReplicaUpsert(b *testing.B) {
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	z := benchZone(b, st, 100000)
	rep := replica.New(st, hc.New(hc.Options{}), "bench", b.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(ctx, 5*time.Minute)
	defer stop()
	if !rep.WaitServed(wait, st.Revision()) {
		b.Fatal("the zone was not served")
	}
	b.ReportAllocs()
	b.ResetTimer()
	k := 0
	for b.Loop() {
		rs := oneA(k*7919%100000, k+1)
		k++
		rev, err := st.Update(ctx, func(tx store.Tx) error {
			v, err := json.Marshal(&rs)
			if err != nil {
				return err
			}
			return tx.Put(catalog.RecordKey(z.ID, &rs), v)
		})
		if err != nil {
			b.Fatal(err)
		}
		if !rep.WaitServed(wait, rev) {
			b.Fatal("not served")
		}
	}
}

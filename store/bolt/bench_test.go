package boltstore

// Measured on the shared 2-core dev VM (go test -bench . -count 3, ext4 on
// virtio): Update 3.0–5.6 ms/op, fsync-bound, so one writer sustains roughly
// 180–330 batches/s; UpdateParallel 2.9–4.3 ms/op (batches queue for the one
// writer); ViewScan100k 13–50 ms (130–500 ns per key, the range is the noisy
// neighbours); WatchReplay 0.6–1.8 µs per Event.

import (
	"context"
	"fmt"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

// BenchmarkUpdate commits one small batch (a record set, its change record
// and a counter, ~300 bytes) per op, fsync included.
func BenchmarkUpdate(b *testing.B) {
	s := openTemp(b, Options{})
	ctx := context.Background()
	value := make([]byte, 200)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		_, err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Put(fmt.Sprintf("rrset/Z1/www%d.example.org./A", i%1000), value); err != nil {
				return err
			}
			if err := tx.Put(fmt.Sprintf("change/C%08d", i), value[:64]); err != nil {
				return err
			}
			return tx.Put("meta/changes", fmt.Appendf(nil, "%d", i))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateParallel is Update from 8 goroutines: batches queue for the
// one writer, so this is the store's sustained batch rate.
func BenchmarkUpdateParallel(b *testing.B) {
	s := openTemp(b, Options{})
	ctx := context.Background()
	value := make([]byte, 200)
	b.SetParallelism(4) // 4 × GOMAXPROCS writers
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			_, err := s.Update(ctx, func(tx store.Tx) error {
				return tx.Put(fmt.Sprintf("rrset/Z1/www%d.example.org./A", i%1000), value)
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkViewScan100k reads all of 100,000 keys with ~200-byte values in
// one View, as loading a replica does.
func BenchmarkViewScan100k(b *testing.B) {
	s := openTemp(b, Options{})
	ctx := context.Background()
	value := make([]byte, 200)
	const n, perBatch = 100_000, 10_000
	for base := 0; base < n; base += perBatch {
		_, err := s.Update(ctx, func(tx store.Tx) error {
			for i := base; i < base+perBatch; i++ {
				if err := tx.Put(fmt.Sprintf("rrset/Z1/www%06d.example.org./A", i), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		count, bytes := 0, 0
		_, err := s.View(ctx, func(r store.Reader) error {
			return r.Scan("rrset/", "", func(_ string, v []byte) bool {
				count++
				bytes += len(v)
				return true
			})
		})
		if err != nil || count != n {
			b.Fatalf("scanned %d keys, %v", count, err)
		}
	}
}

// BenchmarkWatchReplay reads 1,000 revisions back from the log, as a
// watcher catching up does.
func BenchmarkWatchReplay(b *testing.B) {
	s := openTemp(b, Options{})
	ctx := context.Background()
	value := make([]byte, 200)
	const n = 1000
	for i := range n {
		_, err := s.Update(ctx, func(tx store.Tx) error {
			return tx.Put(fmt.Sprintf("rrset/Z1/www%d.example.org./A", i), value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(ctx)
		ch, err := s.Watch(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		for range n {
			<-ch
		}
		cancel()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}

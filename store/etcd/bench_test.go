package etcdstore_test

import (
	"context"
	"fmt"
	"testing"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// BenchmarkUpdate measures an acknowledged batch against one local etcd
// member (fsync'd WAL): the snapshot read plus one Txn.
func BenchmarkUpdate(b *testing.B) {
	m := etcdtest.Start(b, etcdtest.Config{})
	for _, size := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("keys=%d", size), func(b *testing.B) {
			s, err := etcdstore.Open(context.Background(), etcdstore.Options{
				Endpoints: []string{m.ClientURL}, Prefix: fmt.Sprintf("/bench/%d/", size)})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			val := make([]byte, 200)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_, err := s.Update(context.Background(), func(tx store.Tx) error {
					for k := range size {
						if err := tx.Put(fmt.Sprintf("rrset/%d", (i*size+k)%10000), val); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWatchDelivery measures Update to a second Store's watcher: the
// path a change takes to another replica.
func BenchmarkWatchDelivery(b *testing.B) {
	m := etcdtest.Start(b, etcdtest.Config{})
	open := func() *etcdstore.Store {
		s, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{m.ClientURL}, Prefix: "/bench/watch/"})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	w, r := open(), open()
	ch, err := r.Watch(context.Background(), 0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rev, err := w.Update(context.Background(), func(tx store.Tx) error { return tx.Put("k", []byte("v")) })
		if err != nil {
			b.Fatal(err)
		}
		for ev := range ch {
			if ev.Revision == rev {
				break
			}
		}
	}
}

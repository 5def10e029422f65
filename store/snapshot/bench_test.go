package snapshot

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

// benchSnapshot is a 10,000-record-set zone's worth of data: keys and values of the
// sizes the API writes (~60-byte keys, ~200-byte JSON record sets).
func benchSnapshot(n int) *Snapshot {
	s := &Snapshot{Revision: int64(n)}
	for i := range n {
		s.KVs = append(s.KVs, store.KV{Key: fmt.Sprintf("rrset/Z0123456789ABCDEFGHIJ/example.bench.r%06d.\x00A\x00", i),
			Value: fmt.Appendf(nil, `{"Name":"r%06d.bench.example.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"10.%d.%d.%d"}],"padding":"%0120d"}`, i, i/65536, i/256%256, i%256, 0)})
	}
	return s
}

// BenchmarkWrite is what the keeper pays every interval while the store changes:
// encode, write, fsync and rename a 10,000-record-set snapshot.
func BenchmarkWrite(b *testing.B) {
	s := benchSnapshot(10000)
	path := filepath.Join(b.TempDir(), "snap")
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(path, s); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(s.Encode())))
}

// BenchmarkRead is the start-up cost of a 10,000-record-set snapshot.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "snap")
	if err := Write(path, benchSnapshot(10000)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(path); err != nil {
			b.Fatal(err)
		}
	}
}

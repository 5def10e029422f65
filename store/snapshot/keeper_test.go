package snapshot

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// TestKeeper: the keeper's file follows the store, written when the revision moved
// and once more when it stops, and reads back as the store's data.
func TestKeeper(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(k, v string) int64 {
		rev, err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Put(k, []byte(v)) })
		if err != nil {
			t.Fatal(err)
		}
		return rev
	}
	put("a", "1")
	path := filepath.Join(dir, "snap")
	k := NewKeeper("test", path, 20*time.Millisecond, -1, t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx, st) }()
	rev := put("b", "2")
	deadline := time.Now().Add(5 * time.Second)
	for k.Written() != rev {
		if time.Now().After(deadline) {
			t.Fatalf("file at revision %d, want %d", k.Written(), rev)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := st.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("a") }); err != nil {
		t.Fatal(err)
	}
	last := put("c", "3")
	for k.Applied() != last {
		if time.Now().After(deadline) {
			t.Fatalf("applied %d, want %d", k.Applied(), last)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	s, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Store != "test" || s.Revision != last || len(s.KVs) != 2 || s.KVs[0].Key != "b" || s.KVs[1].Key != "c" || string(s.KVs[1].Value) != "3" {
		t.Errorf("file after stop: revision %d %+v, want %d with b and c", s.Revision, s.KVs, last)
	}
}

package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

func testUpdate(t *testing.T, open func(*testing.T) store.Store) {
	t.Run("RevisionsStartAtZeroAndStepByOne", func(t *testing.T) {
		s := open(t)
		if got := s.Revision(); got != 0 {
			t.Fatalf("empty store Revision() = %d, want 0", got)
		}
		if kvs, rev := dump(t, s, ""); rev != 0 || len(kvs) != 0 {
			t.Fatalf("empty store View = %v at %d, want nothing at 0", kvs, rev)
		}
		for i, rev := range []int64{put(t, s, "a", "1"), put(t, s, "b", "2", "c", "3"), del(t, s, "a"), put(t, s, "b", "2")} {
			if rev != int64(i+1) {
				t.Fatalf("Update %d returned revision %d, want %d", i+1, rev, i+1)
			}
		}
		kvs, rev := dump(t, s, "")
		if want := []string{"b=2", "c=3"}; rev != 4 || !slices.Equal(kvs, want) || s.Revision() != 4 {
			t.Fatalf("View = %v at %d (Revision %d), want %v at 4", kvs, rev, s.Revision(), want)
		}
	})

	t.Run("UpdateWritingNothing", func(t *testing.T) {
		s := open(t)
		put(t, s, "x", "1")
		ch, err := s.Watch(ctxFor(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		noops := []func(store.Tx) error{
			func(store.Tx) error { return nil },
			func(tx store.Tx) error { _, _, err := tx.Get("x"); return err },
			func(tx store.Tx) error { return tx.Delete("absent") },
			func(tx store.Tx) error {
				if err := tx.Put("new", []byte("v")); err != nil {
					return err
				}
				return tx.Delete("new")
			},
		}
		for i, fn := range noops {
			rev, err := s.Update(ctxFor(t), fn)
			if err != nil || rev != 1 {
				t.Fatalf("no-op Update %d = %d, %v; want the current revision 1", i, rev, err)
			}
		}
		put(t, s, "y", "2")
		if ev := recv(t, ch); describe(ev) != "rev 2: y=2" {
			t.Fatalf("first Event after no-op Updates = %q, want %q", describe(ev), "rev 2: y=2")
		}
		if kvs, _ := dump(t, s, ""); !slices.Equal(kvs, []string{"x=1", "y=2"}) {
			t.Fatalf("data = %v", kvs)
		}
	})

	t.Run("ErrorAbortsEverything", func(t *testing.T) {
		s := open(t)
		put(t, s, "keep", "1", "gone", "1")
		boom := errors.New("boom")
		rev, err := s.Update(ctxFor(t), func(tx store.Tx) error {
			for _, k := range []string{"a", "b", "keep"} {
				if err := tx.Put(k, []byte("bad")); err != nil {
					return err
				}
			}
			if err := tx.Delete("gone"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update error = %v (rev %d), want fn's error", err, rev)
		}
		if kvs, rev := dump(t, s, ""); rev != 1 || !slices.Equal(kvs, []string{"gone=1", "keep=1"}) {
			t.Fatalf("after aborted Update: %v at %d, want the data of revision 1", kvs, rev)
		}
		if got := put(t, s, "next", "1"); got != 2 {
			t.Fatalf("Update after an aborted one got revision %d, want 2", got)
		}
	})

	t.Run("CanceledContextWritesNothing", func(t *testing.T) {
		s := open(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		_, err := s.Update(ctx, func(tx store.Tx) error { called = true; return tx.Put("a", nil) })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Update with canceled ctx: err = %v, want context.Canceled", err)
		}
		if kvs, rev := dump(t, s, ""); called && (rev != 0 || len(kvs) != 0) {
			t.Fatalf("canceled Update wrote %v, revision %d", kvs, rev)
		}
		if s.Revision() != 0 {
			t.Fatalf("Revision() = %d after canceled Update", s.Revision())
		}
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		s := open(t)
		put(t, s, "p/a", "1", "p/c", "3")
		_, err := s.Update(ctxFor(t), func(tx store.Tx) error {
			if err := tx.Put("p/b", []byte("2")); err != nil {
				return err
			}
			if err := tx.Delete("p/a"); err != nil {
				return err
			}
			if v, ok, err := tx.Get("p/b"); err != nil || !ok || string(v) != "2" {
				return errors.New("Get does not see the Put of the same Update")
			}
			if _, ok, err := tx.Get("p/a"); err != nil || ok {
				return errors.New("Get still sees a key deleted in the same Update")
			}
			var keys []string
			if err := tx.Scan("p/", "", func(k string, _ []byte) bool { keys = append(keys, k); return true }); err != nil {
				return err
			}
			if !slices.Equal(keys, []string{"p/b", "p/c"}) {
				return errors.New("Scan in Update sees " + joinKeys(keys) + ", want p/b p/c")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("WritesDuringScan", func(t *testing.T) {
		s := open(t)
		put(t, s, "s/1", "a", "s/2", "b", "s/3", "c", "s/4", "d")
		var seen []string
		_, err := s.Update(ctxFor(t), func(tx store.Tx) error {
			return tx.Scan("s/", "", func(k string, v []byte) bool {
				seen = append(seen, k+"="+string(v))
				// Move every key out of the prefix while walking it.
				return tx.Delete(k) == nil && tx.Put("t/"+k[2:], []byte(string(v))) == nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"s/1=a", "s/2=b", "s/3=c", "s/4=d"}; !slices.Equal(seen, want) {
			t.Fatalf("Scan while writing visited %v, want %v", seen, want)
		}
		if kvs, _ := dump(t, s, ""); !slices.Equal(kvs, []string{"t/1=a", "t/2=b", "t/3=c", "t/4=d"}) {
			t.Fatalf("after moving keys: %v", kvs)
		}
	})

	t.Run("EventListsFinalStatePerKey", func(t *testing.T) {
		s := open(t)
		put(t, s, "x", "old", "b", "same")
		ch, err := s.Watch(ctxFor(t), s.Revision())
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Update(ctxFor(t), func(tx store.Tx) error {
			for _, op := range [][2]string{{"b", "same"}, {"a", "1"}, {"b", "b2"}, {"-x", ""}, {"-y", ""}, {"z", "tmp"}, {"-z", ""}} {
				var err error
				if op[0][0] == '-' {
					err = tx.Delete(op[0][1:])
				} else {
					err = tx.Put(op[0], []byte(op[1]))
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := describe(recv(t, ch)), "rev 2: b=b2 a=1 -x"; got != want {
			t.Fatalf("Event = %q, want %q (one Change per key, first-write order, final state)", got, want)
		}
		if rev := put(t, s, "a", "1"); rev != 3 {
			t.Fatalf("Put of an unchanged value returned revision %d, want 3", rev)
		}
		if got, want := describe(recv(t, ch)), "rev 3: a=1"; got != want {
			t.Fatalf("Event = %q, want %q", got, want)
		}
	})

	t.Run("TxUnusableAfterFn", func(t *testing.T) {
		s := open(t)
		put(t, s, "a", "1")
		var leaked store.Tx
		if _, err := s.Update(ctxFor(t), func(tx store.Tx) error { leaked = tx; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := leaked.Put("b", nil); err == nil {
			t.Error("Put on a Tx after its Update returned succeeded")
		}
		if err := leaked.Delete("a"); err == nil {
			t.Error("Delete on a Tx after its Update returned succeeded")
		}
		if _, _, err := leaked.Get("a"); err == nil {
			t.Error("Get on a Tx after its Update returned succeeded")
		}
		if err := leaked.Scan("", "", func(string, []byte) bool { return true }); err == nil {
			t.Error("Scan on a Tx after its Update returned succeeded")
		}
		if kvs, rev := dump(t, s, ""); rev != 1 || !slices.Equal(kvs, []string{"a=1"}) {
			t.Errorf("after using a leaked Tx: %v at %d", kvs, rev)
		}
	})

	t.Run("KeysAndValues", func(t *testing.T) {
		s := open(t)
		buf := []byte("orig")
		_, err := s.Update(ctxFor(t), func(tx store.Tx) error {
			if err := tx.Put("k", buf); err != nil {
				return err
			}
			copy(buf, "XXXX") // Put must have copied
			return tx.Put("nil", nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Update(ctxFor(t), func(tx store.Tx) error { return tx.Put("", []byte("v")) })
		if !errors.Is(err, store.ErrEmptyKey) {
			t.Fatalf("Put of the empty key: error = %v, want ErrEmptyKey", err)
		}
		_, err = s.Update(ctxFor(t), func(tx store.Tx) error { return tx.Delete("") })
		if !errors.Is(err, store.ErrEmptyKey) {
			t.Fatalf("Delete of the empty key: error = %v, want ErrEmptyKey", err)
		}
		_, err = s.View(ctxFor(t), func(r store.Reader) error {
			v, ok, err := r.Get("k")
			if err != nil || !ok || string(v) != "orig" {
				t.Errorf("Get(k) = %q, %v, %v; want orig", v, ok, err)
			}
			copy(v, "YYYY") // the caller owns Get's result
			if v, _, _ := r.Get("k"); string(v) != "orig" {
				t.Errorf("changing Get's result changed the store: %q", v)
			}
			if v, ok, err := r.Get("nil"); err != nil || !ok || len(v) != 0 {
				t.Errorf("Get of a nil Put = %q, %v, %v; want an empty value that exists", v, ok, err)
			}
			if v, ok, err := r.Get("absent"); err != nil || ok || v != nil {
				t.Errorf("Get(absent) = %q, %v, %v", v, ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func joinKeys(keys []string) string {
	out := ""
	for _, k := range keys {
		out += k + " "
	}
	return out
}

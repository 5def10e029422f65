package slotcache

import (
	"sync"
	"testing"
)

func TestAdmitOnSecondMiss(t *testing.T) {
	c := New[string](4)
	if c.Admit(7) {
		t.Fatal("first miss admitted")
	}
	if !c.Admit(7) {
		t.Fatal("second miss in a row not admitted")
	}
	v := "seven"
	c.Store(7, &v)
	if got := c.Get(7); got != &v {
		t.Fatalf("Get = %v, want the stored entry", got)
	}
	// The admission cleared the slot's miss: a third miss starts over.
	if c.Admit(7) {
		t.Fatal("miss right after an admission admitted")
	}
}

func TestKeysTakingTurnsAreNotAdmitted(t *testing.T) {
	c := New[int](0) // one slot: every key shares it
	for i := range 10 {
		if c.Admit(uint64(i%2) + 10) {
			t.Fatalf("miss %d admitted while two keys alternate", i)
		}
	}
}

// TestSameKeyAlternating: two values under one key (a hash both share) are
// admitted at most every other miss, not on every one.
func TestSameKeyAlternating(t *testing.T) {
	c := New[int](2)
	admitted := 0
	for range 40 {
		if c.Admit(42) {
			admitted++
		}
	}
	if admitted != 20 {
		t.Errorf("%d admissions in 40 misses, want 20", admitted)
	}
}

func TestConcurrent(t *testing.T) {
	c := New[uint64](3)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range uint64(2000) {
				k := i%16 + uint64(g)
				if e := c.Get(k); e != nil && *e != k && *e > 32 {
					t.Errorf("slot of %d holds %d", k, *e)
				}
				if c.Admit(k) {
					v := k
					c.Store(k, &v)
				}
			}
		})
	}
	wg.Wait()
}

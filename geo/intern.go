package geo

import "sync/atomic"

const internSlots = 1024 // power of two

// internTable turns (country, subdivision) pairs into "CC-SUB" strings without
// allocating once a pair has been seen: a lock-free, fixed-size, direct-mapped
// cache keyed by the pair's bytes. A collision just builds the string again.
type internTable struct {
	slots [internSlots]atomic.Pointer[internEntry]
}

type internEntry struct {
	key uint64
	s   string
}

// code returns the ISO 3166-2 code for subdivision sub of country: "DE"+"HE" is
// "DE-HE". A sub that already carries a prefix ("DE-HE") or a missing country
// leaves sub unchanged.
func (t *internTable) code(country, sub string) string {
	if len(country) != 2 || len(sub) > 3 && sub[2] == '-' || len(sub) > 5 {
		return sub
	}
	key := uint64(len(sub))
	for i := 0; i < len(country); i++ {
		key = key<<8 | uint64(country[i])
	}
	for i := 0; i < len(sub); i++ {
		key = key<<8 | uint64(sub[i])
	}
	slot := &t.slots[(key*0x9E3779B97F4A7C15)>>(64-10)]
	if e := slot.Load(); e != nil && e.key == key {
		return e.s
	}
	s := country + "-" + sub
	slot.Store(&internEntry{key: key, s: s})
	return s
}

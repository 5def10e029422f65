package storetest

import (
	"slices"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

// scanKeys is the data of the Scan tests: prefixes nest and "b\xff" sorts
// after "b/2" in byte order.
var scanKeys = []string{"a", "ab", "abc", "abd", "ac", "b", "b/", "b/1", "b/2", "b\xff", "c"}

func testScan(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	kv := make([]string, 0, 2*len(scanKeys))
	for _, k := range slices.Backward(scanKeys) { // insertion order must not matter
		kv = append(kv, k, "v"+k)
	}
	put(t, s, kv...)

	tests := []struct {
		prefix, after string
		limit         int // fn returns false after this many keys; 0 = never
		want          []string
	}{
		{"", "", 0, scanKeys},
		{"ab", "", 0, []string{"ab", "abc", "abd"}},
		{"ab", "ab", 0, []string{"abc", "abd"}},
		{"ab", "abc", 0, []string{"abd"}},
		{"ab", "abcz", 0, []string{"abd"}},           // after need not exist
		{"ab", "a", 0, []string{"ab", "abc", "abd"}}, // after below the prefix
		{"ab", "abd", 0, nil},
		{"ab", "zzz", 0, nil},
		{"b/", "", 0, []string{"b/", "b/1", "b/2"}},
		{"", "b/2", 0, []string{"b\xff", "c"}},
		{"x", "", 0, nil},
		{"", "", 2, []string{"a", "ab"}},
		{"a", "ab", 1, []string{"abc"}},
	}
	for _, tc := range tests {
		var got []string
		_, err := s.View(ctxFor(t), func(r store.Reader) error {
			return r.Scan(tc.prefix, tc.after, func(k string, v []byte) bool {
				if string(v) != "v"+k {
					t.Errorf("Scan(%q, %q): %q has value %q", tc.prefix, tc.after, k, v)
				}
				got = append(got, k)
				return tc.limit == 0 || len(got) < tc.limit
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Scan(%q, %q, limit %d) = %q, want %q", tc.prefix, tc.after, tc.limit, got, tc.want)
		}
	}

	// Paging as the API does it: pages of 3 resumed from the last key.
	var paged []string
	after := ""
	for page := 0; page < 10; page++ {
		var keys []string
		_, err := s.View(ctxFor(t), func(r store.Reader) error {
			return r.Scan("", after, func(k string, _ []byte) bool { keys = append(keys, k); return len(keys) < 3 })
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		paged = append(paged, keys...)
		after = keys[len(keys)-1]
	}
	if !slices.Equal(paged, scanKeys) {
		t.Errorf("paged Scan = %q, want %q", paged, scanKeys)
	}
}

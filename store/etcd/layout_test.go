package etcdstore

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

func TestCodecRoundTrip(t *testing.T) {
	tests := [][]store.Change{
		{},
		{{Key: "a", Value: []byte{}}},
		{{Key: "a", Value: []byte("1")}, {Key: "b\xff", Deleted: true}, {Key: "c", Value: []byte(strings.Repeat("x", 300))}},
	}
	for _, changes := range tests {
		got, err := decodeChanges(encodeChanges(changes))
		if err != nil {
			t.Fatalf("decode(encode(%v)): %v", changes, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(changes) {
			t.Fatalf("round trip %v = %v", changes, got)
		}
	}
}

func TestCodecRejects(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "bytes wanted"},
		{"version", []byte{2, 0}, "version 2"},
		{"count too big", []byte{1, 100}, "count 100"},
		{"flags", []byte{1, 1, 4, 1, 'a'}, "unknown flags"},
		{"empty key", []byte{1, 1, 1, 0}, "empty key"},
		{"short key", []byte{1, 1, 1, 5, 'a'}, "5 bytes wanted"},
		{"short value", []byte{1, 1, 0, 1, 'a', 3, 'x'}, "3 bytes wanted"},
		{"trailing", []byte{1, 1, 1, 1, 'a', 9}, "1 bytes after"},
	}
	for _, tc := range tests {
		_, err := decodeChanges(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: decode(%v) = %v, want an error with %q", tc.name, tc.data, err, tc.want)
		}
	}
}

func FuzzDecodeChanges(f *testing.F) {
	f.Add(encodeChanges([]store.Change{{Key: "a", Value: []byte("1")}, {Key: "b", Deleted: true}}))
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := decodeChanges(data)
		if err != nil {
			return
		}
		// Whatever decodes survives a round trip (the bytes may differ:
		// a varint can be written with redundant zero groups).
		again, err := decodeChanges(encodeChanges(changes))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(changes) {
			t.Fatalf("%x: round trip %v = %v, %v", data, changes, again, err)
		}
	})
}

func TestLayout(t *testing.T) {
	l := layout{prefix: "/ct/"}
	if got := l.log(42); got != "/ct/log/00000000000000000042" {
		t.Fatalf("log key = %q", got)
	}
	tests := []struct {
		key  string
		rev  int64
		fail bool
	}{
		{"/ct/log/00000000000000000042", 42, false},
		{"/ct/log/42", 0, true},
		{"/ct/d/00000000000000000042", 0, true},
		{"/ct/log/0000000000000000004x", 0, true},
		{"/ct/log/-0000000000000000001", 0, true},
	}
	for _, tc := range tests {
		rev, err := l.logRev([]byte(tc.key))
		if (err != nil) != tc.fail || rev != tc.rev {
			t.Errorf("logRev(%q) = %d, %v", tc.key, rev, err)
		}
	}
	if got := l.userKey([]byte(l.data("x/y"))); got != "x/y" {
		t.Errorf("userKey(data(x/y)) = %q", got)
	}
}

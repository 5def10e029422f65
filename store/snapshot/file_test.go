package snapshot

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

func sample() *Snapshot {
	return &Snapshot{Store: "/coretraffic/", Revision: 42, Written: time.Unix(1700000000, 123).UTC(), KVs: []store.KV{
		{Key: "a", Value: []byte("1")}, {Key: "b/x", Value: []byte{}}, {Key: "b/y", Value: []byte("yy")}, {Key: "c", Value: []byte("3")},
	}}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snap")
	want := sample()
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	got.Written = got.Written.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read %+v, want %+v", got, want)
	}
	// Write replaced the file through a temporary one that it left no trace of.
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("%d files in the directory, want the snapshot alone", len(ents))
	}
}

func TestDecodeRefuses(t *testing.T) {
	good := sample().Encode()
	flip := bytes.Clone(good)
	flip[len(magic)+20] ^= 1
	unsorted := (&Snapshot{Revision: 1, KVs: []store.KV{{Key: "b"}, {Key: "a"}}}).Encode()
	twice := (&Snapshot{Revision: 1, KVs: []store.KV{{Key: "a"}, {Key: "a"}}}).Encode()
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a snapshot file"},
		{"foreign", []byte("zones:\n  example.org: {}\n"), "not a snapshot file"},
		{"truncated", good[:len(good)-7], "checksum mismatch"},
		{"flipped bit", flip, "checksum mismatch"},
		{"unsorted", unsorted, "not a sorted, unique"},
		{"key twice", twice, "not a sorted, unique"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestReader(t *testing.T) {
	r := reader{sample().KVs}
	scan := func(prefix, after string) string {
		var keys []string
		r.Scan(prefix, after, func(k string, _ []byte) bool { keys = append(keys, k); return true })
		return strings.Join(keys, ",")
	}
	for _, tc := range []struct{ prefix, after, want string }{
		{"", "", "a,b/x,b/y,c"},
		{"b/", "", "b/x,b/y"},
		{"b/", "b/x", "b/y"},
		{"b/", "a", "b/x,b/y"}, // an after below the prefix starts at the prefix
		{"", "b/y", "c"},
		{"d", "", ""},
	} {
		if got := scan(tc.prefix, tc.after); got != tc.want {
			t.Errorf("Scan(%q, %q) = %q, want %q", tc.prefix, tc.after, got, tc.want)
		}
	}
	if v, ok, _ := r.Get("b/y"); !ok || string(v) != "yy" {
		t.Errorf("Get(b/y) = %q %v", v, ok)
	}
	if _, ok, _ := r.Get("b"); ok {
		t.Error("Get(b) found a key that is only a prefix")
	}
}

// FuzzDecode: any bytes decode or are refused, and what decodes re-encodes to a
// snapshot that decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add(sample().Encode())
	f.Add((&Snapshot{}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(s.Encode())
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoded snapshot: %v, %+v != %+v", err, again, s)
		}
	})
}

package store

import (
	"reflect"
	"strings"
	"testing"
)

func TestChangesRoundTrip(t *testing.T) {
	tests := [][]Change{
		{},
		{{Key: "a", Value: []byte{}}},
		{{Key: "zone/Z1", Value: []byte(`{"Name":"example.org."}`)}, {Key: "rrset/Z1/www", Deleted: true}},
		{{Key: strings.Repeat("k", 300), Value: []byte(strings.Repeat("v", 70000))}, {Key: "\x00\xff", Value: []byte{0}}},
	}
	for _, changes := range tests {
		got, err := DecodeChanges(EncodeChanges(changes))
		if err != nil {
			t.Fatalf("decode(encode(%d changes)): %v", len(changes), err)
		}
		if !reflect.DeepEqual(got, changes) {
			t.Fatalf("round trip of %d changes: got %+v", len(changes), got)
		}
	}
}

func TestDecodeChangesErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated at byte 0"},
		{"version", []byte{2, 0}, "version 2"},
		{"no count", []byte{1}, "bad length at byte 1"},
		{"huge count", []byte{1, 0xff, 0xff, 0x03}, "count 65535 exceeds"},
		{"missing change", []byte{1, 1}, "change 0: truncated at byte 2"},
		{"flags", []byte{1, 1, 4, 1, 'a'}, "change 0: unknown flags 0x4"},
		{"key past end", []byte{1, 1, 1, 5, 'a'}, "change 0: length 5 at byte 4 runs past the end"},
		{"empty key", []byte{1, 1, 1, 0}, "change 0: empty key"},
		{"value missing", []byte{1, 1, 0, 1, 'a'}, "change 0: bad length at byte 5"},
		{"trailing", []byte{1, 1, 1, 1, 'a', 9}, "1 trailing bytes"},
		{"padded varint (fuzzer)", []byte{1, 0x80, 0}, "non-minimal length at byte 1"},
	}
	for _, tc := range tests {
		_, err := DecodeChanges(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: decode(%v) error = %v, want %q", tc.name, tc.data, err, tc.want)
		}
	}
}

// FuzzDecodeChanges: decoding never panics, and whatever decodes re-encodes
// to the same bytes (the format has one encoding per list of changes).
func FuzzDecodeChanges(f *testing.F) {
	f.Add(EncodeChanges([]Change{{Key: "a", Value: []byte("1")}, {Key: "b", Deleted: true}}))
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 1, 1, 'a', 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := DecodeChanges(data)
		if err != nil {
			return
		}
		for _, c := range changes {
			if c.Key == "" || (c.Deleted && c.Value != nil) {
				t.Fatalf("decoded an invalid change %+v", c)
			}
		}
		if again := EncodeChanges(changes); string(again) != string(data) {
			t.Fatalf("re-encoding %x gave %x", data, again)
		}
	})
}

// The etcd backend reads entries another process wrote: each malformed shape is
// refused with its reason.
func TestDecodeChangesRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated at byte 0"},
		{"version", []byte{2, 0}, "version 2"},
		{"count too big", []byte{1, 100}, "count 100"},
		{"flags", []byte{1, 1, 4, 1, 'a'}, "unknown flags"},
		{"empty key", []byte{1, 1, 1, 0}, "empty key"},
		{"short key", []byte{1, 1, 1, 5, 'a'}, "length 5"},
		{"short value", []byte{1, 1, 0, 1, 'a', 3, 'x'}, "length 3"},
		{"trailing", []byte{1, 1, 1, 1, 'a', 9}, "1 trailing bytes"},
	}
	for _, tc := range tests {
		_, err := DecodeChanges(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: DecodeChanges(%v) = %v, want an error with %q", tc.name, tc.data, err, tc.want)
		}
	}
}

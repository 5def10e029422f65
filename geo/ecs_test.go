package geo

import (
	"errors"
	"testing"
)

func TestParseECS(t *testing.T) {
	tests := []struct {
		name          string
		family        uint16
		source, scope uint8
		addr          []byte
		want          string // prefix, "" for family 0
		err           error
	}{
		{"v4 /24", 1, 24, 0, []byte{192, 0, 2}, "192.0.2.0/24", nil},
		{"v4 /32", 1, 32, 0, []byte{192, 0, 2, 1}, "192.0.2.1/32", nil},
		{"v4 /20", 1, 20, 0, []byte{198, 51, 96}, "198.51.96.0/20", nil},
		{"v4 /0", 1, 0, 0, nil, "0.0.0.0/0", nil},
		{"v6 /56", 2, 56, 0, []byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0}, "2001:db8:1::/56", nil},
		{"v6 /0", 2, 0, 0, []byte{}, "::/0", nil},
		{"family 0", 0, 0, 0, nil, "", nil},
		{"family 0 with prefix", 0, 8, 0, []byte{1}, "", ErrECSFamily},
		{"family 3", 3, 0, 0, nil, "", ErrECSFamily},
		{"v4 /33", 1, 33, 0, []byte{1, 2, 3, 4, 5}, "", ErrECSSource},
		{"v6 /129", 2, 129, 0, make([]byte, 17), "", ErrECSSource},
		{"scope in query", 1, 24, 16, []byte{192, 0, 2}, "", ErrECSScope},
		{"address too long", 1, 24, 0, []byte{192, 0, 2, 0}, "", ErrECSAddress},
		{"address too short", 1, 24, 0, []byte{192, 0}, "", ErrECSAddress},
		{"bits beyond prefix", 1, 20, 0, []byte{198, 51, 100}, "", ErrECSBits},
		{"v6 bits beyond prefix", 2, 9, 0, []byte{0x20, 0x01}, "", ErrECSBits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseECS(tc.family, tc.source, tc.scope, tc.addr)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil || tc.want == "" {
				return
			}
			if got := e.Prefix().String(); got != tc.want {
				t.Errorf("prefix %s, want %s", got, tc.want)
			}
		})
	}
}

// FuzzParseECS checks ParseECS's promises on arbitrary fields: no panic, and an
// accepted option is self-consistent and survives a round trip through the wire
// form.
func FuzzParseECS(f *testing.F) {
	f.Add(uint16(1), uint8(24), uint8(0), []byte{192, 0, 2})
	f.Add(uint16(2), uint8(48), uint8(0), []byte{0x20, 1, 0xd, 0xb8, 0, 1})
	f.Add(uint16(0), uint8(0), uint8(0), []byte{})
	f.Add(uint16(1), uint8(20), uint8(0), []byte{198, 51, 100})
	f.Fuzz(func(t *testing.T, family uint16, source, scope uint8, addr []byte) {
		e, err := ParseECS(family, source, scope, addr)
		if err != nil {
			return
		}
		if scope != 0 || e.Source != int(source) || e.Family != family {
			t.Fatalf("accepted %d/%d/%d as %+v", family, source, scope, e)
		}
		if family == 0 {
			if source != 0 || e.Addr.IsValid() {
				t.Fatalf("family 0 accepted as %+v", e)
			}
			return
		}
		if (family == FamilyIPv4) != e.Addr.Is4() || e.Source > e.Addr.BitLen() {
			t.Fatalf("family %d gave %v/%d", family, e.Addr, e.Source)
		}
		if p := e.Prefix(); !p.IsValid() || p.Masked() != p {
			t.Fatalf("prefix %v not valid and masked", p)
		}
		wire := e.Addr.AsSlice()[:(e.Source+7)/8]
		again, err := ParseECS(e.Family, uint8(e.Source), 0, wire)
		if err != nil || again != e {
			t.Fatalf("round trip of %+v: %+v, %v", e, again, err)
		}
	})
}

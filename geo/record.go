package geo

import (
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// record is the decoding target for one database record. It reads only the
// fields Location needs, from every supported schema, and skips the rest:
//
//	GeoIP2/GeoLite2, DB-IP: continent.code, country.{iso_code,is_in_european_union},
//	  registered_country.{…}, subdivisions[].iso_code, city.names.en,
//	  location.{latitude,longitude}, autonomous_system_{number,organization},
//	  traits.autonomous_system_{number,organization} (Enterprise)
//	IPinfo lite: continent_code, country_code, asn ("AS15169"), as_name; the
//	  older country_asn files put the codes in "continent" and "country".
//
// Every string comes from the reader's string cache, so steady-state decoding
// allocates nothing.
type record struct {
	continent, country string
	regCountry         string
	inEU, regInEU      bool
	subs               [MaxSubdivisions]string
	city               string
	lat, lon           float64
	hasLat, hasLon     bool
	asn                uint32
	asOrg              string
}

// UnmarshalMaxMindDBCursor implements mmdbdata.CursorUnmarshaler.
func (r *record) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, mmdbdata.NormalizeUnmarshalError[record](err)
	}
	var next mmdbdata.Cursor
	for {
		key, v, ok := m.Next(next)
		if !ok {
			break
		}
		if next, err = r.field(key, v); err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

func (r *record) field(key []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	switch string(key) {
	case "continent":
		return r.place(v, &r.continent, nil, "code")
	case "country":
		return r.place(v, &r.country, &r.inEU, "iso_code")
	case "registered_country":
		return r.place(v, &r.regCountry, &r.regInEU, "iso_code")
	case "continent_code":
		return readString(v, &r.continent)
	case "country_code":
		return readString(v, &r.country)
	case "subdivisions":
		return r.subdivisions(v)
	case "city":
		return r.cityName(v)
	case "location":
		return r.location(v)
	case "traits":
		return r.traits(v)
	case "autonomous_system_number", "asn":
		return readASN(v, &r.asn)
	case "autonomous_system_organization", "as_name":
		return readString(v, &r.asOrg)
	}
	return v.Skip()
}

// place reads a continent or country: a map with a code and maybe an EU flag
// (GeoIP2, DB-IP), or a plain string, which older IPinfo files use for the
// code and IPinfo lite for the name (kept only when it looks like a code).
func (r *record) place(v mmdbdata.Cursor, code *string, eu *bool, codeKey string) (mmdbdata.Cursor, error) {
	kind, err := v.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind == mmdbdata.KindString {
		s, next, err := v.ReadString()
		if err == nil && *code == "" && isCode(s) {
			*code = s
		}
		return next, err
	}
	need := 2 // code and EU flag
	if eu == nil {
		need = 1
	}
	return eachKey(v, need, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
		switch {
		case string(k) == codeKey:
			next, err := readString(v, code)
			return next, true, err
		case eu != nil && string(k) == "is_in_european_union":
			b, next, err := v.ReadBool()
			*eu = *eu || b
			return next, true, err
		}
		return skip(v)
	})
}

func (r *record) subdivisions(v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	s, err := v.Slice()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		i, elem, ok := s.Next(next)
		if !ok {
			break
		}
		if i >= MaxSubdivisions || r.subs[i] != "" {
			next, err = elem.Skip()
		} else {
			next, err = eachKey(elem, 1, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
				if string(k) == "iso_code" {
					next, err := readString(v, &r.subs[i])
					return next, true, err
				}
				return skip(v)
			})
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return s.End()
}

func (r *record) cityName(v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return eachKey(v, 1, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
		if string(k) != "names" {
			return skip(v)
		}
		next, err := eachKey(v, 1, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
			if string(k) == "en" {
				next, err := readString(v, &r.city)
				return next, true, err
			}
			return skip(v)
		})
		return next, true, err
	})
}

func (r *record) location(v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return eachKey(v, 2, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
		switch string(k) {
		case "latitude":
			f, next, err := v.ReadFloat()
			r.lat, r.hasLat = f, err == nil
			return next, true, err
		case "longitude":
			f, next, err := v.ReadFloat()
			r.lon, r.hasLon = f, err == nil
			return next, true, err
		}
		return skip(v)
	})
}

func (r *record) traits(v mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return eachKey(v, 2, func(k []byte, v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
		switch string(k) {
		case "autonomous_system_number":
			next, err := readASN(v, &r.asn)
			return next, true, err
		case "autonomous_system_organization":
			next, err := readString(v, &r.asOrg)
			return next, true, err
		}
		return skip(v)
	})
}

// eachKey calls f for the entries of the map at v until f has reported need
// hits, and returns the map's successor. f must consume the value it is given
// and return its successor. Stopping early matters on real databases, whose
// continent, country and name maps are shared through pointers: the rest of
// the map is then skipped in one step instead of being walked key by key.
func eachKey(v mmdbdata.Cursor, need int, f func([]byte, mmdbdata.Cursor) (mmdbdata.Cursor, bool, error)) (mmdbdata.Cursor, error) {
	m, err := v.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, val, ok := m.Next(next)
		if !ok {
			break
		}
		var hit bool
		if next, hit, err = f(k, val); err != nil {
			return mmdbdata.Cursor{}, err
		}
		if hit {
			if need--; need == 0 {
				return v.Skip()
			}
		}
	}
	return m.End()
}

func skip(v mmdbdata.Cursor) (mmdbdata.Cursor, bool, error) {
	next, err := v.Skip()
	return next, false, err
}

// readString sets *dst to the string at v unless *dst is already set (the first
// database listed wins).
func readString(v mmdbdata.Cursor, dst *string) (mmdbdata.Cursor, error) {
	s, next, err := v.ReadString()
	if err == nil && *dst == "" {
		*dst = s
	}
	return next, err
}

// readASN reads an AS number stored as an unsigned integer (GeoIP2, DB-IP) or
// as a string "AS15169" (IPinfo), without allocating.
func readASN(v mmdbdata.Cursor, dst *uint32) (mmdbdata.Cursor, error) {
	kind, err := v.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var n uint64
	var next mmdbdata.Cursor
	if kind == mmdbdata.KindString {
		var s string
		s, next, err = v.ReadString()
		n = parseASN(s)
	} else {
		var signed bool
		n, signed, next, err = v.ReadInteger()
		if signed || n > 1<<32-1 {
			n = 0
		}
	}
	if err == nil && *dst == 0 {
		*dst = uint32(n)
	}
	return next, err
}

// parseASN parses "AS15169", "as15169" or "15169"; anything else is 0.
func parseASN(s string) uint64 {
	if len(s) >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's') {
		s = s[2:]
	}
	if s == "" || len(s) > 10 {
		return 0
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<32-1 {
		return 0
	}
	return n
}

// isCode reports whether s looks like a two-letter code ("DE", "EU").
func isCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

var _ mmdbdata.CursorUnmarshaler = (*record)(nil)

package geo

import (
	"net/netip"
	"testing"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

// FuzzOpen feeds arbitrary files to the database loader: each must be refused
// with an error or, once accepted, answer lookups without panicking — with and
// without full verification, for every schema the demo table is written in.
func FuzzOpen(f *testing.F) {
	for _, typ := range []string{geotest.TypeCity, geotest.TypeCountry, geotest.TypeASN,
		geotest.TypeEnterprise, geotest.TypeDBIPCity, geotest.TypeIPinfoLite, geotest.TypeIPinfoCountryASN, geotest.TypeISP} {
		data := mustRead(f, writeDB(f, typ))
		f.Add(data)
		f.Add(data[:len(data)/2])
		f.Add(data[:len(data)-1])
	}
	f.Add([]byte{})
	f.Add([]byte("\xab\xcd\xefMaxMind.com"))
	addrs := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8:1::1"),
		netip.MustParseAddr("100.68.0.1"), netip.MustParseAddr("::ffff:198.51.100.7"),
		netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("::1"),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []options{{}, {verify: true}} {
			db, err := openBytes("fuzz.mmdb", data, o)
			if err != nil {
				continue
			}
			var loc Location
			for _, a := range addrs {
				for range 2 { // the second lookup may come from the record cache
					_, _, _ = db.Lookup(a, &loc)
				}
			}
		}
	})
}

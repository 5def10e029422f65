package geo_test

import (
	"fmt"
	"net/netip"

	"github.com/coretraffic/coretraffic/geo"
)

func ExampleReader_Lookup() {
	r, err := geo.NewReader([]string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"})
	if err != nil {
		panic(err)
	}
	var loc geo.Location
	bits, found, err := r.Lookup(netip.MustParseAddr("2001:db8:1::53"), &loc)
	if err != nil {
		panic(err)
	}
	fmt.Println(found, bits, loc.Continent, loc.Country, loc.SubdivisionList(), loc.City, loc.ASN, loc.ASOrg)
	fmt.Printf("%.0f km to Tokyo\n", geo.Distance(loc.Lat, loc.Lon, 35.6762, 139.6503))
	// Output:
	// true 48 EU DE [DE-HE] Frankfurt am Main 64496 EXAMPLE-FRA
	// 9331 km to Tokyo
}

func ExampleParseECS() {
	// SOURCE PREFIX-LENGTH 24, ADDRESS 198.51.100 (three bytes on the wire).
	e, err := geo.ParseECS(geo.FamilyIPv4, 24, 0, []byte{198, 51, 100})
	fmt.Println(e.Prefix(), err)
	_, err = geo.ParseECS(geo.FamilyIPv4, 20, 0, []byte{198, 51, 100})
	fmt.Println(err)
	// Output:
	// 198.51.100.0/24 <nil>
	// ecs: address has bits set beyond source prefix length
}

package geotest

// DemoFiles are the demo databases mkdemo writes into geo/testdata.
var DemoFiles = []struct{ Name, DatabaseType string }{
	{"demo-city.mmdb", "coretraffic-Demo-City"},
	{"demo-asn.mmdb", "coretraffic-Demo-ASN"},
}

// Demo is the table behind geo/testdata/demo-city.mmdb and demo-asn.mmdb
// (documented in plugin/geo/README.md). Every range is a documentation,
// shared-address-space or loopback range: illustrative, not real geography.
var Demo = []Entry{
	{Networks: []string{"192.0.2.0/24", "2001:db8:1::/48"}, Continent: "EU", Country: "DE", InEU: true,
		Subdivisions: []string{"HE"}, City: "Frankfurt am Main", Lat: 50.1109, Lon: 8.6821, ASN: 64496, ASOrg: "EXAMPLE-FRA"},
	{Networks: []string{"198.51.100.0/24", "2001:db8:2::/48"}, Continent: "NA", Country: "US",
		Subdivisions: []string{"VA"}, City: "Ashburn", Lat: 39.0438, Lon: -77.4874, ASN: 64497, ASOrg: "EXAMPLE-IAD"},
	{Networks: []string{"203.0.113.0/24", "2001:db8:3::/48"}, Continent: "AS", Country: "JP",
		Subdivisions: []string{"13"}, City: "Tokyo", Lat: 35.6762, Lon: 139.6503, ASN: 64498, ASOrg: "EXAMPLE-NRT"},
	{Networks: []string{"100.64.0.0/16"}, Continent: "NA", Country: "US",
		Subdivisions: []string{"CA"}, City: "San Jose", Lat: 37.3382, Lon: -121.8863, ASN: 64499, ASOrg: "EXAMPLE-SJC"},
	{Networks: []string{"100.65.0.0/16", "2001:db8:4::/48"}, Continent: "SA", Country: "BR",
		Subdivisions: []string{"SP"}, City: "São Paulo", Lat: -23.5505, Lon: -46.6333, ASN: 64500, ASOrg: "EXAMPLE-GRU"},
	{Networks: []string{"100.66.0.0/16", "2001:db8:5::/48"}, Continent: "OC", Country: "AU",
		Subdivisions: []string{"NSW"}, City: "Sydney", Lat: -33.8688, Lon: 151.2093, ASN: 64501, ASOrg: "EXAMPLE-SYD"},
	{Networks: []string{"100.67.0.0/16"}, Continent: "AF", Country: "ZA",
		Subdivisions: []string{"GP"}, City: "Johannesburg", Lat: -26.2041, Lon: 28.0473, ASN: 64502, ASOrg: "EXAMPLE-JNB"},
	{Networks: []string{"100.68.0.0/16", "2001:db8:6::/48"}, Continent: "EU", Country: "GB",
		Subdivisions: []string{"ENG", "LND"}, City: "London", Lat: 51.5074, Lon: -0.1278, ASN: 64503, ASOrg: "EXAMPLE-LHR"},
	{Networks: []string{"100.69.0.0/16"}, Continent: "EU", Country: "FR", InEU: true,
		Subdivisions: []string{"IDF"}, City: "Paris", Lat: 48.8566, Lon: 2.3522, ASN: 64504, ASOrg: "EXAMPLE-CDG"},
	{Networks: []string{"100.70.0.0/16"}, Continent: "AS", Country: "IN",
		Subdivisions: []string{"MH"}, City: "Mumbai", Lat: 19.0760, Lon: 72.8777, ASN: 64505, ASOrg: "EXAMPLE-BOM"},
	{Networks: []string{"100.71.0.0/16"}, Continent: "NA", Country: "CA",
		Subdivisions: []string{"ON"}, City: "Toronto", Lat: 43.6532, Lon: -79.3832, ASN: 64506, ASOrg: "EXAMPLE-YYZ"},
	// Null Island: a real coordinate of 0,0 (tests HasCoords).
	{Networks: []string{"100.72.0.0/16"}, Continent: "AF", Country: "GH",
		City: "Null Island", Lat: 0, Lon: 0, ASN: 64507, ASOrg: "EXAMPLE-NULL"},
	// Loopback, so a local dig gets a location: country only, no city.
	{Networks: []string{"127.0.0.0/8", "::1/128"}, Continent: "NA", Country: "US", NoCoords: true,
		ASN: 64511, ASOrg: "EXAMPLE-LOOPBACK"},
}

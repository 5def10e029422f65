package geo

import (
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

// writeDB writes a database of dbType with the demo table into a temp dir.
func writeDB(t testing.TB, dbType string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.mmdb")
	if err := geotest.Write(path, dbType, geotest.Demo); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSchemas(t *testing.T) {
	frankfurt := Location{Continent: "EU", Country: "DE", Subdivisions: [MaxSubdivisions]string{"DE-HE"},
		City: "Frankfurt am Main", Lat: 50.1109, Lon: 8.6821, HasCoords: true, InEU: true}
	withASN := frankfurt
	withASN.ASN, withASN.ASOrg = 64496, "EXAMPLE-FRA"
	tests := []struct {
		dbType string
		schema Schema
		want   Location
	}{
		{geotest.TypeCity, SchemaCity, frankfurt},
		{"GeoIP2-City", SchemaCity, frankfurt},
		{geotest.TypeCountry, SchemaCountry, Location{Continent: "EU", Country: "DE", InEU: true}},
		{geotest.TypeASN, SchemaASN, Location{ASN: 64496, ASOrg: "EXAMPLE-FRA"}},
		{geotest.TypeEnterprise, SchemaEnterprise, withASN},
		{geotest.TypeDBIPCity, SchemaCity, Location{Continent: "EU", Country: "DE", City: "Frankfurt am Main",
			Lat: 50.1109, Lon: 8.6821, HasCoords: true, InEU: true}}, // DB-IP lite: no subdivision codes
		{"DBIP-Country-Lite", SchemaCountry, Location{Continent: "EU", Country: "DE", InEU: true}},
		{"DBIP-ASN-Lite", SchemaASN, Location{ASN: 64496, ASOrg: "EXAMPLE-FRA"}},
		{geotest.TypeIPinfoLite, SchemaIPinfo, Location{Continent: "EU", Country: "DE", ASN: 64496, ASOrg: "EXAMPLE-FRA"}},
		{geotest.TypeIPinfoCountryASN, SchemaIPinfo, Location{Continent: "EU", Country: "DE", ASN: 64496, ASOrg: "EXAMPLE-FRA"}},
		{geotest.TypeISP, SchemaASN, Location{ASN: 64496, ASOrg: "EXAMPLE-FRA"}},
	}
	for _, tc := range tests {
		t.Run(tc.dbType, func(t *testing.T) {
			db, err := Open(writeDB(t, tc.dbType))
			if err != nil {
				t.Fatal(err)
			}
			if db.Info().Schema != tc.schema {
				t.Errorf("schema %s, want %s", db.Info().Schema, tc.schema)
			}
			for _, a := range []string{"192.0.2.77", "2001:db8:1:ff::1", "::ffff:192.0.2.77"} {
				var loc Location
				bits, found, err := db.Lookup(netip.MustParseAddr(a), &loc)
				if err != nil || !found {
					t.Fatalf("%s: found %v err %v", a, found, err)
				}
				if loc != tc.want {
					t.Errorf("%s:\n got %+v\nwant %+v", a, loc, tc.want)
				}
				wantBits := map[string]int{"192.0.2.77": 24, "2001:db8:1:ff::1": 48, "::ffff:192.0.2.77": 120}[a]
				if bits != wantBits {
					t.Errorf("%s: bits %d, want %d", a, bits, wantBits)
				}
			}
		})
	}
}

func TestDemoTable(t *testing.T) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb", "testdata/demo-asn.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr               string
		continent, country string
		subs               []string
		city               string
		asn                uint32
		coords             bool
		bits               int
		found              bool
	}{
		{"192.0.2.1", "EU", "DE", []string{"DE-HE"}, "Frankfurt am Main", 64496, true, 24, true},
		{"2001:db8:1::53", "EU", "DE", []string{"DE-HE"}, "Frankfurt am Main", 64496, true, 48, true},
		{"198.51.100.9", "NA", "US", []string{"US-VA"}, "Ashburn", 64497, true, 24, true},
		{"2001:db8:2::1", "NA", "US", []string{"US-VA"}, "Ashburn", 64497, true, 48, true},
		{"203.0.113.200", "AS", "JP", []string{"JP-13"}, "Tokyo", 64498, true, 24, true},
		{"2001:db8:3:1::", "AS", "JP", []string{"JP-13"}, "Tokyo", 64498, true, 48, true},
		{"100.64.1.1", "NA", "US", []string{"US-CA"}, "San Jose", 64499, true, 16, true},
		{"100.65.1.1", "SA", "BR", []string{"BR-SP"}, "São Paulo", 64500, true, 16, true},
		{"100.66.1.1", "OC", "AU", []string{"AU-NSW"}, "Sydney", 64501, true, 16, true},
		{"100.67.1.1", "AF", "ZA", []string{"ZA-GP"}, "Johannesburg", 64502, true, 16, true},
		{"100.68.1.1", "EU", "GB", []string{"GB-ENG", "GB-LND"}, "London", 64503, true, 16, true},
		{"100.72.0.1", "AF", "GH", nil, "Null Island", 64507, true, 16, true},
		{"127.0.0.1", "NA", "US", nil, "", 64511, false, 8, true},
		{"::1", "NA", "US", nil, "", 64511, false, 128, true},
		{"64:ff9b::c000:201", "EU", "DE", []string{"DE-HE"}, "Frankfurt am Main", 64496, true, 120, true}, // NAT64
		{"2002:c000:0201::1", "EU", "DE", []string{"DE-HE"}, "Frankfurt am Main", 64496, true, 40, true},  // 6to4
		{"8.8.8.8", "", "", nil, "", 0, false, 1, false},
	}
	for _, tc := range tests {
		var loc Location
		bits, found, err := r.Lookup(netip.MustParseAddr(tc.addr), &loc)
		if err != nil {
			t.Fatalf("%s: %v", tc.addr, err)
		}
		got := loc.SubdivisionList()
		if loc.Continent != tc.continent || loc.Country != tc.country || loc.City != tc.city ||
			loc.ASN != tc.asn || loc.HasCoords != tc.coords || found != tc.found || len(got) != len(tc.subs) {
			t.Errorf("%s: got %+v found %v", tc.addr, loc, found)
			continue
		}
		for i := range got {
			if got[i] != tc.subs[i] {
				t.Errorf("%s: subdivisions %v, want %v", tc.addr, got, tc.subs)
			}
		}
		if tc.found && bits != tc.bits {
			t.Errorf("%s: bits %d, want %d", tc.addr, bits, tc.bits)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeDB(t, geotest.TypeCity)
	data := mustRead(t, good)
	tests := []struct {
		name, content, want string
	}{
		{"missing", "", "no such file"},
		{"empty", "\x00", "file is empty"},
		{"text", "hello, world\n", "not a valid MaxMind DB"},
		{"truncated", string(data[len(data)/3:]), "MaxMind DB"},
		{"unknowntype", "", "unsupported database type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".mmdb")
			switch tc.name {
			case "missing":
			case "empty":
				writeFile(t, path, nil)
			case "unknowntype":
				if err := geotest.Write(path, "Example-Weather", geotest.Demo); err != nil {
					t.Fatal(err)
				}
			default:
				writeFile(t, path, []byte(tc.content))
			}
			_, err := Open(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !contains(err.Error(), tc.want) || !contains(err.Error(), path) {
				t.Errorf("error %q, want it to name %s and contain %q", err, path, tc.want)
			}
		})
	}
}

// TestCorruptDataRandom damages a database at random places, several bytes at a
// time (reproducibly), and asks what TestCorruptData asks, and more: every variant
// is refused or answers lookups, each within a second, never hanging the loader
// (start-up, reload) or a query.
func TestCorruptDataRandom(t *testing.T) {
	base := mustRead(t, writeDB(t, geotest.TypeCity))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		data := append([]byte(nil), base...)
		for range 1 + r.IntN(4) {
			j := r.IntN(len(data) - 4)
			switch r.IntN(3) {
			case 0:
				data[j] = byte(r.IntN(256))
			case 1:
				data[j] ^= 1 << r.IntN(8)
			case 2:
				copy(data[j:], []byte{0xff, 0xff, 0xff, 0xff}) // a far pointer or size
			}
		}
		for _, o := range []options{{}, {verify: true}} {
			start := time.Now()
			if db, err := openBytes("corrupt.mmdb", data, o); err == nil {
				var loc Location
				for _, a := range []string{"192.0.2.1", "2001:db8:1::1", "100.68.0.1", "8.8.8.8"} {
					_, _, _ = db.Lookup(netip.MustParseAddr(a), &loc)
				}
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("variant %d (verify %v): %v to open and look up", i, o.verify, d)
			}
		}
	}
}

func TestCorruptData(t *testing.T) {
	data := mustRead(t, writeDB(t, geotest.TypeCity))
	// Flip bytes across the search tree and data section; every variant must
	// either be refused or answer lookups without panicking. Full verification
	// refuses at least as much as the default checks.
	light, full := 0, 0
	for i := 0; i < len(data)-64; i += 11 {
		c := append([]byte(nil), data...)
		c[i] ^= 0xff
		for _, o := range []options{{}, {verify: true}} {
			db, err := openBytes("corrupt.mmdb", c, o)
			if err != nil {
				if o.verify {
					full++
				} else {
					light++
				}
				continue
			}
			var loc Location
			for _, a := range []string{"192.0.2.1", "2001:db8:1::1", "100.68.0.1", "8.8.8.8", "127.0.0.1"} {
				_, _, _ = db.Lookup(netip.MustParseAddr(a), &loc)
			}
		}
	}
	if full < light || light == 0 {
		t.Errorf("refused %d variants by default, %d with Verify", light, full)
	}
	t.Logf("of %d corrupted variants, refused %d by default and %d with Verify", (len(data)-64)/11, light, full)
}

func TestParseASN(t *testing.T) {
	for in, want := range map[string]uint64{"AS15169": 15169, "as1": 1, "64496": 64496, "AS": 0, "ASx1": 0,
		"": 0, "AS4294967295": 4294967295, "AS4294967296": 0, "AS99999999999": 0} {
		if got := parseASN(in); got != want {
			t.Errorf("parseASN(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestIPv4OnlyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v4.mmdb")
	if err := geotest.WriteIPv4(path, geotest.TypeCountry, geotest.Demo); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Info().IPVersion != 4 {
		t.Fatalf("ip_version %d", db.Info().IPVersion)
	}
	tests := []struct {
		addr    string
		country string
		bits    int
		found   bool
	}{
		{"192.0.2.1", "DE", 24, true},
		{"100.68.9.9", "GB", 16, true},
		{"::ffff:203.0.113.9", "JP", 120, true},
		{"2001:db8:1::1", "", 0, false}, // no IPv6 in the database: same answer for all of it
	}
	for _, tc := range tests {
		var loc Location
		bits, found, err := db.Lookup(netip.MustParseAddr(tc.addr), &loc)
		if err != nil || found != tc.found || loc.Country != tc.country || bits != tc.bits {
			t.Errorf("%s: country %q bits %d found %v err %v, want %q %d %v", tc.addr, loc.Country, bits, found, err, tc.country, tc.bits, tc.found)
		}
	}
}

// TestCombinedPrefix: with a City database that knows 100.68.0.0/16 and an ASN
// database that knows 100.64.0.0/12, the combined answer for 100.68.1.1 is only
// valid across the /16: within the /12 the city changes. (100.79.0.1 is in the
// /12 and in an empty /14 of the City database.)
func TestCombinedPrefix(t *testing.T) {
	dir := t.TempDir()
	city, asn := filepath.Join(dir, "city.mmdb"), filepath.Join(dir, "asn.mmdb")
	if err := geotest.Write(city, geotest.TypeCity, geotest.Demo); err != nil {
		t.Fatal(err)
	}
	wide := []geotest.Entry{{Networks: []string{"100.64.0.0/12", "2001:db8::/32"}, ASN: 64510, ASOrg: "EXAMPLE-WIDE"}}
	if err := geotest.Write(asn, geotest.TypeASN, wide); err != nil {
		t.Fatal(err)
	}
	for _, order := range [][]string{{city, asn}, {asn, city}} {
		r, err := NewReader(order)
		if err != nil {
			t.Fatal(err)
		}
		for addr, want := range map[string]int{"100.68.1.1": 16, "2001:db8:1::1": 48, "100.79.0.1": 14, "10.0.0.1": 5} {
			var loc Location
			bits, _, err := r.Lookup(netip.MustParseAddr(addr), &loc)
			if err != nil || bits != want {
				t.Errorf("%v %s: bits %d err %v, want %d", order, addr, bits, err, want)
			}
		}
	}
}

// Package geotest writes small MaxMind-format databases for tests and demos,
// in the record layout of each database family geo reads: GeoIP2/GeoLite2 City,
// Country, ASN and Enterprise, DB-IP lite City, and IPinfo lite.
package geotest

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Entry is one row of a test database: networks and what they map to.
type Entry struct {
	Networks     []string // CIDRs
	Continent    string   // "EU"
	Country      string   // "DE"
	InEU         bool
	Subdivisions []string // ISO 3166-2 codes without the country prefix, most general first: "HE"
	City         string
	Lat, Lon     float64
	NoCoords     bool
	ASN          uint32
	ASOrg        string
}

// Database types understood by Write, as they appear in real metadata.
const (
	TypeCity       = "GeoLite2-City"
	TypeCountry    = "GeoLite2-Country"
	TypeASN        = "GeoLite2-ASN"
	TypeEnterprise = "GeoIP2-Enterprise"
	TypeDBIPCity   = "DBIP-City-Lite"
	TypeIPinfoLite = "ipinfo ipinfo_lite.mmdb"
	// TypeIPinfoCountryASN is IPinfo's older free country_asn file: codes in
	// "country" and "continent", names beside them.
	TypeIPinfoCountryASN = "ipinfo country_asn.mmdb"
	// TypeISP is GeoIP2-ISP: the ASN layout plus isp and organization.
	TypeISP = "GeoIP2-ISP"
)

// BuildEpoch is the fixed build time of written databases, so output is
// reproducible: 2026-01-01T00:00:00Z.
const BuildEpoch = 1767225600

// Write writes a database of dbType with entries to path.
func Write(path, dbType string, entries []Entry) error {
	return write(path, dbType, 6, entries)
}

// WriteIPv4 writes an IPv4-only database (ip_version 4), skipping IPv6 networks.
func WriteIPv4(path, dbType string, entries []Entry) error {
	return write(path, dbType, 4, entries)
}

func write(path, dbType string, ipVersion int, entries []Entry) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		IPVersion:               ipVersion,
		DatabaseType:            dbType,
		Description:             map[string]string{"en": "coretraffic test data, not real locations"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true, // documentation ranges are reserved
		BuildEpoch:              BuildEpoch,
		RecordSize:              24,
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		rec := Record(dbType, e)
		for _, cidr := range e.Networks {
			_, n, err := net.ParseCIDR(cidr)
			if err != nil {
				return fmt.Errorf("%s: %w", cidr, err)
			}
			if ipVersion == 4 && n.IP.To4() == nil {
				continue
			}
			if err := tree.Insert(n, rec); err != nil {
				return fmt.Errorf("%s: %w", cidr, err)
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Record returns the record for e in the layout of dbType.
func Record(dbType string, e Entry) mmdbtype.Map {
	t := strings.ToLower(dbType)
	switch {
	case strings.Contains(t, "country_asn"):
		return ipinfoCountryASN(e)
	case strings.Contains(t, "ipinfo"):
		return ipinfo(e)
	case strings.Contains(t, "isp"):
		m := asn(e)
		m["isp"] = mmdbtype.String("ISP of " + e.ASOrg)
		m["organization"] = mmdbtype.String("Organization of " + e.ASOrg)
		return m
	case strings.Contains(t, "asn"):
		return asn(e)
	case strings.Contains(t, "country"):
		return country(e)
	case strings.Contains(t, "enterprise"):
		m := city(e, true)
		m["traits"] = asn(e)
		return m
	}
	return city(e, !strings.Contains(t, "dbip"))
}

// names is a localised name map with the eight languages GeoLite2 carries, so
// decoding skips as much as it does on real data.
func names(s string) mmdbtype.Map {
	m := mmdbtype.Map{"en": mmdbtype.String(s)}
	for _, lang := range []string{"de", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"} {
		m[mmdbtype.String(lang)] = mmdbtype.String(s + " (" + lang + ")")
	}
	return m
}

func country(e Entry) mmdbtype.Map {
	m := mmdbtype.Map{}
	if e.Continent != "" {
		m["continent"] = mmdbtype.Map{"code": mmdbtype.String(e.Continent), "geoname_id": mmdbtype.Uint32(6255148), "names": names(e.Continent)}
	}
	if e.Country != "" {
		c := mmdbtype.Map{"iso_code": mmdbtype.String(e.Country), "geoname_id": mmdbtype.Uint32(2921044), "names": names(e.Country)}
		if e.InEU {
			c["is_in_european_union"] = mmdbtype.Bool(true)
		}
		m["country"] = c
		m["registered_country"] = c
	}
	return m
}

// city is the GeoIP2 City layout; DB-IP lite has subdivision names but no codes.
func city(e Entry, subdivisionCodes bool) mmdbtype.Map {
	m := country(e)
	if e.City != "" {
		m["city"] = mmdbtype.Map{"geoname_id": mmdbtype.Uint32(2925533), "names": names(e.City)}
	}
	if e.City != "" {
		m["postal"] = mmdbtype.Map{"code": mmdbtype.String("12345")}
	}
	if !e.NoCoords && (e.City != "" || e.Lat != 0 || e.Lon != 0) {
		m["location"] = mmdbtype.Map{
			"latitude":        mmdbtype.Float64(e.Lat),
			"longitude":       mmdbtype.Float64(e.Lon),
			"accuracy_radius": mmdbtype.Uint16(20),
			"time_zone":       mmdbtype.String("Etc/UTC"),
		}
	}
	if len(e.Subdivisions) > 0 {
		subs := mmdbtype.Slice{}
		for _, s := range e.Subdivisions {
			sub := mmdbtype.Map{"names": names("Subdivision " + s), "geoname_id": mmdbtype.Uint32(2905330)}
			if subdivisionCodes {
				sub["iso_code"] = mmdbtype.String(s)
			}
			subs = append(subs, sub)
		}
		m["subdivisions"] = subs
	}
	return m
}

func asn(e Entry) mmdbtype.Map {
	m := mmdbtype.Map{}
	if e.ASN != 0 {
		m["autonomous_system_number"] = mmdbtype.Uint32(e.ASN)
	}
	if e.ASOrg != "" {
		m["autonomous_system_organization"] = mmdbtype.String(e.ASOrg)
	}
	return m
}

// ipinfoCountryASN is the flat layout of IPinfo's country_asn file: the codes
// in country and continent, names in *_name, the AS number as "AS64496".
func ipinfoCountryASN(e Entry) mmdbtype.Map {
	m := mmdbtype.Map{
		"country":        mmdbtype.String(e.Country),
		"country_name":   mmdbtype.String("Country " + e.Country),
		"continent":      mmdbtype.String(e.Continent),
		"continent_name": mmdbtype.String("Continent " + e.Continent),
	}
	if e.ASN != 0 {
		m["asn"] = mmdbtype.String(fmt.Sprintf("AS%d", e.ASN))
		m["as_name"] = mmdbtype.String(e.ASOrg)
		m["as_domain"] = mmdbtype.String("example.net")
	}
	return m
}

// ipinfo is the flat IPinfo lite layout: names in country/continent, codes in
// *_code, the AS number as a string "AS64496".
func ipinfo(e Entry) mmdbtype.Map {
	m := mmdbtype.Map{
		"country":        mmdbtype.String("Country " + e.Country),
		"country_code":   mmdbtype.String(e.Country),
		"continent":      mmdbtype.String("Continent " + e.Continent),
		"continent_code": mmdbtype.String(e.Continent),
	}
	if e.ASN != 0 {
		m["asn"] = mmdbtype.String(fmt.Sprintf("AS%d", e.ASN))
		m["as_name"] = mmdbtype.String(e.ASOrg)
		m["as_domain"] = mmdbtype.String("example.net")
	}
	return m
}

package geo

import (
	"fmt"
	"strings"
)

// Schema is the record layout of a database, recognised from its metadata's
// database_type.
type Schema uint8

// Supported schemas.
const (
	SchemaUnknown    Schema = iota
	SchemaCity              // GeoIP2/GeoLite2-City, DBIP-City-Lite, DBIP-Location
	SchemaCountry           // GeoIP2/GeoLite2-Country, DBIP-Country-Lite
	SchemaASN               // GeoLite2-ASN, GeoIP2-ISP, DBIP-ASN-Lite, DBIP-ISP
	SchemaEnterprise        // GeoIP2-Enterprise: City plus traits.autonomous_system_*
	SchemaIPinfo            // IPinfo lite and country_asn: flat country/continent/asn
)

var schemaNames = [...]string{"unknown", "city", "country", "asn", "enterprise", "ipinfo"}

// String returns the schema's name as used in messages: "city", "asn", …
func (s Schema) String() string {
	if int(s) < len(schemaNames) {
		return schemaNames[s]
	}
	return "unknown"
}

// Provides reports which Location fields a database of this schema can fill.
func (s Schema) Provides() []string {
	switch s {
	case SchemaCity:
		return []string{"continent", "country", "subdivisions", "city", "coordinates"}
	case SchemaCountry:
		return []string{"continent", "country"}
	case SchemaASN:
		return []string{"asn"}
	case SchemaEnterprise:
		return []string{"continent", "country", "subdivisions", "city", "coordinates", "asn"}
	case SchemaIPinfo:
		return []string{"continent", "country", "asn"}
	}
	return nil
}

// SchemaOf recognises a database by its metadata's database_type. The order
// matters: "ipinfo country_asn.mmdb" is IPinfo, "GeoIP2-Enterprise" is not a
// plain City database even if a vendor names it "…City…".
func SchemaOf(databaseType string) (Schema, error) {
	t := strings.ToLower(databaseType)
	switch {
	case strings.Contains(t, "ipinfo"):
		return SchemaIPinfo, nil
	case strings.Contains(t, "enterprise"):
		return SchemaEnterprise, nil
	case strings.Contains(t, "city"), strings.Contains(t, "location"):
		return SchemaCity, nil
	case strings.Contains(t, "country"):
		return SchemaCountry, nil
	case strings.Contains(t, "asn"), strings.Contains(t, "isp"):
		return SchemaASN, nil
	}
	return SchemaUnknown, fmt.Errorf("unsupported database type %q (want a City, Country, ASN, Enterprise, DB-IP or IPinfo database)", databaseType)
}

// Package geo finds where a client is: continent, country, subdivisions, city,
// coordinates and autonomous system, from MaxMind-format (.mmdb) databases.
//
// It opens GeoIP2/GeoLite2 City, Country, ASN and Enterprise databases, DB-IP
// lite and commercial files and IPinfo lite files, recognising each by its
// metadata. A lookup decodes only the fields that traffic steering needs and
// allocates nothing. Databases can be replaced while lookups run: a new file is
// opened and verified off the lookup path and swapped in atomically; the old one
// is closed once no lookup uses it.
//
// The package has no CoreDNS imports; plugin/geo is the Corefile glue.
package geo

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
)

// MaxSubdivisions is how many subdivision levels a Location keeps. GeoIP2 has at
// most two; deeper levels in other databases are dropped.
const MaxSubdivisions = 3

// Location is where an address is, as far as the databases know. A zero field
// means "unknown". Strings are shared with the database's string cache and must
// be treated as read-only values (they are ordinary Go strings, safe to keep).
type Location struct {
	Continent string // continent code: "EU", "NA", "AS", "AF", "SA", "OC", "AN"
	Country   string // ISO 3166-1 alpha-2 code: "DE"

	// Subdivisions holds ISO 3166-2 codes in country-prefixed form ("DE-HE",
	// "GB-ENG", "GB-WSM"), most general first; unused entries are "".
	Subdivisions [MaxSubdivisions]string

	City string // English city name

	Lat, Lon  float64 // WGS 84 degrees; only meaningful when HasCoords
	HasCoords bool    // 0,0 is a real place: trust this flag, not the values

	ASN   uint32 // autonomous system number, 0 when unknown
	ASOrg string // autonomous system organisation
	InEU  bool   // country is a member state of the European Union
}

// NumSubdivisions returns how many subdivision levels are known.
func (l *Location) NumSubdivisions() int {
	n := 0
	for n < MaxSubdivisions && l.Subdivisions[n] != "" {
		n++
	}
	return n
}

// SubdivisionList returns the known subdivision codes, most general first. The
// slice aliases l.
func (l *Location) SubdivisionList() []string {
	return l.Subdivisions[:l.NumSubdivisions()]
}

// Client is what the geo directive decided about one query: which address the
// location is for, where that is, and how much of the address the decision
// depended on, so the responder can set the ECS scope (RFC 7871 §7.2.1).
//
// SourcePrefix and Scope count bits of the address as it arrived: of ECSAddr in
// family ECSFamily when the query carried ECS, else of Addr.
type Client struct {
	// Addr is the address the location was looked up for, canonical: IPv4 as a
	// 4-byte address even when it arrived IPv4-mapped. It is the ECS address
	// when FromECS, else the query's source address.
	Addr netip.Addr

	// SourcePrefix is the ECS SOURCE PREFIX-LENGTH, or the full address length
	// (32 or 128) when the location comes from the source address.
	SourcePrefix int

	// ECS is true when the query carried an ECS option from a trusted sender;
	// the response must then carry an ECS option too (RFC 7871 §7.2.1), built
	// from ECSFamily, ECSAddr, SourcePrefix and Scope.
	ECS bool
	// FromECS is true when the location is the ECS address's. It is false with
	// ECS true when the SOURCE PREFIX-LENGTH was 0 ("do not use my address").
	FromECS   bool
	ECSFamily uint16     // 1 (IPv4) or 2 (IPv6) as received; 0 for a family 0, prefix 0 option
	ECSAddr   netip.Addr // the ECS address as received, masked to SourcePrefix

	Location Location
	Found    bool // some database had data for Addr

	// Scope is the prefix length the location decision depended on: the
	// shortest matching database network, clipped to SourcePrefix. An answer
	// chosen by Location is valid for every address sharing these bits. When
	// ECS is true but FromECS is false it is 0.
	Scope int
}

// Subnet returns the client subnet the decision was made for: Addr masked to
// SourcePrefix, both in Addr's canonical family.
func (c *Client) Subnet() netip.Prefix {
	bits := c.SourcePrefix
	if c.FromECS && c.ECSAddr.Is6() && c.Addr.Is4() {
		bits -= 96 // IPv4-mapped ECS address
		if bits < 0 {
			bits = 0
		}
	}
	p, _ := c.Addr.Prefix(bits)
	return p
}

type clientKey struct{}

// NewContext returns a copy of ctx carrying c.
func NewContext(ctx context.Context, c *Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// FromContext returns the Client stored in ctx by NewContext.
func FromContext(ctx context.Context) (*Client, bool) {
	c, ok := ctx.Value(clientKey{}).(*Client)
	return c, ok && c != nil
}

// Locator is what Locate looks addresses up in: a Reader or a Database.
type Locator interface {
	Lookup(addr netip.Addr, loc *Location) (bits int, found bool, err error)
}

// Locate decides where the client of a query is: from ecs when the query carried
// a trusted ECS option (nil otherwise), else from the source address src. It sets
// every field of c; err is the database's, with c then holding no location.
//
// The geo directive calls it per query; explain and simulate call it for the
// clients they are asked about, so they place a client where a query would.
func Locate(db Locator, src netip.Addr, ecs *ECS, c *Client) error {
	*c = Client{}
	lookup := src
	if ecs != nil {
		c.ECS, c.ECSFamily, c.ECSAddr, c.SourcePrefix = true, ecs.Family, ecs.Addr, ecs.Source
		if ecs.Source > 0 {
			c.FromECS, lookup = true, ecs.Addr
		}
	} else {
		c.SourcePrefix = src.BitLen()
	}
	c.Addr = Canonical(lookup)
	bits, found, err := db.Lookup(lookup, &c.Location)
	if err != nil {
		c.Location, found, bits = Location{}, false, 0
	}
	c.Found = found
	c.Scope = min(bits, c.SourcePrefix)
	if c.ECS && !c.FromECS {
		c.Scope = 0
	}
	return err
}

// String is the location in one line, most general first: "EU DE DE-HE Frankfurt am
// Main (50.11, 8.68)"; "" when it holds nothing. Explain and simulate print it.
func (l *Location) String() string {
	parts := make([]string, 0, 4+MaxSubdivisions)
	for _, s := range append([]string{l.Continent, l.Country}, l.SubdivisionList()...) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if l.City != "" {
		parts = append(parts, l.City)
	}
	if l.HasCoords {
		parts = append(parts, fmt.Sprintf("(%.2f, %.2f)", l.Lat, l.Lon))
	}
	return strings.Join(parts, " ")
}

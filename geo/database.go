package geo

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Database is one opened, verified .mmdb file. It is immutable and safe for
// concurrent lookups. Its data lives in memory (not mmap'd), so a file rewritten
// or truncated in place can never fault a lookup; once a Database is no longer
// referenced the garbage collector reclaims it.
type Database struct {
	info  Info
	r     *maxminddb.Reader
	subs  internTable
	cache recordCache

	noCache bool // benchmarks: measure the decode path
}

// Info describes an opened database.
type Info struct {
	Path         string
	Schema       Schema
	DatabaseType string    // metadata database_type, e.g. "GeoLite2-City"
	IPVersion    int       // 4: IPv4 only, 6: IPv4 and IPv6
	BuildTime    time.Time // metadata build_epoch
	LoadTime     time.Time // when this copy was opened
	Size         int64
}

// Option changes how Open and NewReader load a database.
type Option func(*options)

type options struct {
	verify bool
}

// Verify makes loading check the whole file: every search-tree node and every
// record in the data section (maxminddb's Reader.Verify). It catches corruption
// anywhere, at a cost of seconds of CPU per ten megabytes. Without it a load
// checks the metadata, the tree's bounds and a sample of records, which
// catches truncated, empty, foreign and wrong-type files; lookups are
// bounds-checked either way, so a corrupt database can give wrong or missing
// answers but never crash.
func Verify() Option { return func(o *options) { o.verify = true } }

// sampleRecords is how many networks a load decodes to check that the records
// fit the schema.
const sampleRecords = 512

// Open reads and checks the database at path and recognises its schema.
// Errors name the file and the cause: missing, unreadable, empty, not a MaxMind
// DB, corrupt, or of an unsupported type.
func Open(path string, opts ...Option) (*Database, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	return openBytes(path, data, o)
}

func openBytes(path string, data []byte, o options) (*Database, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: file is empty", path)
	}
	r, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid MaxMind DB file: %w", path, err)
	}
	md := r.Metadata
	switch {
	case md.BinaryFormatMajorVersion != 2:
		return nil, fmt.Errorf("%s: unsupported MaxMind DB format version %d", path, md.BinaryFormatMajorVersion)
	case md.RecordSize != 24 && md.RecordSize != 28 && md.RecordSize != 32,
		md.IPVersion != 4 && md.IPVersion != 6, md.NodeCount == 0:
		return nil, fmt.Errorf("%s: corrupt database: invalid metadata (record size %d, ip version %d, %d nodes)",
			path, md.RecordSize, md.IPVersion, md.NodeCount)
	}
	schema, err := SchemaOf(md.DatabaseType)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if o.verify {
		if err := r.Verify(); err != nil {
			return nil, fmt.Errorf("%s: corrupt database: %w", path, err)
		}
	}
	d := &Database{
		r:     r,
		cache: newRecordCache(),
		info: Info{
			Path:         path,
			Schema:       schema,
			DatabaseType: md.DatabaseType,
			IPVersion:    int(md.IPVersion),
			BuildTime:    md.BuildTime(),
			LoadTime:     time.Now(),
			Size:         int64(len(data)),
		},
	}
	if err := d.sample(); err != nil {
		return nil, fmt.Errorf("%s: corrupt database or records that do not match the %s schema: %w", path, schema, err)
	}
	return d, nil
}

// sample looks up a few fixed addresses and decodes the first records of the
// tree, so a damaged tree or records of an unexpected shape are refused at load
// rather than found by queries.
func (d *Database) sample() error {
	var loc Location
	for _, probe := range probes {
		if _, _, err := d.Lookup(probe, &loc); err != nil {
			return err
		}
	}
	n := 0
	for res := range d.r.Networks(maxminddb.SkipEmptyValues()) {
		if err := res.Err(); err != nil {
			return err
		}
		var rec record
		if err := res.Decode(&rec); err != nil {
			return err
		}
		if n++; n == sampleRecords {
			break
		}
	}
	return nil
}

// recordPool recycles decode targets: Decode takes an interface, so a record
// on the stack would escape and cost an allocation per lookup.
var recordPool = sync.Pool{New: func() any { return new(record) }}

var probes = []netip.Addr{
	netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("81.2.69.160"), netip.MustParseAddr("203.0.113.1"),
	netip.MustParseAddr("2001:4860::1"), netip.MustParseAddr("2a02:cf40::1"), netip.MustParseAddr("::1"),
}

// Info returns what was opened.
func (d *Database) Info() Info { return d.info }

// Lookup fills the fields of loc that are still empty from this database's
// record for addr. It returns the prefix length of the database network that
// matched, counted in addr's own bits (so ::ffff:192.0.2.1 in a /24 gives 120),
// and whether the database has data for it. An address not in the database is
// not an error: found is false and bits tells how far that absence extends.
func (d *Database) Lookup(addr netip.Addr, loc *Location) (bits int, found bool, err error) {
	if !addr.IsValid() {
		return 0, false, errors.New("geo: invalid address")
	}
	a, offset := lookupAddr(addr)
	if a.Is6() && d.info.IPVersion == 4 {
		return 0, false, nil // IPv4-only database: no IPv6 address is in it
	}
	res := d.r.Lookup(a)
	if err := res.Err(); err != nil {
		return 0, false, err
	}
	bits = res.Prefix().Bits()
	if a.Is4() && res.Prefix().Addr().Is6() {
		bits = 0 // the search ended above the IPv4 subtree
	}
	if bits < 0 {
		bits = 0
	}
	bits += offset
	if !res.Found() {
		return bits, false, nil
	}
	off := res.Offset()
	if e := d.cache.get(off); e != nil && !d.noCache {
		merge(loc, &e.loc)
		return bits, true, nil
	}
	var one Location
	rec := recordPool.Get().(*record)
	*rec = record{}
	err = res.Decode(rec)
	if err == nil {
		d.locationOf(rec, &one)
	}
	recordPool.Put(rec)
	if err != nil {
		return bits, false, err
	}
	if !d.noCache {
		d.cache.put(off, &one)
	}
	merge(loc, &one)
	return bits, true, nil
}

// locationOf turns a decoded record into this database's Location.
func (d *Database) locationOf(rec *record, loc *Location) {
	loc.Continent = rec.continent
	loc.Country, loc.InEU = rec.country, rec.inEU
	if loc.Country == "" { // anycast, satellite: fall back to the registrant
		loc.Country, loc.InEU = rec.regCountry, rec.regInEU
	}
	for i, s := range rec.subs {
		if s != "" {
			loc.Subdivisions[i] = d.subs.code(loc.Country, s)
		}
	}
	loc.City = rec.city
	if rec.hasLat && rec.hasLon {
		loc.Lat, loc.Lon, loc.HasCoords = rec.lat, rec.lon, true
	}
	loc.ASN, loc.ASOrg = rec.asn, rec.asOrg
}

// merge copies the fields of src into those of dst that are still unknown:
// the first database listed wins for each field.
func merge(dst, src *Location) {
	setString(&dst.Continent, src.Continent)
	if dst.Country == "" && src.Country != "" {
		dst.Country, dst.InEU = src.Country, src.InEU
	}
	if dst.Subdivisions[0] == "" {
		dst.Subdivisions = src.Subdivisions
	}
	setString(&dst.City, src.City)
	if !dst.HasCoords && src.HasCoords {
		dst.Lat, dst.Lon, dst.HasCoords = src.Lat, src.Lon, true
	}
	if dst.ASN == 0 {
		dst.ASN = src.ASN
	}
	setString(&dst.ASOrg, src.ASOrg)
}

func setString(dst *string, s string) {
	if *dst == "" {
		*dst = s
	}
}

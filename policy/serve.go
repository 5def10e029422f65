package policy

import (
	"fmt"
	"sort"

	"github.com/miekg/dns"
)

// What a server holds new data to before it replaces the data it serves, beyond
// the data's own validity: a file that a failed deploy, a full disk or an editor
// crash left empty or cut short must not take zones down. The data files' loader
// applies these rules at start-up and at every reload; the API applies them to
// change batches.

// ServeRules are the opt-ins of a server (the policy directive's allow_empty and
// allow_zone_removal); the zero value refuses both.
type ServeRules struct {
	// AllowEmpty lets a data source define nothing (no zones, no checks) and the
	// data as a whole define no zones.
	AllowEmpty bool
	// AllowZoneRemoval lets new data drop a zone the running data serves.
	AllowZoneRemoval bool
}

// Check checks the data a server is about to serve: sources are the parsed data
// files, in order (Data.Where names each), d all of it merged (with zones from
// elsewhere, such as the Corefile), and running the zones the server serves now
// (ZoneSites of the running data; nil at start-up). It refuses, unless the rules
// allow it, a source that defines nothing, data without any zone and data that
// drops a running zone. Errors name the file, the line of its zones: key and the
// field.
func (r ServeRules) Check(sources []*Data, d *Data, running map[string]Pos) error {
	if !r.AllowEmpty {
		for _, s := range sources {
			if len(s.Zones) == 0 && s.Checks == 0 {
				return posErr(lineOne(s.Where), "zones", "the file defines no zones and no checks (%s); a data file that serves nothing is refused, "+
					"so that a truncated file cannot take zones down: set allow_empty to serve it", emptyKind(s))
			}
		}
		if len(sources) > 0 && !servesZones(d) {
			return posErr(lineOne(sources[0].Where), "zones", "no data file defines a zone (only checks); set allow_empty to serve no zones")
		}
	}
	if r.AllowZoneRemoval || len(running) == 0 {
		return nil
	}
	now := ZoneSites(d)
	var gone []string
	for o := range running {
		if _, ok := now[o]; !ok {
			gone = append(gone, o)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	sort.Strings(gone)
	was := running[gone[0]]
	at := Pos{File: was.File}
	for _, s := range sources {
		if s.Where.File == was.File {
			at = s.Where
		}
	}
	more := ""
	if len(gone) > 1 {
		more = fmt.Sprintf(" (and %d more zones)", len(gone)-1)
	}
	return posErr(lineOne(at), "zones."+trimDot(gone[0]), "zone %s%s is gone from the data (it was at line %d); a reload does not stop serving a zone "+
		"unless allow_zone_removal is set", gone[0], more, was.Line)
}

// lineOne is pos, on line 1 when it has no line (a file without content): every
// refusal names file, line and field.
func lineOne(pos Pos) Pos {
	pos.Line = max(pos.Line, 1)
	return pos
}

// emptyKind says what an empty source looked like, for the error.
func emptyKind(s *Data) string {
	if s.Where.Line == 0 {
		return "the file is empty or only comments"
	}
	return "{} or zones: {}"
}

func servesZones(d *Data) bool {
	for _, z := range d.Zones {
		if !z.Placeholder {
			return true
		}
	}
	return false
}

// ZoneSites are the zones d serves, by origin, with where each was written: what
// Check takes as running once d is served. Placeholders are not among them.
func ZoneSites(d *Data) map[string]Pos {
	out := make(map[string]Pos, len(d.Zones))
	for _, z := range d.Zones {
		if !z.Placeholder {
			out[z.Origin] = z.Pos
		}
	}
	return out
}

// EmptyZones returns a placeholder zone for each of origins (lower-case FQDNs:
// the zones a server is authoritative for) that no zone of d holds, so that its
// names answer as an empty zone — SOA, NXDOMAIN, NODATA — rather than not at all.
// The root is left out: a server for "." serves the zones its data names.
func EmptyZones(d *Data, origins []string) []*Zone {
	var out []*Zone
	for _, o := range origins {
		o = lowerFQDN(o)
		if o == "." || covered(d, o) {
			continue
		}
		out = append(out, &Zone{Origin: o, TTL: DefaultTTL, Placeholder: true})
	}
	return out
}

// covered says whether a zone of d holds the name o.
func covered(d *Data, o string) bool {
	for _, z := range d.Zones {
		if dns.IsSubDomain(z.Origin, o) {
			return true
		}
	}
	return false
}

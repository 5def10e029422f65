package vantage

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// Presence keys (see the package doc).
const (
	KeyPrefix   = "health/"
	aliveKey    = KeyPrefix + "alive"
	checkPrefix = KeyPrefix + "check/"
)

// checkKey is the presence key of a report on check id.
func checkKey(id string) string { return checkPrefix + id }

// Alive is a member's heartbeat: who it is as a checker, and when it wrote.
type Alive struct {
	Region string    `json:"region"`
	IP     string    `json:"ip"`
	At     time.Time `json:"at"`
}

// Report is one checker's last observation of one check.
type Report struct {
	Checker string        `json:"-"` // the presence member
	Region  string        `json:"region"`
	IP      string        `json:"ip"`
	Healthy bool          `json:"healthy"` // after the checker's own hysteresis, before inversion
	Status  string        `json:"status"`  // Route 53's words, "Success: HTTP Status Code 200, OK"
	Checked time.Time     `json:"checked"`
	Latency time.Duration `json:"latency_ns,omitempty"`
}

// View is a presence view decoded: every live member's heartbeat and reports.
type View struct {
	Alive   map[string]Alive    // by member
	Reports map[string][]Report // by check ID, sorted by Checker
}

// Decode reads the announcements under KeyPrefix. Values that do not decode
// (another version, another writer) are left out and returned as errors
// naming member and key, so one bad member cannot stop the rest.
func Decode(anns []store.Announcement) (View, []error) {
	var d Decoder
	return d.Decode(anns)
}

// Decoder decodes successive views of the same keys, decoding again only the
// values that changed since the last view: a view is delivered whole after
// every change, and most of it is unchanged.
type Decoder struct {
	last map[memberKey]decoded
}

type memberKey struct{ member, key string }

type decoded struct {
	raw    string
	alive  *Alive
	report *Report
	err    error
}

// Decode is the package's Decode, remembering what it decoded.
func (d *Decoder) Decode(anns []store.Announcement) (View, []error) {
	v := View{Alive: map[string]Alive{}, Reports: map[string][]Report{}}
	next := make(map[memberKey]decoded, len(anns))
	var errs []error
	for _, a := range anns {
		k := memberKey{a.Member, a.Key}
		e, ok := d.last[k]
		if !ok || e.raw != string(a.Value) {
			e = decodeOne(a)
		}
		next[k] = e
		switch {
		case e.err != nil:
			errs = append(errs, e.err)
		case e.alive != nil:
			v.Alive[a.Member] = *e.alive
		case e.report != nil:
			id := a.Key[len(checkPrefix):]
			v.Reports[id] = append(v.Reports[id], *e.report)
		}
	}
	d.last = next
	for _, rs := range v.Reports {
		slices.SortFunc(rs, func(a, b Report) int { return strings.Compare(a.Checker, b.Checker) })
	}
	return v, errs
}

// decodeOne decodes one announcement; keys that are neither an alive key nor
// a report are ignored.
func decodeOne(a store.Announcement) decoded {
	e := decoded{raw: string(a.Value)}
	switch {
	case a.Key == aliveKey:
		var al Alive
		if err := json.Unmarshal(a.Value, &al); err != nil {
			e.err = fmt.Errorf("vantage: member %s, key %s: %w", a.Member, a.Key, err)
		} else {
			e.alive = &al
		}
	case strings.HasPrefix(a.Key, checkPrefix) && len(a.Key) > len(checkPrefix):
		var r Report
		if err := json.Unmarshal(a.Value, &r); err != nil {
			e.err = fmt.Errorf("vantage: member %s, key %s: %w", a.Member, a.Key, err)
		} else {
			r.Checker = a.Member
			e.report = &r
		}
	}
	return e
}

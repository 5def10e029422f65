package route53

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// coretraffic's change log extension of the API (not Route 53's): every change
// batch is kept, with who sent it and the record sets before and after, for the
// route53api directive's change_log retention (api.TrimChangeLog).
//
//	GET  /2013-04-01/coretraffic/changes?since=7d&zone=Z…&maxitems=100  ListChangesResponse
//	POST /2013-04-01/coretraffic/change/{Id}/revert                      RevertChangeResponse
//
// Both are signed like every request (SigV4, service route53).

// ChangeLogPath is the extension's path prefix.
const ChangeLogPath = "/2013-04-01/coretraffic/"

// MaxChangeLogItems is the most changes one ListChanges answer holds.
const MaxChangeLogItems = 1000

// ListChangesResponse answers GET /2013-04-01/coretraffic/changes: the changes
// submitted since a time, newest first.
type ListChangesResponse struct {
	XMLName     xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListChangesResponse"`
	Changes     []ChangeRecord `xml:"Changes>Change"`
	IsTruncated bool           `xml:"IsTruncated"`
	MaxItems    string         `xml:"MaxItems"`
}

// ChangeRecord is one applied change: a batch, or a hosted zone's creation
// (After holds its SOA and NS) or deletion (Before holds them).
type ChangeRecord struct {
	Id           string              `xml:"Id"` // "C…"
	HostedZoneId string              `xml:"HostedZoneId"`
	SubmittedAt  string              `xml:"SubmittedAt"`
	Caller       string              `xml:"Caller,omitempty"` // the access key ID that signed it
	Comment      string              `xml:"Comment,omitempty"`
	Before       []ResourceRecordSet `xml:"Before>ResourceRecordSet,omitempty"` // replaced or deleted
	After        []ResourceRecordSet `xml:"After>ResourceRecordSet,omitempty"`  // written
}

// RevertChangeResponse answers POST /2013-04-01/coretraffic/change/{Id}/revert:
// the new change that reverted it.
type RevertChangeResponse struct {
	XMLName    xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ RevertChangeResponse"`
	ChangeInfo ChangeInfo `xml:"ChangeInfo"`
}

// RevertComment is the comment of the change that reverts change id.
func RevertComment(id string) string { return "revert of " + id }

// ParseSince reads a since parameter: an RFC 3339 time, or an age before now
// (ParseAge).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, ok := ParseAge(s)
	if !ok {
		return time.Time{}, fmt.Errorf("since %q: want an RFC 3339 time or an age (7d, 36h, 2w)", s)
	}
	return now.Add(-d), nil
}

// ParseAge reads a length of time as a Go duration ("36h", "90m") or in days or
// weeks ("7d", "2w"), not negative: the one form of ages for the change log's
// since parameter and its retention.
func ParseAge(s string) (time.Duration, bool) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			return time.Duration(v * float64(unit)), err == nil && v >= 0
		}
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

package route53

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Zone is a hosted zone as the store keeps it.
type Zone struct {
	ID              string // "Z…", without the "/hostedzone/" prefix
	Name            string // normalized: lower-case, trailing dot, octal escapes
	CallerReference string
	Comment         string
	Private         bool
	VPC             *VPC
	NameServers     []string // the delegation set: the apex NS values
}

// Route 53's SOA timers and TTLs of a new zone's SOA and NS record sets.
const (
	soaTTL    = 900
	nsTTL     = 172800
	soaTimers = "1 7200 900 1209600 86400"
)

// ZoneOptions says how new zones are made.
type ZoneOptions struct {
	// NameServers are a new zone's name servers (four in Route 53); "{zone}" in a
	// name is replaced by the zone's name without its trailing dot. Empty:
	// ns1.{zone}. … ns4.{zone}.
	NameServers []string
	// Rand is the source of IDs; nil: crypto/rand.
	Rand io.Reader
}

var defaultNameServers = []string{"ns1.{zone}.", "ns2.{zone}.", "ns3.{zone}.", "ns4.{zone}."}

// NewID returns a Route 53-style ID: prefix ("Z" for zones, "C" for changes)
// and upper-case letters and digits, 21 characters in all.
func NewID(prefix string, r io.Reader) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, 21-len(prefix))
	if _, err := io.ReadFull(r, b); err != nil {
		panic("route53: no randomness for IDs: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// ValidZoneID reports whether id (without prefix) looks like a hosted zone ID.
func ValidZoneID(id string) bool {
	if len(id) < 2 || len(id) > 32 || id[0] != 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// TrimZoneID strips the "/hostedzone/" prefix the API accepts in IDs.
func TrimZoneID(id string) string { return strings.TrimPrefix(id, "/hostedzone/") }

// CreateZone validates a CreateHostedZone request and makes the zone and its SOA and
// NS record sets, as Route 53 does: the SOA
// "<first name server> hostmaster.<zone> 1 7200 900 1209600 86400" (TTL 900) and
// the four name servers (TTL 172800). refUsed reports whether a zone was already
// created with a caller reference: reusing one is HostedZoneAlreadyExists, however
// the rest of the request reads (Route 53's idempotency rule).
func CreateZone(req *CreateHostedZoneRequest, refUsed func(callerReference string) bool, opt ZoneOptions) (*Zone, []ResourceRecordSet, *apierr.Error) {
	var v violations
	v.length(req.Name, "name", 1, 1024)
	v.length(req.CallerReference, "callerReference", 1, 128)
	if c := req.HostedZoneConfig; c != nil {
		v.length(c.Comment, "hostedZoneConfig.comment", 0, 256)
	}
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	name, err := checkDomainName(req.Name)
	if err != nil {
		return nil, nil, err
	}
	if _, perr := policy.OwnerName(dnsName(name), "."); perr != nil || strings.Contains(name, `\052`) {
		return nil, nil, apierr.New("InvalidDomainName", http.StatusBadRequest, "%s is not a domain name this server can serve (letters, digits, \"-\", \"_\" and \"/\")", name)
	}
	if req.DelegationSetId != "" {
		return nil, nil, apierr.NotFound("NoSuchDelegationSet", "A reusable delegation set with the specified ID does not exist: %s", req.DelegationSetId)
	}
	if refUsed != nil && refUsed(req.CallerReference) {
		return nil, nil, apierr.Conflict("HostedZoneAlreadyExists", "A hosted zone has already been created with the specified caller reference.")
	}
	z := &Zone{ID: NewID("Z", opt.Rand), Name: name, CallerReference: req.CallerReference, VPC: req.VPC}
	if c := req.HostedZoneConfig; c != nil {
		z.Comment, z.Private = c.Comment, c.PrivateZone
	}
	if req.VPC != nil {
		z.Private = true
	}
	servers := opt.NameServers
	if len(servers) == 0 {
		servers = defaultNameServers
	}
	bare := strings.TrimSuffix(name, ".")
	for _, s := range servers {
		ns, ok := NormalizeName(strings.ReplaceAll(s, "{zone}", bare))
		if !ok {
			return nil, nil, apierr.New("InvalidInput", http.StatusBadRequest, "name server %q is not a valid domain name", s)
		}
		z.NameServers = append(z.NameServers, ns)
	}
	return z, z.apexRecordSets(), nil
}

// apexRecordSets are a new zone's SOA and NS record sets.
func (z *Zone) apexRecordSets() []ResourceRecordSet {
	soa := fmt.Sprintf("%s hostmaster.%s %s", z.NameServers[0], z.Name, soaTimers)
	ns := make([]ResourceRecord, len(z.NameServers))
	for i, s := range z.NameServers {
		ns[i] = ResourceRecord{Value: s}
	}
	return []ResourceRecordSet{
		{Name: z.Name, Type: "NS", TTL: ptr[int64](nsTTL), ResourceRecords: ns},
		{Name: z.Name, Type: "SOA", TTL: ptr[int64](soaTTL), ResourceRecords: []ResourceRecord{{Value: soa}}},
	}
}

func ptr[T any](v T) *T { return &v }

// API returns the zone as the API shows it, with its record set count.
func (z *Zone) API(recordSets int) HostedZone {
	return HostedZone{Id: "/hostedzone/" + z.ID, Name: z.Name, CallerReference: z.CallerReference,
		Config: &HostedZoneConfig{Comment: z.Comment, PrivateZone: z.Private}, ResourceRecordSetCount: int64(recordSets)}
}

// DelegationSet returns the zone's name servers as the API shows them.
func (z *Zone) DelegationSet() DelegationSet {
	return DelegationSet{NameServers: append([]string(nil), z.NameServers...)}
}

// CheckDeletable refuses to delete a zone that holds more than its apex SOA and NS
// record sets (HostedZoneNotEmpty, 400 in the API model).
func CheckDeletable(z *Zone, rrsets []ResourceRecordSet) *apierr.Error {
	for i := range rrsets {
		rs := &rrsets[i]
		if rs.Name == z.Name && (rs.Type == "SOA" || rs.Type == "NS") && rs.SetIdentifier == "" {
			continue
		}
		return apierr.New("HostedZoneNotEmpty", http.StatusBadRequest, "The specified hosted zone contains non-required resource record sets and so cannot be deleted.")
	}
	return nil
}

// NoSuchHostedZone is the error for an unknown zone ID.
func NoSuchHostedZone(id string) *apierr.Error {
	return apierr.NotFound("NoSuchHostedZone", "No hosted zone found with ID: %s", TrimZoneID(id))
}

// NewChangeInfo returns the ChangeInfo of a change just accepted: a new "/change/C…"
// ID, PENDING, submitted now.
func NewChangeInfo(comment string, now time.Time, r io.Reader) ChangeInfo {
	return ChangeInfo{Id: "/change/" + NewID("C", r), Status: StatusPending, SubmittedAt: FormatTime(now), Comment: comment}
}

// FormatTime writes a time as Route 53 does: ISO 8601 in UTC with milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

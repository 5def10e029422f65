package trafficflow

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Policy is a traffic policy as the store keeps it: every version ever created,
// deleted ones included. Route 53 never forgets a policy: a deleted version is no
// longer listed, but GetTrafficPolicy still reads it by ID.
type Policy struct {
	Id       string
	Name     string
	Versions []PolicyVersion // ascending by Version
}

// PolicyVersion is one version of a Policy.
type PolicyVersion struct {
	Version  int
	Type     string // the document's RecordType
	Document string // as the client sent it
	Comment  string
	Deleted  bool
}

// Limits are the quotas the operations enforce.
type Limits struct {
	Policies  int // live traffic policies
	Versions  int // versions of one policy, deleted ones included
	Instances int // traffic policy instances
}

// DefaultLimits are the quotas a server enforces unless configured otherwise:
// Route 53's defaults for policies (50) and versions (1000), but 10,000 instances
// where Route 53 allows 5 until the account asks AWS for more. Five instances is a
// billing quota, not a technical one; here an instance is one record set, and
// every instance operation reads the instances in one scan (10,000 decode in a few
// milliseconds).
var DefaultLimits = Limits{Policies: 50, Versions: 1000, Instances: 10000}

// State is what the operations read: the server passes the store's current view.
// The operations never change it; they return the new or changed object for the
// server to write in the same transaction.
type State interface {
	// Policies lists every policy, deleted ones included, in the order they were
	// created.
	Policies() []*Policy
	// Instances lists every traffic policy instance.
	Instances() []*TrafficPolicyInstance
	// HostedZone finds a hosted zone by ID (without "/hostedzone/"): its origin as
	// a lower-case FQDN.
	HostedZone(id string) (origin string, ok bool)
	// HealthCheckExists reports whether a health check has this ID.
	HealthCheckExists(id string) bool
	// RecordSetTypes lists the types of the record sets at name (lower-case FQDN)
	// in the zone that no traffic policy instance made.
	RecordSetTypes(zoneID, name string) []uint16
	Limits() Limits
}

// NewID returns a random ID in the form of Route 53's traffic policy and instance
// IDs (a UUID, 36 characters), read from r; nil reads crypto/rand.
func NewID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

// Lengths of the model.
const (
	maxIDLen      = 36
	maxNameLen    = 512
	maxCommentLen = 1024
	maxDNSName    = 1024
	maxTTL        = 2147483647
	defaultPage   = 100
)

func noSuchPolicy(id string) *apierr.Error {
	return apierr.NotFound("NoSuchTrafficPolicy", "No traffic policy found with ID: %s", id)
}

func noSuchVersion(id string, v int) *apierr.Error {
	return apierr.NotFound("NoSuchTrafficPolicy", "No traffic policy found with ID: %s and version: %d", id, v)
}

func noSuchInstance(id string) *apierr.Error {
	return apierr.NotFound("NoSuchTrafficPolicyInstance", "No traffic policy instance found with ID: %s", id)
}

func noSuchZone(id string) *apierr.Error {
	return apierr.NotFound("NoSuchHostedZone", "No hosted zone found with ID: %s", id)
}

// checkID refuses an ID of the wrong length: InvalidInput, as Route 53's model
// constraints.
func checkID(field, id string) *apierr.Error {
	if id == "" || len(id) > maxIDLen {
		return apierr.InvalidInput("%s must be 1 to %d characters, not %q", field, maxIDLen, id)
	}
	return nil
}

// parseVersion reads a version from a path or query: 1..1000.
func parseVersion(field, s string) (int, *apierr.Error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 || v > 1000 {
		return 0, apierr.InvalidInput("%s must be an integer 1..1000, not %q", field, s)
	}
	return v, nil
}

// maxItems reads a maxitems parameter: "" is 100; more than 100 is 100.
func maxItems(s string) (int, string, *apierr.Error) {
	if s == "" {
		return defaultPage, strconv.Itoa(defaultPage), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, "", apierr.InvalidInput("maxitems must be a positive integer, not %q", s)
	}
	return min(n, defaultPage), s, nil
}

func findPolicy(s State, id string) *Policy {
	for _, p := range s.Policies() {
		if p.Id == id {
			return p
		}
	}
	return nil
}

// version finds version v of p, deleted or not.
func (p *Policy) version(v int) *PolicyVersion {
	for i := range p.Versions {
		if p.Versions[i].Version == v {
			return &p.Versions[i]
		}
	}
	return nil
}

// live returns p's versions that are not deleted.
func (p *Policy) live() []PolicyVersion {
	var out []PolicyVersion
	for _, v := range p.Versions {
		if !v.Deleted {
			out = append(out, v)
		}
	}
	return out
}

// clone copies p, so that a change to it leaves the state's policy alone.
func (p *Policy) clone() *Policy {
	c := *p
	c.Versions = append([]PolicyVersion(nil), p.Versions...)
	return &c
}

// wire is version v of p as the API writes it.
func (p *Policy) wire(v *PolicyVersion) TrafficPolicy {
	return TrafficPolicy{Id: p.Id, Version: v.Version, Name: p.Name, Type: v.Type, Document: v.Document, Comment: v.Comment}
}

// ParseDocument parses a Document of a request: InvalidInput past Route 53's
// length, InvalidTrafficPolicyDocument for a bad document or one naming a health
// check that does not exist.
func ParseDocument(s State, document string) (*Document, *apierr.Error) {
	if len(document) > MaxDocumentSize {
		return nil, apierr.InvalidInput("Document is %d characters, at most %d", len(document), MaxDocumentSize)
	}
	if strings.TrimSpace(document) == "" {
		return nil, apierr.InvalidInput("Document is required")
	}
	d, err := Parse([]byte(document))
	if err != nil {
		return nil, err.(*DocError).APIError()
	}
	var ps []Problem
	for _, key := range d.Order {
		if id, ok := strings.CutPrefix(key, "Rules."); ok {
			for _, nr := range d.Rules[id].refs(rulePath(id)) {
				if h := nr.ref.HealthCheck; h != "" && !s.HealthCheckExists(h) {
					ps = append(ps, Problem{Path: joinPath(nr.path, "HealthCheck"), Msg: fmt.Sprintf("no health check with ID %q", h)})
				}
			}
		}
	}
	if len(ps) > 0 {
		return nil, (&DocError{Problems: ps}).APIError()
	}
	return d, nil
}

// badRequest is a 400 error with a code of its own (TooMany…, …InUse, ConflictingTypes).
func badRequest(code, format string, args ...any) *apierr.Error {
	return apierr.New(code, http.StatusBadRequest, format, args...)
}

// HealthCheckUsers lists the policy versions, not deleted, whose documents name
// health check id, as "policy-id/version": while there are any, the health check is
// in use (HealthCheckInUse) as a record set's would be.
func HealthCheckUsers(policies []*Policy, id string) []string {
	var out []string
	for _, p := range policies {
		for _, v := range p.live() {
			if !strings.Contains(v.Document, id) { // cheap test before parsing
				continue
			}
			d, err := Parse([]byte(v.Document))
			if err == nil && slices.Contains(d.HealthChecks(), id) {
				out = append(out, p.Id+"/"+strconv.Itoa(v.Version))
			}
		}
	}
	return out
}

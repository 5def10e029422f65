package checks

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Error codes of the health check operations.
const (
	CodeNoSuchHealthCheck          = "NoSuchHealthCheck"
	CodeHealthCheckAlreadyExists   = "HealthCheckAlreadyExists"
	CodeHealthCheckVersionMismatch = "HealthCheckVersionMismatch"
	CodeHealthCheckInUse           = "HealthCheckInUse"
	CodeTooManyHealthChecks        = "TooManyHealthChecks"
)

// Paging of ListHealthChecks.
const (
	DefaultMaxItems = 100
	MaxMaxItems     = 1000
)

// NewID returns a new health check ID: a random UUID, as Route 53's are.
func NewID() string { return uuid.NewString() }

// ValidID reports whether id can name a health check: 1 to 64 letters, digits, '-',
// '_' or '.' (Route 53's UUIDs, and names the engine accepts).
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// NoSuchHealthCheck is the 404 of an unknown ID.
func NoSuchHealthCheck(id string) *apierr.Error {
	return apierr.NotFound(CodeNoSuchHealthCheck, "No health check exists with the specified ID %s", clip(id))
}

// Create validates a CreateHealthCheck request and returns the health check to
// store with a new ID and version 1. prior is the check the store holds with the
// same CallerReference (nil if none) and priorDeleted whether that one has been
// deleted since. As in Route 53, the same CallerReference with the same config
// returns prior (created false: store nothing); with another config, or after a
// delete, it is HealthCheckAlreadyExists.
func Create(req CreateHealthCheckRequest, prior *HealthCheck, priorDeleted bool) (hc HealthCheck, created bool, err *apierr.Error) {
	if req.CallerReference == "" || len(req.CallerReference) > MaxCallerReference {
		return hc, false, apierr.InvalidInput("CallerReference must be 1 to %d characters", MaxCallerReference)
	}
	cfg := req.HealthCheckConfig
	cfg.Normalize()
	if err := cfg.Validate(); err != nil {
		return hc, false, err
	}
	if prior != nil {
		if priorDeleted || !prior.HealthCheckConfig.Equal(cfg) {
			return hc, false, apierr.Conflict(CodeHealthCheckAlreadyExists,
				"A health check with the CallerReference %s already exists, or existed and was deleted, with a different configuration.", clip(req.CallerReference))
		}
		return *prior, false, nil
	}
	return HealthCheck{ID: NewID(), CallerReference: req.CallerReference, HealthCheckConfig: cfg, HealthCheckVersion: 1}, true, nil
}

// DefaultLimit is Route 53's default quota of health checks per account.
const DefaultLimit = 200

// CheckLimit refuses a CreateHealthCheck when count checks exist and limit is the
// most allowed (0: no limit), with Route 53's TooManyHealthChecks (400).
func CheckLimit(count, limit int) *apierr.Error {
	if limit > 0 && count >= limit {
		return apierr.New(CodeTooManyHealthChecks, http.StatusBadRequest,
			"The maximum number of health checks (%d) has been reached; delete one before creating another.", limit)
	}
	return nil
}

// Equal reports whether c and o are the same config: an absent list equals an
// empty one, pointers compare by value.
func (c HealthCheckConfig) Equal(o HealthCheckConfig) bool {
	return c.IPAddress == o.IPAddress && c.Port == o.Port && c.Type == o.Type && c.ResourcePath == o.ResourcePath &&
		c.FullyQualifiedDomainName == o.FullyQualifiedDomainName && c.SearchString == o.SearchString &&
		c.RequestInterval == o.RequestInterval && c.FailureThreshold == o.FailureThreshold &&
		eqPtr(c.MeasureLatency, o.MeasureLatency) && c.Inverted == o.Inverted && c.Disabled == o.Disabled &&
		eqPtr(c.HealthThreshold, o.HealthThreshold) && slices.Equal(c.ChildHealthChecks, o.ChildHealthChecks) &&
		eqPtr(c.EnableSNI, o.EnableSNI) && slices.Equal(c.Regions, o.Regions)
}

func eqPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// Update applies an UpdateHealthCheck request to cur. A HealthCheckVersion that is
// not cur's is HealthCheckVersionMismatch (409): someone changed the check since the
// caller read it. The result has the next version; Type and RequestInterval cannot
// change (the request has no such elements).
func Update(cur HealthCheck, u UpdateHealthCheckRequest) (HealthCheck, *apierr.Error) {
	if u.HealthCheckVersion != nil && *u.HealthCheckVersion != cur.HealthCheckVersion {
		return cur, apierr.Conflict(CodeHealthCheckVersionMismatch,
			"The value of HealthCheckVersion in the request (%d) doesn't match the current version (%d) of health check %s.",
			*u.HealthCheckVersion, cur.HealthCheckVersion, cur.ID)
	}
	c := cur.HealthCheckConfig
	c.ChildHealthChecks = slices.Clone(c.ChildHealthChecks)
	c.Regions = slices.Clone(c.Regions)
	for _, e := range u.ResetElements {
		switch e {
		case "FullyQualifiedDomainName":
			c.FullyQualifiedDomainName = ""
		case "Regions":
			c.Regions = nil
		case "ResourcePath":
			c.ResourcePath = ""
		case "ChildHealthChecks":
			c.ChildHealthChecks = nil
		default:
			return cur, apierr.InvalidInput("Invalid ResettableElementName %q: use FullyQualifiedDomainName, Regions, ResourcePath or ChildHealthChecks", clip(e))
		}
	}
	set(&c.IPAddress, u.IPAddress)
	set(&c.Port, u.Port)
	set(&c.ResourcePath, u.ResourcePath)
	set(&c.FullyQualifiedDomainName, u.FullyQualifiedDomainName)
	set(&c.SearchString, u.SearchString)
	set(&c.FailureThreshold, u.FailureThreshold)
	set(&c.Inverted, u.Inverted)
	set(&c.Disabled, u.Disabled)
	set(&c.ChildHealthChecks, u.ChildHealthChecks)
	set(&c.Regions, u.Regions)
	if u.HealthThreshold != nil {
		c.HealthThreshold = u.HealthThreshold
	}
	if u.EnableSNI != nil {
		c.EnableSNI = u.EnableSNI
	}
	if err := c.Validate(); err != nil {
		return cur, err
	}
	next := cur
	next.HealthCheckConfig = c
	next.HealthCheckVersion++
	return next, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Delete decides a DeleteHealthCheck of id: referencedBy lists what still refers to
// it (record sets, calculated parents, as the store words them). Route 53 answers
// HealthCheckInUse with 400.
func Delete(id string, referencedBy []string) *apierr.Error {
	if len(referencedBy) == 0 {
		return nil
	}
	return apierr.New(CodeHealthCheckInUse, http.StatusBadRequest,
		"The health check with ID %s is still referenced from %s.", id, strings.Join(referencedBy, ", "))
}

// ParseMaxItems reads the maxitems query parameter ("" is DefaultMaxItems; more
// than MaxMaxItems is MaxMaxItems, as Route 53 returns at most that many).
func ParseMaxItems(s string) (int, *apierr.Error) {
	if s == "" {
		return DefaultMaxItems, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, apierr.InvalidInput("MaxItems must be a positive integer, not %q", clip(s))
	}
	return min(n, MaxMaxItems), nil
}

// List answers ListHealthChecks from all stored checks: sorted by ID, from the first
// whose ID is marker or after it, maxItems of them (see ParseMaxItems), with
// NextMarker the ID that starts the next page.
func List(all []HealthCheck, marker string, maxItems int) ListHealthChecksResponse {
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b HealthCheck) int { return strings.Compare(a.ID, b.ID) })
	start, _ := slices.BinarySearchFunc(sorted, marker, func(h HealthCheck, m string) int { return strings.Compare(h.ID, m) })
	page := sorted[start:]
	out := ListHealthChecksResponse{Xmlns: apierr.Namespace, Marker: marker, MaxItems: maxItems, HealthChecks: []HealthCheck{}}
	if len(page) > maxItems {
		out.IsTruncated = true
		out.NextMarker = page[maxItems].ID
		page = page[:maxItems]
	}
	out.HealthChecks = append(out.HealthChecks, page...)
	return out
}

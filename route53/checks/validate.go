package checks

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Route 53's defaults and limits of a health check.
const (
	DefaultRequestInterval  = 30
	DefaultFailureThreshold = 3
	MaxFailureThreshold     = 10
	MaxChildren             = 256
	MaxStringLength         = 255 // ResourcePath, FullyQualifiedDomainName, SearchString
	MaxCallerReference      = 64
	MinRegions              = 3
)

// Regions are Route 53's health checker regions (HealthCheckRegion).
var Regions = []string{"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"}

// invalid is Route 53's InvalidInput for a bad HealthCheckConfig value, worded as
// Route 53 words them ("Invalid parameter : …").
func invalid(format string, args ...any) *apierr.Error {
	return apierr.InvalidInput("Invalid parameter : "+format, args...)
}

// isHTTP reports whether t is one of the four HTTP types; isTLS whether it is HTTPS.
func isHTTP(t string) bool {
	return t == TypeHTTP || t == TypeHTTPS || t == TypeHTTPStrMatch || t == TypeHTTPSStrMatch
}

func isTLS(t string) bool { return t == TypeHTTPS || t == TypeHTTPSStrMatch }

func isMatch(t string) bool { return t == TypeHTTPStrMatch || t == TypeHTTPSStrMatch }

// Normalize fills in what Route 53 fills in when a field is left out: the
// interval, the failure threshold, the port of the HTTP types, EnableSNI of the
// HTTP types (true for HTTPS, false for HTTP, as Route 53 answers), MeasureLatency
// false.
func (c *HealthCheckConfig) Normalize() {
	if c.Type == TypeCalculated {
		return
	}
	if c.RequestInterval == 0 {
		c.RequestInterval = DefaultRequestInterval
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = DefaultFailureThreshold
	}
	if c.Port == 0 && isHTTP(c.Type) {
		c.Port = 80
		if isTLS(c.Type) {
			c.Port = 443
		}
	}
	if c.EnableSNI == nil && isHTTP(c.Type) {
		sni := isTLS(c.Type)
		c.EnableSNI = &sni
	}
	if c.MeasureLatency == nil {
		off := false
		c.MeasureLatency = &off
	}
}

// Validate checks a normalized config as Route 53 does, answering InvalidInput with
// the field at fault. References to child checks are checked by ValidateChildren.
func (c *HealthCheckConfig) Validate() *apierr.Error {
	switch c.Type {
	case TypeHTTP, TypeHTTPS, TypeHTTPStrMatch, TypeHTTPSStrMatch, TypeTCP:
		return c.validateEndpoint()
	case TypeCalculated:
		return c.validateCalculated()
	case "CLOUDWATCH_METRIC", "RECOVERY_CONTROL":
		return invalid("Health checks of type %s are not supported by this server", c.Type)
	}
	return invalid("Invalid health check type %q: use HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED", clip(c.Type))
}

func (c *HealthCheckConfig) validateEndpoint() *apierr.Error {
	if c.IPAddress == "" && c.FullyQualifiedDomainName == "" {
		return invalid("A health check of type %s requires IPAddress or FullyQualifiedDomainName", c.Type)
	}
	if c.IPAddress != "" {
		ip, err := netip.ParseAddr(c.IPAddress)
		if err != nil || ip.Zone() != "" || len(c.IPAddress) > 45 {
			return invalid("Invalid IPAddress %q: an IPv4 or IPv6 address is required", clip(c.IPAddress))
		}
		if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
			return invalid("IPAddress %s is not an address a health check can reach", c.IPAddress)
		}
	}
	if f := c.FullyQualifiedDomainName; f != "" {
		if len(f) > MaxStringLength {
			return invalid("FullyQualifiedDomainName must be at most %d characters", MaxStringLength)
		}
		if _, ok := dns.IsDomainName(f); !ok || !hostname(f) {
			return invalid("Invalid FullyQualifiedDomainName %q", clip(f))
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		if c.Type == TypeTCP && c.Port == 0 {
			return invalid("A health check of type TCP requires Port")
		}
		return invalid("Port must be between 1 and 65535, not %d", c.Port)
	}
	if c.RequestInterval != 10 && c.RequestInterval != 30 {
		return invalid("RequestInterval must be 10 or 30, not %d", c.RequestInterval)
	}
	if c.FailureThreshold < 1 || c.FailureThreshold > MaxFailureThreshold {
		return invalid("FailureThreshold must be between 1 and %d, not %d", MaxFailureThreshold, c.FailureThreshold)
	}
	if !isHTTP(c.Type) && c.ResourcePath != "" {
		return invalid("ResourcePath is only valid for HTTP, HTTPS, HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
	}
	if p := c.ResourcePath; len(p) > MaxStringLength || !validPath(p) {
		return invalid("Invalid ResourcePath %q: at most %d characters of a URL path and query", clip(p), MaxStringLength)
	}
	if isMatch(c.Type) != (c.SearchString != "") {
		if isMatch(c.Type) {
			return invalid("A health check of type %s requires SearchString", c.Type)
		}
		return invalid("SearchString is only valid for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
	}
	if len(c.SearchString) > MaxStringLength {
		return invalid("SearchString must be at most %d characters", MaxStringLength)
	}
	if c.EnableSNI != nil && *c.EnableSNI && !isTLS(c.Type) {
		return invalid("EnableSNI is only valid for HTTPS and HTTPS_STR_MATCH health checks")
	}
	if c.HealthThreshold != nil || len(c.ChildHealthChecks) > 0 {
		return invalid("HealthThreshold and ChildHealthChecks are only valid for CALCULATED health checks")
	}
	return c.validateRegions()
}

func (c *HealthCheckConfig) validateCalculated() *apierr.Error {
	if c.IPAddress != "" || c.Port != 0 || c.FullyQualifiedDomainName != "" || c.ResourcePath != "" || c.SearchString != "" ||
		c.RequestInterval != 0 || c.FailureThreshold != 0 || c.EnableSNI != nil || len(c.Regions) > 0 || c.MeasureLatency != nil && *c.MeasureLatency {
		return invalid("A CALCULATED health check takes only HealthThreshold, ChildHealthChecks, Inverted and Disabled")
	}
	if c.HealthThreshold == nil {
		return invalid("Calculated health checks must have a health threshold specified.")
	}
	if *c.HealthThreshold < 0 || *c.HealthThreshold > MaxChildren {
		return invalid("HealthThreshold must be between 0 and %d, not %d", MaxChildren, *c.HealthThreshold)
	}
	// Route 53 allows an empty list; the engine computes a state from children, so a
	// calculated check here needs one.
	if len(c.ChildHealthChecks) == 0 {
		return invalid("A CALCULATED health check requires at least one ChildHealthCheck")
	}
	if len(c.ChildHealthChecks) > MaxChildren {
		return invalid("A CALCULATED health check has at most %d children", MaxChildren)
	}
	seen := make(map[string]bool, len(c.ChildHealthChecks))
	for _, id := range c.ChildHealthChecks {
		if !ValidID(id) {
			return invalid("Invalid ChildHealthCheck ID %q", clip(id))
		}
		if seen[id] {
			return invalid("ChildHealthCheck %s is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

func (c *HealthCheckConfig) validateRegions() *apierr.Error {
	if len(c.Regions) == 0 {
		return nil
	}
	if len(c.Regions) < MinRegions {
		return invalid("Regions must list at least %d regions", MinRegions)
	}
	for i, r := range c.Regions {
		if !slices.Contains(Regions, r) {
			return invalid("Invalid health checker region %q", clip(r))
		}
		if slices.Contains(c.Regions[:i], r) {
			return invalid("Region %s is listed twice", r)
		}
	}
	return nil
}

// hostname reports whether f is a host name a probe can put in a URL: labels of
// letters, digits, '-' and '_', with an optional final dot.
func hostname(f string) bool {
	f = strings.TrimSuffix(f, ".")
	if f == "" {
		return false
	}
	for label := range strings.SplitSeq(f, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// validPath reports whether p is a printable ASCII path and query without a
// fragment that parses as a URL's.
func validPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] >= 0x7f || p[i] == '#' {
			return false
		}
	}
	_, err := url.ParseRequestURI("/" + strings.TrimPrefix(p, "/"))
	return err == nil
}

// Lookup finds a stored health check's config by ID.
type Lookup func(id string) (HealthCheckConfig, bool)

// ValidateChildren checks the children of the calculated check id (its ID, or ""
// when it is being created): each exists, and none leads back to id.
func ValidateChildren(id string, c *HealthCheckConfig, lookup Lookup) *apierr.Error {
	if c.Type != TypeCalculated {
		return nil
	}
	seen := map[string]bool{}
	var walk func(child string, path []string) *apierr.Error
	walk = func(child string, path []string) *apierr.Error {
		if child == id {
			cycle := append(append([]string{id}, path...), id)
			return invalid("Health check %s would be its own child: %s", id, strings.Join(cycle, " -> "))
		}
		if seen[child] {
			return nil
		}
		seen[child] = true
		cc, ok := lookup(child)
		if !ok {
			if len(path) == 0 {
				return invalid("Invalid ChildHealthCheck: no health check exists with the ID %s", child)
			}
			return nil // a dangling grandchild is its parent's business
		}
		for _, g := range cc.ChildHealthChecks {
			if err := walk(g, append(path, child)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, child := range c.ChildHealthChecks {
		if err := walk(child, nil); err != nil {
			return err
		}
	}
	return nil
}

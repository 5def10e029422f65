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

// isHTTP reports whether t is one of the four HTTP types; isTLS whether it is HTTPS.
func isHTTP(t string) bool {
	return t == TypeHTTP || t == TypeHTTPS || t == TypeHTTPStrMatch || t == TypeHTTPSStrMatch
}

func isTLS(t string) bool { return t == TypeHTTPS || t == TypeHTTPSStrMatch }

func isMatch(t string) bool { return t == TypeHTTPStrMatch || t == TypeHTTPSStrMatch }

// Normalize fills in what Route 53 fills in when a field is left out: the
// interval, the failure threshold, the port of the HTTP types, SNI for HTTPS
// (on, as the console and the CLI's users expect), MeasureLatency false.
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
	if c.EnableSNI == nil && isTLS(c.Type) {
		on := true
		c.EnableSNI = &on
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
		return apierr.InvalidInput("Health checks of type %s are not supported by this server", c.Type)
	}
	return apierr.InvalidInput("Invalid health check type %q: use HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED", clip(c.Type))
}

func (c *HealthCheckConfig) validateEndpoint() *apierr.Error {
	if c.IPAddress == "" && c.FullyQualifiedDomainName == "" {
		return apierr.InvalidInput("A health check of type %s requires IPAddress or FullyQualifiedDomainName", c.Type)
	}
	if c.IPAddress != "" {
		ip, err := netip.ParseAddr(c.IPAddress)
		if err != nil || ip.Zone() != "" || len(c.IPAddress) > 45 {
			return apierr.InvalidInput("Invalid IPAddress %q: an IPv4 or IPv6 address is required", clip(c.IPAddress))
		}
		if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
			return apierr.InvalidInput("IPAddress %s is not an address a health check can reach", c.IPAddress)
		}
	}
	if f := c.FullyQualifiedDomainName; f != "" {
		if len(f) > MaxStringLength {
			return apierr.InvalidInput("FullyQualifiedDomainName must be at most %d characters", MaxStringLength)
		}
		if _, ok := dns.IsDomainName(f); !ok || !hostname(f) {
			return apierr.InvalidInput("Invalid FullyQualifiedDomainName %q", clip(f))
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		if c.Type == TypeTCP && c.Port == 0 {
			return apierr.InvalidInput("A health check of type TCP requires Port")
		}
		return apierr.InvalidInput("Port must be between 1 and 65535, not %d", c.Port)
	}
	if c.RequestInterval != 10 && c.RequestInterval != 30 {
		return apierr.InvalidInput("RequestInterval must be 10 or 30, not %d", c.RequestInterval)
	}
	if c.FailureThreshold < 1 || c.FailureThreshold > MaxFailureThreshold {
		return apierr.InvalidInput("FailureThreshold must be between 1 and %d, not %d", MaxFailureThreshold, c.FailureThreshold)
	}
	if !isHTTP(c.Type) && c.ResourcePath != "" {
		return apierr.InvalidInput("ResourcePath is only valid for HTTP, HTTPS, HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
	}
	if p := c.ResourcePath; len(p) > MaxStringLength || !validPath(p) {
		return apierr.InvalidInput("Invalid ResourcePath %q: at most %d characters of a URL path and query", clip(p), MaxStringLength)
	}
	if isMatch(c.Type) != (c.SearchString != "") {
		if isMatch(c.Type) {
			return apierr.InvalidInput("A health check of type %s requires SearchString", c.Type)
		}
		return apierr.InvalidInput("SearchString is only valid for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks")
	}
	if len(c.SearchString) > MaxStringLength {
		return apierr.InvalidInput("SearchString must be at most %d characters", MaxStringLength)
	}
	if c.EnableSNI != nil && *c.EnableSNI && !isTLS(c.Type) {
		return apierr.InvalidInput("EnableSNI is only valid for HTTPS and HTTPS_STR_MATCH health checks")
	}
	if c.HealthThreshold != nil || len(c.ChildHealthChecks) > 0 {
		return apierr.InvalidInput("HealthThreshold and ChildHealthChecks are only valid for CALCULATED health checks")
	}
	return c.validateRegions()
}

func (c *HealthCheckConfig) validateCalculated() *apierr.Error {
	if c.IPAddress != "" || c.Port != 0 || c.FullyQualifiedDomainName != "" || c.ResourcePath != "" || c.SearchString != "" ||
		c.RequestInterval != 0 || c.FailureThreshold != 0 || c.EnableSNI != nil || len(c.Regions) > 0 || c.MeasureLatency != nil {
		return apierr.InvalidInput("A CALCULATED health check takes only HealthThreshold, ChildHealthChecks, Inverted and Disabled")
	}
	if c.HealthThreshold == nil {
		return apierr.InvalidInput("A CALCULATED health check requires HealthThreshold")
	}
	if *c.HealthThreshold < 0 || *c.HealthThreshold > MaxChildren {
		return apierr.InvalidInput("HealthThreshold must be between 0 and %d, not %d", MaxChildren, *c.HealthThreshold)
	}
	// Route 53 allows an empty list; the engine computes a state from children, so a
	// calculated check here needs one.
	if len(c.ChildHealthChecks) == 0 {
		return apierr.InvalidInput("A CALCULATED health check requires at least one ChildHealthCheck")
	}
	if len(c.ChildHealthChecks) > MaxChildren {
		return apierr.InvalidInput("A CALCULATED health check has at most %d children", MaxChildren)
	}
	seen := make(map[string]bool, len(c.ChildHealthChecks))
	for _, id := range c.ChildHealthChecks {
		if !ValidID(id) {
			return apierr.InvalidInput("Invalid ChildHealthCheck ID %q", clip(id))
		}
		if seen[id] {
			return apierr.InvalidInput("ChildHealthCheck %s is listed twice", id)
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
		return apierr.InvalidInput("Regions must list at least %d regions", MinRegions)
	}
	for i, r := range c.Regions {
		if !slices.Contains(Regions, r) {
			return apierr.InvalidInput("Invalid health checker region %q", clip(r))
		}
		if slices.Contains(c.Regions[:i], r) {
			return apierr.InvalidInput("Region %s is listed twice", r)
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
			return apierr.InvalidInput("Health check %s would be its own child: %s", id, strings.Join(cycle, " -> "))
		}
		if seen[child] {
			return nil
		}
		seen[child] = true
		cc, ok := lookup(child)
		if !ok {
			if len(path) == 0 {
				return apierr.InvalidInput("Invalid ChildHealthCheck: no health check exists with the ID %s", child)
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

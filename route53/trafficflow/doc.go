// Package trafficflow reads Route 53 traffic policy documents (the JSON Document of
// CreateTrafficPolicy), validates them with errors that name the JSON path of each
// fault, translates them into coretraffic policy trees, and models the traffic policy
// and traffic policy instance operations of the Route 53 API as pure functions over
// the current state.
//
// The package has no CoreDNS imports.
package trafficflow

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Format versions of traffic policy documents. 2023-05-09 differs only in how a
// geoproximity location is written (a Location object instead of Region or
// Latitude/Longitude).
const (
	Version20151001 = "2015-10-01"
	Version20230509 = "2023-05-09"
)

// MaxDocumentSize is the largest Document Route 53 accepts, in characters.
const MaxDocumentSize = 102400

// Document is a parsed and validated traffic policy document.
type Document struct {
	FormatVersion string // AWSPolicyFormatVersion
	RecordType    string // "A", "AAAA", … as written (upper case)
	RRType        uint16 // dns.Type* of RecordType

	// Exactly one of StartEndpoint and StartRule is set.
	StartEndpoint string
	StartRule     string

	Endpoints map[string]*Endpoint
	Rules     map[string]*Rule

	// Order is the order the endpoints and rules were written in, "Endpoints.id"
	// and "Rules.id" paths, so that checks walk the document deterministically.
	Order []string

	parsed bool // made by Parse, so valid: ToTree takes no other
}

// Endpoint types of the format. Only TypeValue can be served by coretraffic: the
// others name AWS resources (load balancers, CloudFront, S3 websites, Elastic
// Beanstalk) whose addresses only AWS can resolve.
const (
	TypeValue                   = "value"
	TypeCloudFront              = "cloudfront"
	TypeElasticLoadBalancer     = "elastic-load-balancer"
	TypeApplicationLoadBalancer = "application-load-balancer"
	TypeNetworkLoadBalancer     = "network-load-balancer"
	TypeElasticBeanstalk        = "elastic-beanstalk"
	TypeS3Website               = "s3-website"
)

// Endpoint is one entry of Endpoints.
type Endpoint struct {
	Type   string
	Region string // s3-website only
	Value  string // RDATA of the document's RecordType, in presentation format
}

// Rule types of the format.
const (
	RuleFailover     = "failover"
	RuleGeo          = "geo"
	RuleLatency      = "latency"
	RuleGeoproximity = "geoproximity"
	RuleWeighted     = "weighted"
	RuleMultivalue   = "multivalue"
)

// Rule is one entry of Rules. Only the fields of its Type are set: Primary and
// Secondary (failover), Locations (geo), Regions (latency), GeoproximityLocations
// (geoproximity), Items (weighted, multivalue).
type Rule struct {
	Type                  string
	Primary, Secondary    *Ref
	Locations             []*Ref
	Regions               []*Ref
	GeoproximityLocations []*Ref
	Items                 []*Ref
}

// Ref is one place a rule routes to: an endpoint or another rule, with the fields
// of the rule's type.
type Ref struct {
	Endpoint string // EndpointReference
	Rule     string // RuleReference
	// EvaluateTargetHealth: true unless the document says false. false makes a
	// referenced rule count as healthy to this rule whatever the health of what is
	// inside it (only HealthCheck, if any, decides); it has no effect on a "value"
	// endpoint, which has no target health of its own.
	EvaluateTargetHealth bool
	HealthCheck          string // a health check ID; "" for none

	// geo
	IsDefault                       bool // also set by Country "*"
	Continent, Country, Subdivision string

	// latency: the AWS region code ("us-east-1"). geoproximity: the region code of
	// "aws:route53:us-east-1" (2015-10-01) or of a Region Location (2023-05-09), or
	// "" when Latitude and Longitude are written.
	Region   string
	Lat, Lon float64 // geoproximity: the location, resolved from Region when set
	Bias     int     // geoproximity: −99..99

	Weight int // weighted: 0..255
}

// Problem is one fault of a document: the JSON path of the fault and what is wrong.
type Problem struct {
	Path string // "Rules.eu.Locations[2].Country"; "Document" for the whole document
	Msg  string
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// DocError is a refused document: every fault found, in document order.
type DocError struct {
	Problems []Problem
}

// maxProblems bounds the faults one error lists.
const maxProblems = 20

func (e *DocError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i == maxProblems {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-maxProblems)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// APIError is the error Route 53 answers a refused document with.
func (e *DocError) APIError() *apierr.Error {
	return apierr.New("InvalidTrafficPolicyDocument", http.StatusBadRequest, "%s", e.Error())
}

// Package checks is the Route 53 health check API (2013-04-01) without HTTP: its
// request and response documents, Route 53's validation and error codes,
// CallerReference idempotency, optimistic versions, paging, and the mapping of a
// health check onto coretraffic's probing engine (package healthcheck) and of the
// engine's results back onto GetHealthCheckStatus.
//
// It keeps no state: the store holds health checks; the HTTP server decodes a
// request here, asks the store what it needs (the check with a CallerReference,
// whether a check is referenced) and passes it in.
package checks

import (
	"encoding/xml"
	"time"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Health check types.
const (
	TypeHTTP          = "HTTP"
	TypeHTTPS         = "HTTPS"
	TypeHTTPStrMatch  = "HTTP_STR_MATCH"
	TypeHTTPSStrMatch = "HTTPS_STR_MATCH"
	TypeTCP           = "TCP"
	TypeCalculated    = "CALCULATED"
)

// HealthCheckConfig is Route 53's HealthCheckConfig, element order as Route 53
// writes it. Create fills in defaults, so a stored config is complete.
type HealthCheckConfig struct {
	IPAddress                string   `xml:"IPAddress,omitempty"`
	Port                     int      `xml:"Port,omitempty"`
	Type                     string   `xml:"Type"`
	ResourcePath             string   `xml:"ResourcePath,omitempty"`
	FullyQualifiedDomainName string   `xml:"FullyQualifiedDomainName,omitempty"`
	SearchString             string   `xml:"SearchString,omitempty"`
	RequestInterval          int      `xml:"RequestInterval,omitempty"`
	FailureThreshold         int      `xml:"FailureThreshold,omitempty"`
	MeasureLatency           *bool    `xml:"MeasureLatency,omitempty"`
	Inverted                 bool     `xml:"Inverted"`
	Disabled                 bool     `xml:"Disabled"`
	HealthThreshold          *int     `xml:"HealthThreshold,omitempty"`
	ChildHealthChecks        []string `xml:"ChildHealthChecks>ChildHealthCheck,omitempty"`
	EnableSNI                *bool    `xml:"EnableSNI,omitempty"`
	Regions                  []string `xml:"Regions>Region,omitempty"`
}

// HealthCheck is one stored health check.
type HealthCheck struct {
	ID                 string            `xml:"Id"`
	CallerReference    string            `xml:"CallerReference"`
	HealthCheckConfig  HealthCheckConfig `xml:"HealthCheckConfig"`
	HealthCheckVersion int64             `xml:"HealthCheckVersion"`
}

// CreateHealthCheckRequest is the body of POST /2013-04-01/healthcheck.
type CreateHealthCheckRequest struct {
	CallerReference   string
	HealthCheckConfig HealthCheckConfig
}

// UpdateHealthCheckRequest is the body of POST /2013-04-01/healthcheck/{Id}; nil
// fields are left as they are.
type UpdateHealthCheckRequest struct {
	HealthCheckVersion       *int64
	IPAddress                *string
	Port                     *int
	ResourcePath             *string
	FullyQualifiedDomainName *string
	SearchString             *string
	FailureThreshold         *int
	Inverted                 *bool
	Disabled                 *bool
	HealthThreshold          *int
	ChildHealthChecks        *[]string
	EnableSNI                *bool
	Regions                  *[]string
	ResetElements            []string
}

// CreateHealthCheckResponse is answered with 201 and a Location header (Location).
type CreateHealthCheckResponse struct {
	XMLName     xml.Name    `xml:"CreateHealthCheckResponse"`
	Xmlns       string      `xml:"xmlns,attr"`
	HealthCheck HealthCheck `xml:"HealthCheck"`
}

// GetHealthCheckResponse answers GetHealthCheck.
type GetHealthCheckResponse struct {
	XMLName     xml.Name    `xml:"GetHealthCheckResponse"`
	Xmlns       string      `xml:"xmlns,attr"`
	HealthCheck HealthCheck `xml:"HealthCheck"`
}

// UpdateHealthCheckResponse answers UpdateHealthCheck.
type UpdateHealthCheckResponse struct {
	XMLName     xml.Name    `xml:"UpdateHealthCheckResponse"`
	Xmlns       string      `xml:"xmlns,attr"`
	HealthCheck HealthCheck `xml:"HealthCheck"`
}

// DeleteHealthCheckResponse answers DeleteHealthCheck.
type DeleteHealthCheckResponse struct {
	XMLName xml.Name `xml:"DeleteHealthCheckResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
}

// ListHealthChecksResponse answers ListHealthChecks.
type ListHealthChecksResponse struct {
	XMLName      xml.Name      `xml:"ListHealthChecksResponse"`
	Xmlns        string        `xml:"xmlns,attr"`
	HealthChecks []HealthCheck `xml:"HealthChecks>HealthCheck"`
	Marker       string        `xml:"Marker"`
	IsTruncated  bool          `xml:"IsTruncated"`
	NextMarker   string        `xml:"NextMarker,omitempty"`
	MaxItems     int           `xml:"MaxItems"`
}

// GetHealthCheckCountResponse answers GetHealthCheckCount.
type GetHealthCheckCountResponse struct {
	XMLName          xml.Name `xml:"GetHealthCheckCountResponse"`
	Xmlns            string   `xml:"xmlns,attr"`
	HealthCheckCount int64    `xml:"HealthCheckCount"`
}

// GetHealthCheckStatusResponse answers GetHealthCheckStatus: one observation per
// checker (coretraffic: per engine that probes the check).
type GetHealthCheckStatusResponse struct {
	XMLName      xml.Name      `xml:"GetHealthCheckStatusResponse"`
	Xmlns        string        `xml:"xmlns,attr"`
	Observations []Observation `xml:"HealthCheckObservations>HealthCheckObservation"`
}

// Observation is one checker's latest result.
type Observation struct {
	Region       string       `xml:"Region,omitempty"`
	IPAddress    string       `xml:"IPAddress,omitempty"`
	StatusReport StatusReport `xml:"StatusReport"`
}

// StatusReport is a result as Route 53 words it ("Success: HTTP Status Code 200,
// OK", "Failure: …") and when it was taken.
type StatusReport struct {
	Status      string    `xml:"Status"`
	CheckedTime time.Time `xml:"CheckedTime"`
}

// Responses carry the namespace; these constructors set it.

// CreateResponse wraps hc for CreateHealthCheck.
func CreateResponse(hc HealthCheck) CreateHealthCheckResponse {
	return CreateHealthCheckResponse{Xmlns: apierr.Namespace, HealthCheck: hc}
}

// GetResponse wraps hc for GetHealthCheck.
func GetResponse(hc HealthCheck) GetHealthCheckResponse {
	return GetHealthCheckResponse{Xmlns: apierr.Namespace, HealthCheck: hc}
}

// UpdateResponse wraps hc for UpdateHealthCheck.
func UpdateResponse(hc HealthCheck) UpdateHealthCheckResponse {
	return UpdateHealthCheckResponse{Xmlns: apierr.Namespace, HealthCheck: hc}
}

// DeleteResponse is the empty DeleteHealthCheck answer.
func DeleteResponse() DeleteHealthCheckResponse {
	return DeleteHealthCheckResponse{Xmlns: apierr.Namespace}
}

// CountResponse answers GetHealthCheckCount.
func CountResponse(n int) GetHealthCheckCountResponse {
	return GetHealthCheckCountResponse{Xmlns: apierr.Namespace, HealthCheckCount: int64(n)}
}

// Location is the Location header of a created health check.
func Location(id string) string {
	return "https://route53.amazonaws.com/2013-04-01/healthcheck/" + id
}

// configXML is HealthCheckConfig as written: encoding/xml writes an empty wrapper
// element for an empty a>b list even with omitempty, so the lists are pointers.
type configXML struct {
	IPAddress                string     `xml:"IPAddress,omitempty"`
	Port                     int        `xml:"Port,omitempty"`
	Type                     string     `xml:"Type"`
	ResourcePath             string     `xml:"ResourcePath,omitempty"`
	FullyQualifiedDomainName string     `xml:"FullyQualifiedDomainName,omitempty"`
	SearchString             string     `xml:"SearchString,omitempty"`
	RequestInterval          int        `xml:"RequestInterval,omitempty"`
	FailureThreshold         int        `xml:"FailureThreshold,omitempty"`
	MeasureLatency           *bool      `xml:"MeasureLatency,omitempty"`
	Inverted                 bool       `xml:"Inverted"`
	Disabled                 bool       `xml:"Disabled"`
	HealthThreshold          *int       `xml:"HealthThreshold,omitempty"`
	ChildHealthChecks        *xmlList   `xml:"ChildHealthChecks,omitempty"`
	EnableSNI                *bool      `xml:"EnableSNI,omitempty"`
	Regions                  *xmlRegion `xml:"Regions,omitempty"`
}

type xmlList struct {
	IDs []string `xml:"ChildHealthCheck"`
}

type xmlRegion struct {
	Regions []string `xml:"Region"`
}

// MarshalXML writes c as Route 53 does, leaving out empty lists.
func (c HealthCheckConfig) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	x := configXML{IPAddress: c.IPAddress, Port: c.Port, Type: c.Type, ResourcePath: c.ResourcePath,
		FullyQualifiedDomainName: c.FullyQualifiedDomainName, SearchString: c.SearchString,
		RequestInterval: c.RequestInterval, FailureThreshold: c.FailureThreshold, MeasureLatency: c.MeasureLatency,
		Inverted: c.Inverted, Disabled: c.Disabled, HealthThreshold: c.HealthThreshold, EnableSNI: c.EnableSNI}
	if len(c.ChildHealthChecks) > 0 {
		x.ChildHealthChecks = &xmlList{c.ChildHealthChecks}
	}
	if len(c.Regions) > 0 {
		x.Regions = &xmlRegion{c.Regions}
	}
	return e.EncodeElement(x, start)
}

var _ xml.Marshaler = HealthCheckConfig{}

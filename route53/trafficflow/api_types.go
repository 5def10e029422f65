package trafficflow

import "encoding/xml"

// The request and response shapes of the traffic policy operations of Route 53's
// 2013-04-01 API, as XML. Field names are Route 53's (and the JSON the aws CLI
// prints, see cli.go). A response's Location, when it has one, is the value of the
// Location header of the 201 answer, not part of the body.

// TrafficPolicy is one version of a traffic policy.
type TrafficPolicy struct {
	Id       string `xml:"Id" json:"Id"`
	Version  int    `xml:"Version" json:"Version"`
	Name     string `xml:"Name" json:"Name"`
	Type     string `xml:"Type" json:"Type"`
	Document string `xml:"Document" json:"Document"`
	Comment  string `xml:"Comment,omitempty" json:"Comment,omitempty"`
}

// TrafficPolicySummary is one policy of ListTrafficPolicies: its latest version.
type TrafficPolicySummary struct {
	Id                 string `xml:"Id" json:"Id"`
	Name               string `xml:"Name" json:"Name"`
	Type               string `xml:"Type" json:"Type"`
	LatestVersion      int    `xml:"LatestVersion" json:"LatestVersion"`
	TrafficPolicyCount int    `xml:"TrafficPolicyCount" json:"TrafficPolicyCount"` // the policy's versions
}

// TrafficPolicyInstance binds a policy version to a name in a hosted zone.
type TrafficPolicyInstance struct {
	Id                   string `xml:"Id" json:"Id"`
	HostedZoneId         string `xml:"HostedZoneId" json:"HostedZoneId"`
	Name                 string `xml:"Name" json:"Name"` // FQDN, lower case
	TTL                  int64  `xml:"TTL" json:"TTL"`
	State                string `xml:"State" json:"State"`
	Message              string `xml:"Message" json:"Message"`
	TrafficPolicyId      string `xml:"TrafficPolicyId" json:"TrafficPolicyId"`
	TrafficPolicyVersion int    `xml:"TrafficPolicyVersion" json:"TrafficPolicyVersion"`
	TrafficPolicyType    string `xml:"TrafficPolicyType" json:"TrafficPolicyType"`
}

// Instance states (TrafficPolicyInstance.State).
const (
	StateApplied  = "Applied"  // the records are served
	StateCreating = "Creating" // created or updated, not yet served
	StateFailed   = "Failed"   // not served; Message says why
)

// CreateTrafficPolicyRequest is POST /2013-04-01/trafficpolicy.
type CreateTrafficPolicyRequest struct {
	XMLName  xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyRequest"`
	Name     string   `xml:"Name"`
	Document string   `xml:"Document"`
	Comment  string   `xml:"Comment,omitempty"`
}

// CreateTrafficPolicyResponse answers it with 201.
type CreateTrafficPolicyResponse struct {
	XMLName       xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyResponse"`
	TrafficPolicy TrafficPolicy `xml:"TrafficPolicy"`
	Location      string        `xml:"-"`
}

// GetTrafficPolicyResponse answers GET /2013-04-01/trafficpolicy/{Id}/{Version}.
type GetTrafficPolicyResponse struct {
	XMLName       xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetTrafficPolicyResponse"`
	TrafficPolicy TrafficPolicy `xml:"TrafficPolicy"`
}

// ListTrafficPoliciesResponse answers GET /2013-04-01/trafficpolicies
// (?trafficpolicyid=&maxitems=).
type ListTrafficPoliciesResponse struct {
	XMLName                xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPoliciesResponse"`
	TrafficPolicySummaries policySummaries `xml:"TrafficPolicySummaries"`
	IsTruncated            bool            `xml:"IsTruncated"`
	TrafficPolicyIdMarker  string          `xml:"TrafficPolicyIdMarker"`
	MaxItems               string          `xml:"MaxItems"`
}

// policySummaries and the other list wrappers write their element even when empty,
// as Route 53 does.
type policySummaries struct {
	Items []TrafficPolicySummary `xml:"TrafficPolicySummary"`
}

type policyList struct {
	Items []TrafficPolicy `xml:"TrafficPolicy"`
}

type instanceList struct {
	Items []TrafficPolicyInstance `xml:"TrafficPolicyInstance"`
}

// ListTrafficPolicyVersionsResponse answers GET
// /2013-04-01/trafficpolicies/{Id}/versions (?trafficpolicyversion=&maxitems=).
type ListTrafficPolicyVersionsResponse struct {
	XMLName                    xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPolicyVersionsResponse"`
	TrafficPolicies            policyList `xml:"TrafficPolicies"`
	IsTruncated                bool       `xml:"IsTruncated"`
	TrafficPolicyVersionMarker string     `xml:"TrafficPolicyVersionMarker"`
	MaxItems                   string     `xml:"MaxItems"`
}

// CreateTrafficPolicyVersionRequest is POST /2013-04-01/trafficpolicy/{Id}.
type CreateTrafficPolicyVersionRequest struct {
	XMLName  xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyVersionRequest"`
	Document string   `xml:"Document"`
	Comment  string   `xml:"Comment,omitempty"`
}

// CreateTrafficPolicyVersionResponse answers it with 201.
type CreateTrafficPolicyVersionResponse struct {
	XMLName       xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyVersionResponse"`
	TrafficPolicy TrafficPolicy `xml:"TrafficPolicy"`
	Location      string        `xml:"-"`
}

// UpdateTrafficPolicyCommentRequest is POST /2013-04-01/trafficpolicy/{Id}/{Version}.
type UpdateTrafficPolicyCommentRequest struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateTrafficPolicyCommentRequest"`
	Comment string   `xml:"Comment"`
}

// UpdateTrafficPolicyCommentResponse answers it.
type UpdateTrafficPolicyCommentResponse struct {
	XMLName       xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateTrafficPolicyCommentResponse"`
	TrafficPolicy TrafficPolicy `xml:"TrafficPolicy"`
}

// DeleteTrafficPolicyResponse answers DELETE /2013-04-01/trafficpolicy/{Id}/{Version}.
type DeleteTrafficPolicyResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteTrafficPolicyResponse"`
}

// CreateTrafficPolicyInstanceRequest is POST /2013-04-01/trafficpolicyinstance.
type CreateTrafficPolicyInstanceRequest struct {
	XMLName              xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyInstanceRequest"`
	HostedZoneId         string   `xml:"HostedZoneId"`
	Name                 string   `xml:"Name"`
	TTL                  *int64   `xml:"TTL"`
	TrafficPolicyId      string   `xml:"TrafficPolicyId"`
	TrafficPolicyVersion *int     `xml:"TrafficPolicyVersion"`
}

// CreateTrafficPolicyInstanceResponse answers it with 201.
type CreateTrafficPolicyInstanceResponse struct {
	XMLName               xml.Name              `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateTrafficPolicyInstanceResponse"`
	TrafficPolicyInstance TrafficPolicyInstance `xml:"TrafficPolicyInstance"`
	Location              string                `xml:"-"`
}

// GetTrafficPolicyInstanceResponse answers GET /2013-04-01/trafficpolicyinstance/{Id}.
type GetTrafficPolicyInstanceResponse struct {
	XMLName               xml.Name              `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetTrafficPolicyInstanceResponse"`
	TrafficPolicyInstance TrafficPolicyInstance `xml:"TrafficPolicyInstance"`
}

// ListTrafficPolicyInstancesResponse answers GET /2013-04-01/trafficpolicyinstances
// (?hostedzoneid=&trafficpolicyinstancename=&trafficpolicyinstancetype=&maxitems=).
type ListTrafficPolicyInstancesResponse struct {
	XMLName                         xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPolicyInstancesResponse"`
	TrafficPolicyInstances          instanceList `xml:"TrafficPolicyInstances"`
	HostedZoneIdMarker              string       `xml:"HostedZoneIdMarker,omitempty"`
	TrafficPolicyInstanceNameMarker string       `xml:"TrafficPolicyInstanceNameMarker,omitempty"`
	TrafficPolicyInstanceTypeMarker string       `xml:"TrafficPolicyInstanceTypeMarker,omitempty"`
	IsTruncated                     bool         `xml:"IsTruncated"`
	MaxItems                        string       `xml:"MaxItems"`
}

// ListTrafficPolicyInstancesByHostedZoneResponse answers GET
// /2013-04-01/trafficpolicyinstances/hostedzone (?id=&trafficpolicyinstancename=
// &trafficpolicyinstancetype=&maxitems=).
type ListTrafficPolicyInstancesByHostedZoneResponse struct {
	XMLName                         xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPolicyInstancesByHostedZoneResponse"`
	TrafficPolicyInstances          instanceList `xml:"TrafficPolicyInstances"`
	TrafficPolicyInstanceNameMarker string       `xml:"TrafficPolicyInstanceNameMarker,omitempty"`
	TrafficPolicyInstanceTypeMarker string       `xml:"TrafficPolicyInstanceTypeMarker,omitempty"`
	IsTruncated                     bool         `xml:"IsTruncated"`
	MaxItems                        string       `xml:"MaxItems"`
}

// ListTrafficPolicyInstancesByPolicyResponse answers GET
// /2013-04-01/trafficpolicyinstances/trafficpolicy (?id=&version=&hostedzoneid=
// &trafficpolicyinstancename=&trafficpolicyinstancetype=&maxitems=).
type ListTrafficPolicyInstancesByPolicyResponse struct {
	XMLName                         xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListTrafficPolicyInstancesByPolicyResponse"`
	TrafficPolicyInstances          instanceList `xml:"TrafficPolicyInstances"`
	HostedZoneIdMarker              string       `xml:"HostedZoneIdMarker,omitempty"`
	TrafficPolicyInstanceNameMarker string       `xml:"TrafficPolicyInstanceNameMarker,omitempty"`
	TrafficPolicyInstanceTypeMarker string       `xml:"TrafficPolicyInstanceTypeMarker,omitempty"`
	IsTruncated                     bool         `xml:"IsTruncated"`
	MaxItems                        string       `xml:"MaxItems"`
}

// UpdateTrafficPolicyInstanceRequest is POST /2013-04-01/trafficpolicyinstance/{Id}.
type UpdateTrafficPolicyInstanceRequest struct {
	XMLName              xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateTrafficPolicyInstanceRequest"`
	TTL                  *int64   `xml:"TTL"`
	TrafficPolicyId      string   `xml:"TrafficPolicyId"`
	TrafficPolicyVersion *int     `xml:"TrafficPolicyVersion"`
}

// UpdateTrafficPolicyInstanceResponse answers it.
type UpdateTrafficPolicyInstanceResponse struct {
	XMLName               xml.Name              `xml:"https://route53.amazonaws.com/doc/2013-04-01/ UpdateTrafficPolicyInstanceResponse"`
	TrafficPolicyInstance TrafficPolicyInstance `xml:"TrafficPolicyInstance"`
}

// DeleteTrafficPolicyInstanceResponse answers DELETE
// /2013-04-01/trafficpolicyinstance/{Id}.
type DeleteTrafficPolicyInstanceResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteTrafficPolicyInstanceResponse"`
}

// GetTrafficPolicyInstanceCountResponse answers GET
// /2013-04-01/trafficpolicyinstancecount.
type GetTrafficPolicyInstanceCountResponse struct {
	XMLName                    xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetTrafficPolicyInstanceCountResponse"`
	TrafficPolicyInstanceCount int      `xml:"TrafficPolicyInstanceCount"`
}

package route53

import "encoding/xml"

// Namespace is the XML namespace of every request and response document.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// ResourceRecordSet is Route 53's record set: a name and type, its values or an
// alias target, and at most one routing field (with a SetIdentifier). The XML and
// JSON names are Route 53's; the field order is the API model's, so documents are
// written as Route 53 writes them.
type ResourceRecordSet struct {
	Name                    string                `xml:"Name" json:"Name"`
	Type                    string                `xml:"Type" json:"Type"`
	SetIdentifier           string                `xml:"SetIdentifier,omitempty" json:"SetIdentifier,omitempty"`
	Weight                  *int64                `xml:"Weight,omitempty" json:"Weight,omitempty"`
	Region                  string                `xml:"Region,omitempty" json:"Region,omitempty"`
	GeoLocation             *GeoLocation          `xml:"GeoLocation,omitempty" json:"GeoLocation,omitempty"`
	Failover                string                `xml:"Failover,omitempty" json:"Failover,omitempty"`
	MultiValueAnswer        *bool                 `xml:"MultiValueAnswer,omitempty" json:"MultiValueAnswer,omitempty"`
	TTL                     *int64                `xml:"TTL,omitempty" json:"TTL,omitempty"`
	ResourceRecords         []ResourceRecord      `xml:"ResourceRecords>ResourceRecord,omitempty" json:"ResourceRecords,omitempty"`
	AliasTarget             *AliasTarget          `xml:"AliasTarget,omitempty" json:"AliasTarget,omitempty"`
	HealthCheckId           string                `xml:"HealthCheckId,omitempty" json:"HealthCheckId,omitempty"`
	TrafficPolicyInstanceId string                `xml:"TrafficPolicyInstanceId,omitempty" json:"TrafficPolicyInstanceId,omitempty"`
	CidrRoutingConfig       *CidrRoutingConfig    `xml:"CidrRoutingConfig,omitempty" json:"CidrRoutingConfig,omitempty"`
	GeoProximityLocation    *GeoProximityLocation `xml:"GeoProximityLocation,omitempty" json:"GeoProximityLocation,omitempty"`
}

// ResourceRecord is one value in presentation format ("192.0.2.1", "10 mx.example.com.").
type ResourceRecord struct {
	Value string `xml:"Value" json:"Value"`
}

// GeoLocation is a geolocation record's match: a continent, a country (with
// CountryCode "*" the default record) or a subdivision of a country.
type GeoLocation struct {
	ContinentCode   string `xml:"ContinentCode,omitempty" json:"ContinentCode,omitempty"`
	CountryCode     string `xml:"CountryCode,omitempty" json:"CountryCode,omitempty"`
	SubdivisionCode string `xml:"SubdivisionCode,omitempty" json:"SubdivisionCode,omitempty"`
}

// GeoProximityLocation is where a geoproximity record is: an AWS Region, a Local
// Zone group or coordinates, with a bias −99..99.
type GeoProximityLocation struct {
	AWSRegion      string       `xml:"AWSRegion,omitempty" json:"AWSRegion,omitempty"`
	LocalZoneGroup string       `xml:"LocalZoneGroup,omitempty" json:"LocalZoneGroup,omitempty"`
	Coordinates    *Coordinates `xml:"Coordinates,omitempty" json:"Coordinates,omitempty"`
	Bias           *int64       `xml:"Bias,omitempty" json:"Bias,omitempty"`
}

// Coordinates are decimal degrees as strings, as Route 53 has them.
type Coordinates struct {
	Latitude  string `xml:"Latitude" json:"Latitude"`
	Longitude string `xml:"Longitude" json:"Longitude"`
}

// AliasTarget names the record set an alias answers from; here always one of the
// same hosted zone and type.
type AliasTarget struct {
	HostedZoneId         string `xml:"HostedZoneId" json:"HostedZoneId"`
	DNSName              string `xml:"DNSName" json:"DNSName"`
	EvaluateTargetHealth bool   `xml:"EvaluateTargetHealth" json:"EvaluateTargetHealth"`
}

// CidrRoutingConfig is an IP-based record's collection and location ("*": the default).
type CidrRoutingConfig struct {
	CollectionId string `xml:"CollectionId" json:"CollectionId"`
	LocationName string `xml:"LocationName" json:"LocationName"`
}

// Change actions.
const (
	ActionCreate = "CREATE"
	ActionDelete = "DELETE"
	ActionUpsert = "UPSERT"
)

// Change is one action on one record set.
type Change struct {
	Action            string            `xml:"Action"`
	ResourceRecordSet ResourceRecordSet `xml:"ResourceRecordSet"`
}

// ChangeBatch is the changes of one ChangeResourceRecordSets request.
type ChangeBatch struct {
	Comment string   `xml:"Comment,omitempty"`
	Changes []Change `xml:"Changes>Change"`
}

// ChangeResourceRecordSetsRequest is the body of POST /2013-04-01/hostedzone/{Id}/rrset/.
type ChangeResourceRecordSetsRequest struct {
	XMLName     xml.Name    `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeResourceRecordSetsRequest"`
	ChangeBatch ChangeBatch `xml:"ChangeBatch"`
}

// Change statuses.
const (
	StatusPending = "PENDING"
	StatusInsync  = "INSYNC"
)

// ChangeInfo describes a submitted change. Id is "/change/C…"; SubmittedAt is
// RFC 3339 in UTC (see FormatTime).
type ChangeInfo struct {
	Id          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

// ChangeResourceRecordSetsResponse answers a change batch.
type ChangeResourceRecordSetsResponse struct {
	XMLName    xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeResourceRecordSetsResponse"`
	ChangeInfo ChangeInfo `xml:"ChangeInfo"`
}

// GetChangeResponse answers GET /2013-04-01/change/{Id}.
type GetChangeResponse struct {
	XMLName    xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetChangeResponse"`
	ChangeInfo ChangeInfo `xml:"ChangeInfo"`
}

// ListResourceRecordSetsResponse answers GET /2013-04-01/hostedzone/{Id}/rrset.
type ListResourceRecordSetsResponse struct {
	XMLName              xml.Name            `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListResourceRecordSetsResponse"`
	ResourceRecordSets   []ResourceRecordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated          bool                `xml:"IsTruncated"`
	NextRecordName       string              `xml:"NextRecordName,omitempty"`
	NextRecordType       string              `xml:"NextRecordType,omitempty"`
	NextRecordIdentifier string              `xml:"NextRecordIdentifier,omitempty"`
	MaxItems             string              `xml:"MaxItems"`
}

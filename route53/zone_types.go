package route53

import "encoding/xml"

// HostedZoneConfig is a zone's comment and privacy flag.
type HostedZoneConfig struct {
	Comment     string `xml:"Comment,omitempty"`
	PrivateZone bool   `xml:"PrivateZone"`
}

// VPC is accepted in a CreateHostedZone request (a private zone's VPC) and returned
// as given; this server does not scope answers by VPC.
type VPC struct {
	VPCRegion string `xml:"VPCRegion,omitempty"`
	VPCId     string `xml:"VPCId,omitempty"`
}

// CreateHostedZoneRequest is the body of POST /2013-04-01/hostedzone.
type CreateHostedZoneRequest struct {
	XMLName          xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHostedZoneRequest"`
	Name             string            `xml:"Name"`
	VPC              *VPC              `xml:"VPC,omitempty"`
	CallerReference  string            `xml:"CallerReference"`
	HostedZoneConfig *HostedZoneConfig `xml:"HostedZoneConfig,omitempty"`
	DelegationSetId  string            `xml:"DelegationSetId,omitempty"`
}

// HostedZone is a hosted zone as the API shows it. Id is "/hostedzone/Z…".
type HostedZone struct {
	Id                     string            `xml:"Id"`
	Name                   string            `xml:"Name"`
	CallerReference        string            `xml:"CallerReference"`
	Config                 *HostedZoneConfig `xml:"Config,omitempty"`
	ResourceRecordSetCount int64             `xml:"ResourceRecordSetCount"`
}

// DelegationSet is the name servers of a zone.
type DelegationSet struct {
	Id              string   `xml:"Id,omitempty"`
	CallerReference string   `xml:"CallerReference,omitempty"`
	NameServers     []string `xml:"NameServers>NameServer"`
}

// CreateHostedZoneResponse answers CreateHostedZone (201, with a Location header of
// the zone's URL).
type CreateHostedZoneResponse struct {
	XMLName       xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateHostedZoneResponse"`
	HostedZone    HostedZone    `xml:"HostedZone"`
	ChangeInfo    ChangeInfo    `xml:"ChangeInfo"`
	DelegationSet DelegationSet `xml:"DelegationSet"`
	VPC           *VPC          `xml:"VPC,omitempty"`
}

// GetHostedZoneResponse answers GET /2013-04-01/hostedzone/{Id}.
type GetHostedZoneResponse struct {
	XMLName       xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneResponse"`
	HostedZone    HostedZone     `xml:"HostedZone"`
	DelegationSet *DelegationSet `xml:"DelegationSet,omitempty"`
	VPCs          []VPC          `xml:"VPCs>VPC,omitempty"`
}

// ListHostedZonesResponse answers GET /2013-04-01/hostedzone.
type ListHostedZonesResponse struct {
	XMLName     xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesResponse"`
	HostedZones []HostedZone `xml:"HostedZones>HostedZone"`
	Marker      string       `xml:"Marker"`
	IsTruncated bool         `xml:"IsTruncated"`
	NextMarker  string       `xml:"NextMarker,omitempty"`
	MaxItems    string       `xml:"MaxItems"`
}

// ListHostedZonesByNameResponse answers GET /2013-04-01/hostedzonesbyname.
type ListHostedZonesByNameResponse struct {
	XMLName          xml.Name     `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesByNameResponse"`
	HostedZones      []HostedZone `xml:"HostedZones>HostedZone"`
	DNSName          string       `xml:"DNSName,omitempty"`
	HostedZoneId     string       `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool         `xml:"IsTruncated"`
	NextDNSName      string       `xml:"NextDNSName,omitempty"`
	NextHostedZoneId string       `xml:"NextHostedZoneId,omitempty"`
	MaxItems         string       `xml:"MaxItems"`
}

// DeleteHostedZoneResponse answers DELETE /2013-04-01/hostedzone/{Id}.
type DeleteHostedZoneResponse struct {
	XMLName    xml.Name   `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteHostedZoneResponse"`
	ChangeInfo ChangeInfo `xml:"ChangeInfo"`
}

// GetHostedZoneCountResponse answers GET /2013-04-01/hostedzonecount.
type GetHostedZoneCountResponse struct {
	XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneCountResponse"`
	HostedZoneCount int64    `xml:"HostedZoneCount"`
}

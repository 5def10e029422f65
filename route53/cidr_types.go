package route53

import "encoding/xml"

// CreateCidrCollectionRequest is the body of POST /2013-04-01/cidrcollection.
type CreateCidrCollectionRequest struct {
	XMLName         xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateCidrCollectionRequest"`
	Name            string   `xml:"Name"`
	CallerReference string   `xml:"CallerReference"`
}

// CidrCollectionSummary is a collection as the API shows it (CidrCollection and
// CollectionSummary have the same members).
type CidrCollectionSummary struct {
	Arn     string `xml:"Arn,omitempty"`
	Id      string `xml:"Id,omitempty"`
	Name    string `xml:"Name,omitempty"`
	Version int64  `xml:"Version,omitempty"`
}

// CreateCidrCollectionResponse answers CreateCidrCollection (201, Location header).
type CreateCidrCollectionResponse struct {
	XMLName    xml.Name              `xml:"https://route53.amazonaws.com/doc/2013-04-01/ CreateCidrCollectionResponse"`
	Collection CidrCollectionSummary `xml:"Collection"`
}

// ListCidrCollectionsResponse answers GET /2013-04-01/cidrcollection.
type ListCidrCollectionsResponse struct {
	XMLName         xml.Name                `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrCollectionsResponse"`
	NextToken       string                  `xml:"NextToken,omitempty"`
	CidrCollections []CidrCollectionSummary `xml:"CidrCollections>member"`
}

// CIDR collection change actions.
const (
	CidrActionPut            = "PUT"
	CidrActionDeleteIfExists = "DELETE_IF_EXISTS"
)

// CidrCollectionChange puts blocks into a location or deletes them from it.
type CidrCollectionChange struct {
	LocationName string   `xml:"LocationName"`
	Action       string   `xml:"Action"`
	CidrList     []string `xml:"CidrList>Cidr"`
}

// ChangeCidrCollectionRequest is the body of POST /2013-04-01/cidrcollection/{Id}.
type ChangeCidrCollectionRequest struct {
	XMLName           xml.Name               `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeCidrCollectionRequest"`
	CollectionVersion *int64                 `xml:"CollectionVersion,omitempty"`
	Changes           []CidrCollectionChange `xml:"Changes>member"`
}

// ChangeCidrCollectionResponse answers ChangeCidrCollection.
type ChangeCidrCollectionResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ChangeCidrCollectionResponse"`
	Id      string   `xml:"Id"`
}

// DeleteCidrCollectionResponse answers DeleteCidrCollection (an empty document).
type DeleteCidrCollectionResponse struct {
	XMLName xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ DeleteCidrCollectionResponse"`
}

// CidrBlockSummary is one block of a collection and its location.
type CidrBlockSummary struct {
	CidrBlock    string `xml:"CidrBlock"`
	LocationName string `xml:"LocationName"`
}

// ListCidrBlocksResponse answers GET /2013-04-01/cidrcollection/{Id}/cidrblocks.
type ListCidrBlocksResponse struct {
	XMLName    xml.Name           `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrBlocksResponse"`
	NextToken  string             `xml:"NextToken,omitempty"`
	CidrBlocks []CidrBlockSummary `xml:"CidrBlocks>member"`
}

// LocationSummary is one location of a collection.
type LocationSummary struct {
	LocationName string `xml:"LocationName"`
}

// ListCidrLocationsResponse answers GET /2013-04-01/cidrcollection/{Id}.
type ListCidrLocationsResponse struct {
	XMLName       xml.Name          `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListCidrLocationsResponse"`
	NextToken     string            `xml:"NextToken,omitempty"`
	CidrLocations []LocationSummary `xml:"CidrLocations>member"`
}

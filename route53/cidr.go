package route53

import (
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// CidrCollection is a CIDR collection as the store keeps it: blocks by location,
// each block in canonical form ("192.0.2.0/24").
type CidrCollection struct {
	ID              string // a UUID
	Name            string
	CallerReference string
	Version         int64
	Locations       map[string][]string
}

// Limits of CIDR collections, as Route 53's.
const (
	maxCidrChanges = 1000
	maxCidrItems   = 100 // ListCidr* default and largest page
)

// ARN is the collection's ARN, as Route 53 forms it.
func (c *CidrCollection) ARN() string { return "arn:aws:route53:::cidrcollection/" + c.ID }

// Summary is the collection as the API shows it.
func (c *CidrCollection) Summary() CidrCollectionSummary {
	return CidrCollectionSummary{Arn: c.ARN(), Id: c.ID, Name: c.Name, Version: c.Version}
}

// NewUUID returns a random (version 4) UUID, the form of collection IDs.
func NewUUID(r io.Reader) string {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("route53: no randomness for IDs: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// validName reports whether s is a collection or location name: letters, digits,
// "-" and "_" (Route 53's pattern), within the length limit.
func validName(s string, most int) bool {
	if s == "" || len(s) > most {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CreateCidrCollection validates a request and makes the collection (version 1, no
// locations). byName finds an existing collection by name: the same name with the
// same caller reference returns that collection (a retried request), with another
// reference it is CidrCollectionAlreadyExistsException.
func CreateCidrCollection(req *CreateCidrCollectionRequest, byName func(name string) (*CidrCollection, bool), r io.Reader) (*CidrCollection, bool, *apierr.Error) {
	var v violations
	v.length(req.Name, "name", 1, 64)
	v.length(req.CallerReference, "callerReference", 1, 64)
	if err := v.err(); err != nil {
		return nil, false, err
	}
	if !validName(req.Name, 64) {
		return nil, false, apierr.InvalidInput("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z_\\-]+", req.Name)
	}
	if old, ok := byName(req.Name); ok {
		if old.CallerReference == req.CallerReference {
			return old, false, nil
		}
		return nil, false, apierr.New("CidrCollectionAlreadyExistsException", http.StatusBadRequest, "A CIDR collection with the name %s already exists", req.Name)
	}
	return &CidrCollection{ID: NewUUID(r), Name: req.Name, CallerReference: req.CallerReference, Version: 1, Locations: map[string][]string{}}, true, nil
}

// NoSuchCidrCollection is the error for an unknown collection ID.
func NoSuchCidrCollection(id string) *apierr.Error {
	return apierr.NotFound("NoSuchCidrCollectionException", "The CIDR collection with ID %s does not exist", id)
}

// ChangeCidrCollection applies a ChangeCidrCollection request to c and returns the
// new collection (version + 1); c is not modified. A request version other than
// c's is CidrCollectionVersionMismatchException; a block is in one location only
// (CidrBlockInUseException); deleting the last block of a location that a record set
// uses is CidrCollectionInUseException (inUse reports the locations record sets use).
func ChangeCidrCollection(c *CidrCollection, req *ChangeCidrCollectionRequest, inUse func(location string) bool) (*CidrCollection, *apierr.Error) {
	var v violations
	if len(req.Changes) < 1 || len(req.Changes) > maxCidrChanges {
		v.add(len(req.Changes), "changes", "Member must have length between 1 and %d", maxCidrChanges)
	}
	for i, ch := range req.Changes {
		p := "changes." + strconv.Itoa(i+1) + ".member"
		v.length(ch.LocationName, p+".locationName", 1, 16)
		v.enum(ch.Action, p+".action", []string{CidrActionPut, CidrActionDeleteIfExists})
		if len(ch.CidrList) < 1 || len(ch.CidrList) > 1000 {
			v.add(len(ch.CidrList), p+".cidrList", "Member must have length between 1 and 1000")
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if req.CollectionVersion != nil && *req.CollectionVersion != c.Version {
		return nil, apierr.Conflict("CidrCollectionVersionMismatchException", "The CIDR collection version %d does not match the current version %d", *req.CollectionVersion, c.Version)
	}
	next := &CidrCollection{ID: c.ID, Name: c.Name, CallerReference: c.CallerReference, Version: c.Version + 1, Locations: map[string][]string{}}
	owner := map[netip.Prefix]string{}
	for loc, blocks := range c.Locations {
		next.Locations[loc] = slices.Clone(blocks)
		for _, b := range blocks {
			owner[netip.MustParsePrefix(b)] = loc
		}
	}
	for _, ch := range req.Changes {
		if !validName(ch.LocationName, 16) {
			return nil, apierr.InvalidInput("The location name %q is not valid: letters, digits, \"-\" and \"_\", at most 16", ch.LocationName)
		}
		for _, s := range ch.CidrList {
			p, err := netip.ParsePrefix(s)
			if err != nil || p.Masked() != p {
				return nil, apierr.InvalidInput("%s is not a valid CIDR block (an IPv4 or IPv6 network address and prefix length, without host bits)", s)
			}
			p = canonicalPrefix(p)
			switch loc, has := owner[p]; {
			case ch.Action == CidrActionPut && has && loc != ch.LocationName:
				return nil, apierr.New("CidrBlockInUseException", http.StatusBadRequest, "The CIDR block %s is already in location %s", p, loc)
			case ch.Action == CidrActionPut && !has:
				owner[p] = ch.LocationName
			case ch.Action == CidrActionDeleteIfExists && has && loc == ch.LocationName:
				delete(owner, p)
			}
		}
	}
	next.Locations = map[string][]string{}
	for p, loc := range owner {
		next.Locations[loc] = append(next.Locations[loc], p.String())
	}
	for loc := range next.Locations {
		slices.Sort(next.Locations[loc])
	}
	for loc := range c.Locations {
		if _, kept := next.Locations[loc]; !kept && inUse != nil && inUse(loc) {
			return nil, apierr.New("CidrCollectionInUseException", http.StatusBadRequest, "The location %s of CIDR collection %s is used by resource record sets", loc, c.ID)
		}
	}
	return next, nil
}

// canonicalPrefix maps an IPv4-mapped IPv6 block to the IPv4 block, as the policy
// engine does.
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// CheckCidrDeletable refuses to delete a collection that has locations or that
// record sets use (CidrCollectionInUseException).
func CheckCidrDeletable(c *CidrCollection, used bool) *apierr.Error {
	if len(c.Locations) > 0 || used {
		return apierr.New("CidrCollectionInUseException", http.StatusBadRequest, "The CIDR collection %s is in use or not empty", c.ID)
	}
	return nil
}

// pageToken pages a sorted list of strings by NextToken: the token is the first item
// of the next page.
func pageToken(items []string, token, maxResults string) ([]string, string, *apierr.Error) {
	n := maxCidrItems
	if maxResults != "" {
		m, err := strconv.Atoi(maxResults)
		if err != nil || m < 1 {
			return nil, "", apierr.InvalidInput("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must be a positive integer", maxResults)
		}
		n = min(m, maxCidrItems)
	}
	from := 0
	if token != "" {
		var found bool
		if from, found = slices.BinarySearch(items, token); !found {
			return nil, "", apierr.New("InvalidPaginationToken", http.StatusBadRequest, "The pagination token %q is not valid", token)
		}
	}
	end := min(from+n, len(items))
	next := ""
	if end < len(items) {
		next = items[end]
	}
	return items[from:end], next, nil
}

// ListCidrCollections pages collections by name.
func ListCidrCollections(cs []*CidrCollection, token, maxResults string) (*ListCidrCollectionsResponse, *apierr.Error) {
	byName := map[string]*CidrCollection{}
	names := make([]string, 0, len(cs))
	for _, c := range cs {
		byName[c.Name] = c
		names = append(names, c.Name)
	}
	slices.Sort(names)
	page, next, err := pageToken(names, token, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListCidrCollectionsResponse{NextToken: next, CidrCollections: []CidrCollectionSummary{}}
	for _, n := range page {
		out.CidrCollections = append(out.CidrCollections, byName[n].Summary())
	}
	return out, nil
}

// ListCidrLocations pages a collection's locations by name.
func ListCidrLocations(c *CidrCollection, token, maxResults string) (*ListCidrLocationsResponse, *apierr.Error) {
	names := slices.Sorted(maps.Keys(c.Locations))
	page, next, err := pageToken(names, token, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListCidrLocationsResponse{NextToken: next, CidrLocations: []LocationSummary{}}
	for _, n := range page {
		out.CidrLocations = append(out.CidrLocations, LocationSummary{LocationName: n})
	}
	return out, nil
}

// ListCidrBlocks pages a collection's blocks (of one location when location is not
// empty) by location, then block.
func ListCidrBlocks(c *CidrCollection, location, token, maxResults string) (*ListCidrBlocksResponse, *apierr.Error) {
	if _, ok := c.Locations[location]; location != "" && !ok {
		return nil, apierr.NotFound("NoSuchCidrLocationException", "The CIDR collection %s has no location %s", c.ID, location)
	}
	var keys []string
	for _, loc := range slices.Sorted(maps.Keys(c.Locations)) {
		if location != "" && loc != location {
			continue
		}
		for _, b := range c.Locations[loc] {
			keys = append(keys, loc+" "+b)
		}
	}
	slices.Sort(keys)
	page, next, err := pageToken(keys, token, maxResults)
	if err != nil {
		return nil, err
	}
	out := &ListCidrBlocksResponse{NextToken: next, CidrBlocks: []CidrBlockSummary{}}
	for _, k := range page {
		loc, b, _ := strings.Cut(k, " ")
		out.CidrBlocks = append(out.CidrBlocks, CidrBlockSummary{CidrBlock: b, LocationName: loc})
	}
	return out, nil
}

package api_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

func cidrChange(action types.CidrCollectionChangeAction, location string, blocks ...string) types.CidrCollectionChange {
	return types.CidrCollectionChange{Action: action, LocationName: aws.String(location), CidrList: blocks}
}

func ipRecordSet(set, collection, location, value string) types.ResourceRecordSet {
	rs := rrset("ip.example.org", "", 0, "", value)
	rs.SetIdentifier = aws.String(set)
	rs.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: aws.String(collection), LocationName: aws.String(location)}
	return rs
}

func TestAPICidrCollections(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	code := func(what, want string, err error) {
		t.Helper()
		if got := errCode(err); got != want {
			t.Errorf("%s: got %s, want %s", what, got, want)
		}
	}

	// Collections: create (idempotent by caller reference), change with versions, list.
	cc, err := c.CreateCidrCollection(ctx, &route53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("ref-1")})
	if err != nil {
		t.Fatal(err)
	}
	id := cc.Collection.Id
	if aws.ToInt64(cc.Collection.Version) != 1 || aws.ToString(cc.Location) != "/2013-04-01/cidrcollection/"+*id {
		t.Errorf("CreateCidrCollection: %+v at %q", cc.Collection, aws.ToString(cc.Location))
	}
	again, err := c.CreateCidrCollection(ctx, &route53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("ref-1")})
	if err != nil || aws.ToString(again.Collection.Id) != *id {
		t.Errorf("a retried CreateCidrCollection: %+v %v", again, err)
	}
	_, err = c.CreateCidrCollection(ctx, &route53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("ref-2")})
	code("a second collection of one name", "CidrCollectionAlreadyExistsException", err)
	_, err = c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, CollectionVersion: aws.Int64(1), Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionPut, "berlin", "203.0.113.0/24"),
		cidrChange(types.CidrCollectionChangeActionPut, "paris", "198.51.100.0/24", "2001:db8:1::/48")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, CollectionVersion: aws.Int64(1), Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionPut, "rome", "192.0.2.0/24")}})
	code("a change of a stale version", "CidrCollectionVersionMismatchException", err)
	_, err = c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionPut, "berlin", "198.51.100.0/24")}})
	code("a block in two locations", "CidrBlockInUseException", err)
	_, err = c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: aws.String("00000000-0000-4000-8000-000000000000"), Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionPut, "berlin", "192.0.2.0/24")}})
	code("an unknown collection", "NoSuchCidrCollectionException", err)
	colls, err := c.ListCidrCollections(ctx, &route53.ListCidrCollectionsInput{})
	if err != nil || len(colls.CidrCollections) != 1 || aws.ToInt64(colls.CidrCollections[0].Version) != 2 {
		t.Errorf("ListCidrCollections: %+v %v", colls, err)
	}
	locs, err := c.ListCidrLocations(ctx, &route53.ListCidrLocationsInput{CollectionId: id})
	if err != nil || len(locs.CidrLocations) != 2 || aws.ToString(locs.CidrLocations[0].LocationName) != "berlin" {
		t.Errorf("ListCidrLocations: %+v %v", locs, err)
	}
	blocks, err := c.ListCidrBlocks(ctx, &route53.ListCidrBlocksInput{CollectionId: id})
	if err != nil || len(blocks.CidrBlocks) != 3 {
		t.Errorf("ListCidrBlocks: %+v %v", blocks, err)
	}
	blocks, err = c.ListCidrBlocks(ctx, &route53.ListCidrBlocksInput{CollectionId: id, LocationName: aws.String("paris"), MaxResults: aws.Int32(1)})
	if err != nil || len(blocks.CidrBlocks) != 1 || blocks.NextToken == nil {
		t.Errorf("ListCidrBlocks of paris, one a page: %+v %v", blocks, err)
	}

	// IP-based record sets name stored collections and locations.
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("z")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := z.HostedZone.Id
	for _, tc := range []struct {
		what string
		rs   types.ResourceRecordSet
		msg  string
	}{
		{"an unknown collection", ipRecordSet("x", "00000000-0000-4000-8000-000000000000", "berlin", "192.0.2.5"), "does not exist"},
		{"an unknown location", ipRecordSet("x", *id, "rome", "192.0.2.5"), "The CIDR location rome does not exist"},
	} {
		_, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate, tc.rs)})
		var icb *types.InvalidChangeBatch
		if !errors.As(err, &icb) || !strings.Contains(strings.Join(icb.Messages, " "), tc.msg) {
			t.Errorf("%s: %v", tc.what, err)
		}
	}
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate,
		ipRecordSet("berlin", *id, "berlin", "192.0.2.1"), ipRecordSet("default", *id, "*", "192.0.2.9"))})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)
	clients := []struct {
		addr, want string
	}{
		{"203.0.113.7/32", "192.0.2.1"},  // berlin's block
		{"198.51.100.7/32", "192.0.2.9"}, // paris: no record set, the default
		{"8.8.8.8/32", "192.0.2.9"},      // in no block
	}
	for _, cl := range clients {
		if got := s.answer("ip.example.org.", dns.TypeA, noLocation, netip.MustParsePrefix(cl.addr)); got != cl.want {
			t.Errorf("client %s gets %q, want %q", cl.addr, got, cl.want)
		}
	}

	// A changed collection recompiles the record sets using it, in place.
	if _, err := c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionDeleteIfExists, "paris", "198.51.100.0/24"),
		cidrChange(types.CidrCollectionChangeActionPut, "berlin", "198.51.100.0/24")}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "198.51.100.7 answered as berlin", func() bool {
		return s.answer("ip.example.org.", dns.TypeA, noLocation, netip.MustParsePrefix("198.51.100.7/32")) == "192.0.2.1"
	})
	if s.replica.Current().Fresh {
		t.Error("a collection change recompiled every zone")
	}

	// Refused while used: the last blocks of a location a record set names, the
	// collection itself.
	_, err = c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionDeleteIfExists, "berlin", "203.0.113.0/24", "198.51.100.0/24")}})
	code("emptying a location in use", "CidrCollectionInUseException", err)
	_, err = c.DeleteCidrCollection(ctx, &route53.DeleteCidrCollectionInput{Id: id})
	code("deleting a collection in use", "CidrCollectionInUseException", err)

	// Once nothing uses it and it is empty, it goes.
	out, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionDelete,
		ipRecordSet("berlin", *id, "berlin", "192.0.2.1"), ipRecordSet("default", *id, "*", "192.0.2.9"))})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)
	if _, err := c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionDeleteIfExists, "berlin", "203.0.113.0/24", "198.51.100.0/24"),
		cidrChange(types.CidrCollectionChangeActionDeleteIfExists, "paris", "2001:db8:1::/48")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteCidrCollection(ctx, &route53.DeleteCidrCollectionInput{Id: id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListCidrBlocks(ctx, &route53.ListCidrBlocksInput{CollectionId: id})
	code("blocks of a deleted collection", "NoSuchCidrCollectionException", err)
	if colls, err := c.ListCidrCollections(ctx, &route53.ListCidrCollectionsInput{}); err != nil || len(colls.CidrCollections) != 0 {
		t.Errorf("ListCidrCollections after the delete: %+v %v", colls, err)
	}
}

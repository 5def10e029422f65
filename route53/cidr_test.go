package route53

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestCidrCollections(t *testing.T) {
	byName := map[string]*CidrCollection{}
	find := func(n string) (*CidrCollection, bool) { c, ok := byName[n]; return c, ok }
	c, created, err := CreateCidrCollection(&CreateCidrCollectionRequest{Name: "corp", CallerReference: "r1"}, find, nil)
	if err != nil || !created {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(c.ID) || c.Version != 1 || c.Summary().Arn != "arn:aws:route53:::cidrcollection/"+c.ID {
		t.Errorf("collection %+v", c)
	}
	byName["corp"] = c
	if again, created, err := CreateCidrCollection(&CreateCidrCollectionRequest{Name: "corp", CallerReference: "r1"}, find, nil); err != nil || created || again != c {
		t.Errorf("retry: %v %v %v", again, created, err)
	}
	if _, _, err := CreateCidrCollection(&CreateCidrCollectionRequest{Name: "corp", CallerReference: "r2"}, find, nil); err == nil || err.Code != "CidrCollectionAlreadyExistsException" {
		t.Errorf("same name: %v", err)
	}
	if _, _, err := CreateCidrCollection(&CreateCidrCollectionRequest{Name: "bad name", CallerReference: "r3"}, find, nil); err == nil || err.Code != "InvalidInput" {
		t.Errorf("bad name: %v", err)
	}

	put := func(loc string, blocks ...string) CidrCollectionChange {
		return CidrCollectionChange{LocationName: loc, Action: CidrActionPut, CidrList: blocks}
	}
	del := func(loc string, blocks ...string) CidrCollectionChange {
		return CidrCollectionChange{LocationName: loc, Action: CidrActionDeleteIfExists, CidrList: blocks}
	}
	c2, err := ChangeCidrCollection(c, &ChangeCidrCollectionRequest{CollectionVersion: i64(1), Changes: []CidrCollectionChange{
		put("eu", "192.0.2.0/24", "2001:db8:1::/48"), put("us", "198.51.100.0/24", "::ffff:203.0.113.0/120")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Version != 2 || strings.Join(c2.Locations["us"], " ") != "198.51.100.0/24 203.0.113.0/24" || len(c.Locations) != 0 {
		t.Errorf("after PUT %+v (old %+v)", c2, c)
	}
	inUse := func(loc string) bool { return loc == "us" }
	tests := []struct {
		req  ChangeCidrCollectionRequest
		code string
	}{
		{ChangeCidrCollectionRequest{CollectionVersion: i64(1), Changes: []CidrCollectionChange{put("x", "10.0.0.0/8")}}, "CidrCollectionVersionMismatchException"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{put("eu", "198.51.100.0/24")}}, "CidrBlockInUseException"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{put("eu", "10.1.0.0/8")}}, "InvalidInput"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{put("eu", "banana")}}, "InvalidInput"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{put("*", "10.0.0.0/8")}}, "InvalidInput"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{put("eu")}}, "InvalidInput"},
		{ChangeCidrCollectionRequest{}, "InvalidInput"},
		{ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{del("us", "198.51.100.0/24", "203.0.113.0/24")}}, "CidrCollectionInUseException"},
	}
	for _, tc := range tests {
		if _, err := ChangeCidrCollection(c2, &tc.req, inUse); err == nil || err.Code != tc.code {
			t.Errorf("%+v: %v, want %s", tc.req, err, tc.code)
		}
	}
	c3, err := ChangeCidrCollection(c2, &ChangeCidrCollectionRequest{Changes: []CidrCollectionChange{del("eu", "192.0.2.0/24", "10.0.0.0/8"), del("us", "192.0.2.0/24")}}, inUse)
	if err != nil || strings.Join(c3.Locations["eu"], " ") != "2001:db8:1::/48" || len(c3.Locations["us"]) != 2 {
		t.Errorf("after DELETE_IF_EXISTS %+v %v", c3, err)
	}
	if err := CheckCidrDeletable(c3, false); err == nil || err.Code != "CidrCollectionInUseException" {
		t.Errorf("delete non-empty: %v", err)
	}
	if err := CheckCidrDeletable(c, false); err != nil {
		t.Errorf("delete empty: %v", err)
	}

	blocks, err := ListCidrBlocks(c3, "", "", "2")
	if err != nil || len(blocks.CidrBlocks) != 2 || blocks.NextToken == "" || blocks.CidrBlocks[0].LocationName != "eu" {
		t.Fatalf("blocks %+v %v", blocks, err)
	}
	rest, err := ListCidrBlocks(c3, "", blocks.NextToken, "2")
	if err != nil || len(rest.CidrBlocks) != 1 || rest.NextToken != "" || rest.CidrBlocks[0].CidrBlock != "203.0.113.0/24" {
		t.Errorf("rest %+v %v", rest, err)
	}
	if _, err := ListCidrBlocks(c3, "mars", "", ""); err == nil || err.Code != "NoSuchCidrLocationException" {
		t.Errorf("unknown location: %v", err)
	}
	if _, err := ListCidrBlocks(c3, "", "bogus", ""); err == nil || err.Code != "InvalidPaginationToken" {
		t.Errorf("bad token: %v", err)
	}
	locs, err := ListCidrLocations(c3, "", "")
	if err != nil || len(locs.CidrLocations) != 2 || locs.CidrLocations[1].LocationName != "us" {
		t.Errorf("locations %+v %v", locs, err)
	}
	list, err := ListCidrCollections([]*CidrCollection{c3}, "", "")
	if err != nil || len(list.CidrCollections) != 1 || list.CidrCollections[0].Version != 3 {
		t.Errorf("collections %+v %v", list, err)
	}
}

func TestNewIDs(t *testing.T) {
	a := NewID("Z", bytes.NewReader(bytes.Repeat([]byte{1, 2, 3}, 10)))
	if a != "ZBCDBCDBCDBCDBCDBCDBC" || len(a) != 21 {
		t.Errorf("NewID %q", a)
	}
	for _, id := range []string{"", "Z", "z123", "ZAB-C", "Z" + strings.Repeat("A", 32)} {
		if ValidZoneID(id) {
			t.Errorf("ValidZoneID(%q)", id)
		}
	}
}

package route53

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// sdkServer answers the AWS SDK for Go v2 with this package's documents: requests
// are decoded with Decode (so the SDK's serialization passes the strict decoder)
// and handle's answer is written as Route 53 writes it.
func sdkServer(t *testing.T, handle func(r *http.Request, body io.Reader) (int, any)) *sdk.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, doc := handle(r, r.Body)
		if e, ok := doc.(*apierr.Error); ok {
			e.Write(w, "req-1")
			return
		}
		out, err := xml.Marshal(doc)
		if err != nil {
			t.Errorf("marshal: %v", err)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
}

func TestSDKChangeAndList(t *testing.T) {
	z, cur := newTestZone(t)
	client := sdkServer(t, func(r *http.Request, body io.Reader) (int, any) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/rrset"):
			var req ChangeResourceRecordSetsRequest
			if err := Decode(body, &req); err != nil {
				return 0, err
			}
			next, err := ApplyChanges(z, cur, &req.ChangeBatch, refs)
			if err != nil {
				return 0, err
			}
			cur = next
			return 200, ChangeResourceRecordSetsResponse{ChangeInfo: NewChangeInfo(req.ChangeBatch.Comment, testEpoch, nil)}
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/rrset"):
			q := r.URL.Query()
			page, err := ListRecordSets(cur, q.Get("name"), q.Get("type"), q.Get("identifier"), q.Get("maxitems"))
			if err != nil {
				return 0, err
			}
			return 200, page
		}
		return 0, apierr.InvalidInput("unexpected %s %s", r.Method, r.URL.Path)
	})
	ctx := context.Background()
	rrs := func(name string, id string, w int64, hc string) types.Change {
		rs := &types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.1")}}}
		if id != "" {
			rs.SetIdentifier, rs.Weight = aws.String(id), aws.Int64(w)
		}
		if hc != "" {
			rs.HealthCheckId = aws.String(hc)
		}
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: rs}
	}
	out, err := client.ChangeResourceRecordSets(ctx, &sdk.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
		ChangeBatch: &types.ChangeBatch{Comment: aws.String("first"), Changes: []types.Change{
			rrs("a.example.com", "one", 0, "hc-1"), rrs("a.example.com", "two", 255, ""),
			{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("g.example.com"), Type: types.RRTypeA,
				SetIdentifier: aws.String("va"), GeoLocation: &types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("VA")},
				AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(z.ID), DNSName: aws.String("a.example.com"), EvaluateTargetHealth: true}}},
			{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("p.example.com"), Type: types.RRTypeA,
				SetIdentifier: aws.String("p"), TTL: aws.Int64(0), ResourceRecords: []types.ResourceRecord{{Value: aws.String("192.0.2.9")}},
				GeoProximityLocation: &types.GeoProximityLocation{Coordinates: &types.Coordinates{Latitude: aws.String("-33.87"), Longitude: aws.String("151.21")}, Bias: aws.Int32(-5)}}},
			{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("m.example.com"), Type: types.RRTypeTxt,
				SetIdentifier: aws.String("m"), MultiValueAnswer: aws.Bool(true), TTL: aws.Int64(60), ResourceRecords: []types.ResourceRecord{{Value: aws.String(`"x y"`)}}}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChangeInfo.Status != types.ChangeStatusPending || !strings.HasPrefix(*out.ChangeInfo.Id, "/change/C") || !out.ChangeInfo.SubmittedAt.Equal(testEpoch) {
		t.Errorf("ChangeInfo %+v", out.ChangeInfo)
	}
	// Errors reach the SDK as its typed errors.
	_, err = client.ChangeResourceRecordSets(ctx, &sdk.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
		ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rrs("a.example.com", "one", 1, "")}}})
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) || len(icb.Messages) != 1 || !strings.Contains(icb.Messages[0], "set-identifier='one'] but it already exists") {
		t.Errorf("InvalidChangeBatch: %v", err)
	}
	_, err = client.ChangeResourceRecordSets(ctx, &sdk.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
		ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rrs("b.example.com", "one", 256, "")}}})
	var ii *types.InvalidInput
	if !errors.As(err, &ii) || !strings.Contains(ii.ErrorMessage(), "less than or equal to 255") {
		t.Errorf("InvalidInput: %v", err)
	}
	_, err = client.ChangeResourceRecordSets(ctx, &sdk.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.ID),
		ChangeBatch: &types.ChangeBatch{Changes: []types.Change{rrs("b.example.com", "", 0, "nope")}}})
	var nhc *types.NoSuchHealthCheck
	if !errors.As(err, &nhc) {
		t.Errorf("NoSuchHealthCheck: %v", err)
	}
	// The SDK's paginator walks every page and reads every routing field back.
	var got []types.ResourceRecordSet
	p := sdk.NewListResourceRecordSetsPaginator(client, &sdk.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.ID), MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.ResourceRecordSets...)
	}
	if len(got) != len(cur) || pages != 4 {
		t.Fatalf("%d record sets in %d pages, want %d", len(got), pages, len(cur))
	}
	byKey := map[string]types.ResourceRecordSet{}
	for _, rs := range got {
		byKey[*rs.Name+aws.ToString(rs.SetIdentifier)] = rs
	}
	if w := byKey["a.example.com.one"]; aws.ToInt64(w.Weight) != 0 || w.Weight == nil || aws.ToString(w.HealthCheckId) != "hc-1" {
		t.Errorf("weight 0 record %+v", w)
	}
	if g := byKey["g.example.com.va"]; aws.ToString(g.GeoLocation.SubdivisionCode) != "VA" || !g.AliasTarget.EvaluateTargetHealth || g.TTL != nil {
		t.Errorf("geo alias %+v", g)
	}
	if gp := byKey["p.example.com.p"]; aws.ToInt32(gp.GeoProximityLocation.Bias) != -5 || aws.ToString(gp.GeoProximityLocation.Coordinates.Longitude) != "151.21" || aws.ToInt64(gp.TTL) != 0 || gp.TTL == nil {
		t.Errorf("geoproximity %+v", gp)
	}
	if m := byKey["m.example.com.m"]; !aws.ToBool(m.MultiValueAnswer) || aws.ToString(m.ResourceRecords[0].Value) != `"x y"` {
		t.Errorf("multivalue %+v", m)
	}
}

func TestSDKZonesAndCollections(t *testing.T) {
	var zone *Zone
	var coll *CidrCollection
	client := sdkServer(t, func(r *http.Request, body io.Reader) (int, any) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/2013-04-01/hostedzone":
			var req CreateHostedZoneRequest
			if err := Decode(body, &req); err != nil {
				return 0, err
			}
			z, _, err := CreateZone(&req, func(ref string) bool { return zone != nil && zone.CallerReference == ref }, ZoneOptions{})
			if err != nil {
				return 0, err
			}
			zone = z
			return 201, CreateHostedZoneResponse{HostedZone: z.API(2), ChangeInfo: NewChangeInfo("", testEpoch, nil), DelegationSet: z.DelegationSet()}
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/2013-04-01/hostedzone/"):
			if zone == nil || TrimZoneID(strings.TrimPrefix(r.URL.Path, "/2013-04-01")) != zone.ID {
				return 0, NoSuchHostedZone(r.URL.Path)
			}
			ds := zone.DelegationSet()
			return 200, GetHostedZoneResponse{HostedZone: zone.API(2), DelegationSet: &ds}
		case r.Method == http.MethodPost && r.URL.Path == "/2013-04-01/cidrcollection":
			var req CreateCidrCollectionRequest
			if err := Decode(body, &req); err != nil {
				return 0, err
			}
			c, _, err := CreateCidrCollection(&req, func(string) (*CidrCollection, bool) { return nil, false }, nil)
			if err != nil {
				return 0, err
			}
			coll = c
			return 201, CreateCidrCollectionResponse{Collection: c.Summary()}
		case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/2013-04-01/cidrcollection/"):
			var req ChangeCidrCollectionRequest
			if err := Decode(body, &req); err != nil {
				return 0, err
			}
			c, err := ChangeCidrCollection(coll, &req, nil)
			if err != nil {
				return 0, err
			}
			coll = c
			return 200, ChangeCidrCollectionResponse{Id: "/change/" + NewID("C", nil)}
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/cidrblocks"):
			page, err := ListCidrBlocks(coll, r.URL.Query().Get("location"), r.URL.Query().Get("nexttoken"), r.URL.Query().Get("maxresults"))
			if err != nil {
				return 0, err
			}
			return 200, page
		}
		return 0, apierr.InvalidInput("unexpected %s %s", r.Method, r.URL.Path)
	})
	ctx := context.Background()
	cz, err := client.CreateHostedZone(ctx, &sdk.CreateHostedZoneInput{Name: aws.String("example.com"), CallerReference: aws.String("r1"),
		HostedZoneConfig: &types.HostedZoneConfig{Comment: aws.String("c")}})
	if err != nil {
		t.Fatal(err)
	}
	if *cz.HostedZone.Name != "example.com." || len(cz.DelegationSet.NameServers) != 4 || *cz.HostedZone.Config.Comment != "c" || *cz.HostedZone.ResourceRecordSetCount != 2 {
		t.Errorf("created %+v %+v", cz.HostedZone, cz.DelegationSet)
	}
	_, err = client.CreateHostedZone(ctx, &sdk.CreateHostedZoneInput{Name: aws.String("example.com"), CallerReference: aws.String("r1")})
	var exists *types.HostedZoneAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("HostedZoneAlreadyExists: %v", err)
	}
	gz, err := client.GetHostedZone(ctx, &sdk.GetHostedZoneInput{Id: cz.HostedZone.Id})
	if err != nil || *gz.HostedZone.Id != *cz.HostedZone.Id || gz.DelegationSet.NameServers[0] != "ns1.example.com." {
		t.Errorf("GetHostedZone %+v %v", gz, err)
	}
	_, err = client.GetHostedZone(ctx, &sdk.GetHostedZoneInput{Id: aws.String("ZNOPE")})
	var nsz *types.NoSuchHostedZone
	if !errors.As(err, &nsz) {
		t.Errorf("NoSuchHostedZone: %v", err)
	}
	cc, err := client.CreateCidrCollection(ctx, &sdk.CreateCidrCollectionInput{Name: aws.String("corp"), CallerReference: aws.String("r")})
	if err != nil || *cc.Collection.Name != "corp" || *cc.Collection.Version != 1 {
		t.Fatalf("CreateCidrCollection %+v %v", cc, err)
	}
	_, err = client.ChangeCidrCollection(ctx, &sdk.ChangeCidrCollectionInput{Id: cc.Collection.Id, CollectionVersion: aws.Int64(1),
		Changes: []types.CidrCollectionChange{{LocationName: aws.String("eu"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"192.0.2.0/24", "2001:db8::/32"}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.ChangeCidrCollection(ctx, &sdk.ChangeCidrCollectionInput{Id: cc.Collection.Id, CollectionVersion: aws.Int64(1),
		Changes: []types.CidrCollectionChange{{LocationName: aws.String("eu"), Action: types.CidrCollectionChangeActionPut, CidrList: []string{"10.0.0.0/8"}}}})
	var mismatch *types.CidrCollectionVersionMismatchException
	if !errors.As(err, &mismatch) {
		t.Errorf("version mismatch: %v", err)
	}
	blocks, err := client.ListCidrBlocks(ctx, &sdk.ListCidrBlocksInput{CollectionId: cc.Collection.Id})
	if err != nil || len(blocks.CidrBlocks) != 2 || *blocks.CidrBlocks[0].LocationName != "eu" {
		t.Errorf("ListCidrBlocks %+v %v", blocks, err)
	}
}

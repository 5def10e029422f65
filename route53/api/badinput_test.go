package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// signed sends a request signed as the SDK signs, with any body.
func (s *apiServer) signed(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret},
		req, hash, "route53", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAPIBadInput: every malformed or refused request gets Route 53's code and HTTP
// status, and the store does not move.
func TestAPIBadInput(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("bad-1")})
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
	if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
		ChangeBatch: change(types.ChangeActionCreate, rrset("www.example.org", "", 0, "", "192.0.2.1"))}); err != nil {
		t.Fatal(err)
	}
	insync(t, c, z.ChangeInfo.Id)
	const ns = `xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`
	batch := func(changes string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Changes>` + changes + `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
	}
	a := func(action, name, extra, value string) string {
		return `<Change><Action>` + action + `</Action><ResourceRecordSet><Name>` + name + `</Name><Type>A</Type>` + extra +
			`<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>` + value + `</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`
	}
	rrsets := "/2013-04-01/hostedzone/" + id + "/rrset/"
	tests := []struct {
		name, method, path, body string
		status                   int
		code, message            string
	}{
		{"malformed XML", "POST", rrsets, `<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch>`, 400, "InvalidInput", ""},
		{"not XML", "POST", rrsets, "\x00\x01garbage", 400, "InvalidInput", ""},
		{"unknown element", "POST", rrsets, batch(a("CREATE", "x.example.org", "<Bogus>1</Bogus>", "192.0.2.2")), 400, "InvalidInput", "Bogus"},
		{"wrong namespace", "POST", rrsets, strings.Replace(batch(a("CREATE", "x.example.org", "", "192.0.2.2")), "2013-04-01", "2012-01-01", 1), 400, "InvalidInput", ""},
		{"no namespace", "POST", rrsets, strings.Replace(batch(a("CREATE", "x.example.org", "", "192.0.2.2")), ns, "", 1), 400, "InvalidInput", ""},
		{"oversized body", "POST", rrsets, batch(strings.Repeat(a("CREATE", "x.example.org", "", "192.0.2.2"), 9000)), 400, "InvalidInput", "larger than"},
		{"name outside the zone", "POST", rrsets, batch(a("CREATE", "www.example.net", "", "192.0.2.2")), 400, "InvalidChangeBatch", "not permitted in zone"},
		{"weight 256", "POST", rrsets, batch(a("CREATE", "w.example.org", "<SetIdentifier>a</SetIdentifier><Weight>256</Weight>", "192.0.2.2")), 400, "InvalidInput", "weight"},
		{"unknown health check", "POST", rrsets, batch(a("CREATE", "h.example.org", "<SetIdentifier>a</SetIdentifier><Weight>1</Weight><HealthCheckId>7e0b0e7c-0000-4000-8000-000000000000</HealthCheckId>", "192.0.2.2")), 404, "NoSuchHealthCheck", ""},
		{"CNAME beside other types", "POST", rrsets, batch(strings.Replace(a("CREATE", "www.example.org", "", "other.example.net."), "<Type>A</Type>", "<Type>CNAME</Type>", 1)), 400, "InvalidChangeBatch", "conflicts with other records"},
		{"duplicate SetIdentifier", "POST", rrsets, batch(a("CREATE", "d.example.org", "<SetIdentifier>a</SetIdentifier><Weight>1</Weight>", "192.0.2.2") + a("CREATE", "d.example.org", "<SetIdentifier>a</SetIdentifier><Weight>2</Weight>", "192.0.2.3")), 400, "InvalidChangeBatch", ""},
		{"create what exists", "POST", rrsets, batch(a("CREATE", "www.example.org", "", "192.0.2.1")), 400, "InvalidChangeBatch", "but it already exists"},
		{"delete with other values", "POST", rrsets, batch(a("DELETE", "www.example.org", "", "192.0.2.9")), 400, "InvalidChangeBatch", "values provided do not match"},
		{"unknown zone", "POST", "/2013-04-01/hostedzone/ZNOSUCHZONE00/rrset/", batch(a("CREATE", "x.example.org", "", "192.0.2.2")), 404, "NoSuchHostedZone", ""},
		{"unknown change", "GET", "/2013-04-01/change/CNOSUCHCHANGE0", "", 404, "NoSuchChange", ""},
		{"unsupported operation", "GET", "/2013-04-01/delegationset", "", 400, "InvalidAction", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.revision(t)
			status, body := s.signed(t, tc.method, tc.path, tc.body)
			if status != tc.status || !strings.Contains(body, "<Code>"+tc.code+"</Code>") || !strings.Contains(body, tc.message) {
				t.Errorf("HTTP %d %s\nwant %d %s %q", status, body, tc.status, tc.code, tc.message)
			}
			if after := s.revision(t); after != before {
				t.Errorf("the store moved from revision %d to %d", before, after)
			}
		})
	}
	// Unsigned: Route 53's 403, nothing changes.
	resp, err := http.Post(s.url+rrsets, "text/xml", bytes.NewReader([]byte(batch(a("CREATE", "u.example.org", "", "192.0.2.2")))))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "MissingAuthenticationToken") {
		t.Errorf("unsigned: HTTP %d %s", resp.StatusCode, b)
	}
}

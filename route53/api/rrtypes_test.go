package api_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy"
)

const hex64 = "2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E"

// typed is a simple record set of type typ with values, as the SDK sends it.
func typed(name string, typ types.RRType, values ...string) types.ResourceRecordSet {
	rs := types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(300)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, types.ResourceRecord{Value: aws.String(v)})
	}
	return rs
}

// TestAPIRecordTypes: NAPTR (weighted), SPF, DS (at a delegation), TLSA and SSHFP
// through the AWS SDK's ChangeResourceRecordSets reach the replica, which serves
// them — the DS set from the parent side of the cut — and a DS that is not at a
// delegation is refused with Route 53's InvalidChangeBatch.
func TestAPIRecordTypes(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("types")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := z.HostedZone.Id
	naptrU := `100 10 "S" "SIP+D2U" "" _sip._udp.example.org.`
	naptrT := `100 20 "S" "SIP+D2T" "" _sip._tcp.example.org.`
	udp, tcp := typed("sip.example.org", types.RRTypeNaptr, naptrU), typed("sip.example.org", types.RRTypeNaptr, naptrT)
	udp.SetIdentifier, udp.Weight = aws.String("udp"), aws.Int64(1)
	tcp.SetIdentifier, tcp.Weight = aws.String("tcp"), aws.Int64(0)
	batch := change(types.ChangeActionCreate, udp, tcp,
		typed("example.org", types.RRTypeSpf, `"v=spf1 -all"`),
		typed("child.example.org", types.RRTypeNs, "ns1.child.example.net."),
		typed("child.example.org", types.RRTypeDs, "12345 13 2 "+hex64),
		typed("_443._tcp.www.example.org", types.RRTypeTlsa, "3 1 1 "+hex64),
		typed("host.example.org", types.RRTypeSshfp, "4 2 "+hex64))
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: batch})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)

	for _, tc := range []struct {
		name string
		typ  uint16
		want string
	}{
		{"sip.example.org.", dns.TypeNAPTR, naptrU}, // weight 0 answers only when the others are down
		{"example.org.", dns.TypeSPF, `"v=spf1 -all"`},
		{"child.example.org.", dns.TypeDS, "12345 13 2 " + hex64},
		{"_443._tcp.www.example.org.", dns.TypeTLSA, "3 1 1 " + hex64},
		{"host.example.org.", dns.TypeSSHFP, "4 2 " + hex64},
	} {
		if got := s.answer(tc.name, tc.typ, noLocation, noClient); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.name, dns.TypeToString[tc.typ], got, tc.want)
		}
	}
	zone := s.replica.Current().Snap.Zone("child.example.org.")
	if mt := zone.Lookup("child.example.org.", dns.TypeDS); mt.Kind != policy.Found {
		t.Errorf("DS at the cut: kind %d, want Found (the parent answers)", mt.Kind)
	}
	if mt := zone.Lookup("child.example.org.", dns.TypeA); mt.Kind != policy.Delegation {
		t.Errorf("A at the cut: kind %d, want Delegation", mt.Kind)
	}

	// ListResourceRecordSets gives them back as written.
	list, err := c.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zoneID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rs := range list.ResourceRecordSets {
		if rs.Type != types.RRTypeNs && rs.Type != types.RRTypeSoa {
			got = append(got, aws.ToString(rs.Name)+" "+string(rs.Type)+" "+aws.ToString(rs.ResourceRecords[0].Value))
		}
	}
	for _, want := range []string{"child.example.org. DS 12345 13 2 " + hex64, "sip.example.org. NAPTR " + naptrU, "example.org. SPF \"v=spf1 -all\""} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("ListResourceRecordSets has no %q:\n%s", want, strings.Join(got, "\n"))
		}
	}

	for _, tc := range []struct {
		name string
		rs   []types.ResourceRecordSet
		want string
	}{
		{"DS not at a delegation", []types.ResourceRecordSet{typed("leaf.example.org", types.RRTypeDs, "12345 13 2 "+hex64)},
			"RRSet of type DS with DNS name leaf.example.org. is not permitted because a conflicting RRSet of type NS with the same DNS name does not exist in zone example.org."},
		{"DS at the apex", []types.ResourceRecordSet{typed("example.org", types.RRTypeDs, "12345 13 2 "+hex64)},
			"RRSet of type DS with DNS name example.org. is not permitted at apex in zone example.org."},
		{"TLSA bad data", []types.ResourceRecordSet{typed("_25._tcp.example.org", types.RRTypeTlsa, "3 1 1 XYZ")},
			"TLSARDATAInvalid"},
	} {
		_, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate, tc.rs...)})
		var icb *types.InvalidChangeBatch
		if !errors.As(err, &icb) || len(icb.Messages) != 1 || !strings.Contains(icb.Messages[0], tc.want) {
			t.Errorf("%s: %v, want InvalidChangeBatch %q", tc.name, err, tc.want)
		}
	}
}

package route53

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCreateZone(t *testing.T) {
	used := map[string]bool{"taken": true}
	refUsed := func(r string) bool { return used[r] }
	z, rrsets, err := CreateZone(&CreateHostedZoneRequest{Name: "Example.COM", CallerReference: "r1",
		HostedZoneConfig: &HostedZoneConfig{Comment: "hi"}}, refUsed, ZoneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^Z[A-Z0-9]{13,21}$`).MatchString(z.ID) || !ValidZoneID(z.ID) {
		t.Errorf("zone ID %q", z.ID)
	}
	if z.Name != "example.com." || z.Comment != "hi" || len(z.NameServers) != 4 || z.NameServers[0] != "ns1.example.com." {
		t.Errorf("zone %+v", z)
	}
	if got := names(rrsets); got != "example.com. NS | example.com. SOA" {
		t.Errorf("record sets %s", got)
	}
	if soa := rrsets[1]; *soa.TTL != 900 || soa.ResourceRecords[0].Value != "ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400" {
		t.Errorf("SOA %s", show(&soa))
	}
	if ns := rrsets[0]; *ns.TTL != 172800 || len(ns.ResourceRecords) != 4 || ns.ResourceRecords[3].Value != "ns4.example.com." {
		t.Errorf("NS %s", show(&ns))
	}
	api := z.API(2)
	if api.Id != "/hostedzone/"+z.ID || api.ResourceRecordSetCount != 2 || api.Config.Comment != "hi" {
		t.Errorf("API %+v", api)
	}
	// Name servers of the caller's choosing.
	z2, rrsets2, err := CreateZone(&CreateHostedZoneRequest{Name: "example.net", CallerReference: "r2"}, refUsed,
		ZoneOptions{NameServers: []string{"a.dns.{zone}", "B.NS.EXAMPLE.ORG."}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(z2.NameServers, " ") != "a.dns.example.net. b.ns.example.org." || !strings.HasPrefix(rrsets2[1].ResourceRecords[0].Value, "a.dns.example.net. hostmaster.example.net. 1 ") {
		t.Errorf("name servers %v, SOA %s", z2.NameServers, rrsets2[1].ResourceRecords[0].Value)
	}
	if CheckDeletable(z, rrsets) != nil {
		t.Errorf("a new zone is not deletable")
	}
	more := append(rrsets, rec("www.example.com.", "A", 60, "192.0.2.1"))
	if err := CheckDeletable(z, more); err == nil || err.Code != "HostedZoneNotEmpty" || err.Status != 400 {
		t.Errorf("CheckDeletable: %v", err)
	}

	tests := []struct {
		req        CreateHostedZoneRequest
		code       string
		status     int
		nameserver string
	}{
		{CreateHostedZoneRequest{Name: "example.org", CallerReference: "taken"}, "HostedZoneAlreadyExists", 409, ""},
		{CreateHostedZoneRequest{Name: "exa..mple.org", CallerReference: "x"}, "InvalidDomainName", 400, ""},
		{CreateHostedZoneRequest{Name: `ex\344mple.org`, CallerReference: "x"}, "InvalidDomainName", 400, ""},
		{CreateHostedZoneRequest{Name: "*.example.org", CallerReference: "x"}, "InvalidDomainName", 400, ""},
		{CreateHostedZoneRequest{Name: "example.org"}, "InvalidInput", 400, ""},
		{CreateHostedZoneRequest{Name: "example.org", CallerReference: strings.Repeat("r", 129)}, "InvalidInput", 400, ""},
		{CreateHostedZoneRequest{Name: "example.org", CallerReference: "x", DelegationSetId: "N1"}, "NoSuchDelegationSet", 404, ""},
		{CreateHostedZoneRequest{Name: "example.org", CallerReference: "x"}, "InvalidInput", 400, "bad..ns"},
	}
	for _, tc := range tests {
		opt := ZoneOptions{}
		if tc.nameserver != "" {
			opt.NameServers = []string{tc.nameserver}
		}
		_, _, err := CreateZone(&tc.req, refUsed, opt)
		if err == nil || err.Code != tc.code || err.Status != tc.status {
			t.Errorf("%+v: %v, want %s %d", tc.req, err, tc.code, tc.status)
		}
	}
}

func TestChangeInfo(t *testing.T) {
	ci := NewChangeInfo("c", time.Date(2026, 12, 3, 20, 0, 0, 5e6, time.FixedZone("x", 3600)), nil)
	if !regexp.MustCompile(`^/change/C[A-Z0-9]{20}$`).MatchString(ci.Id) || ci.Status != "PENDING" || ci.SubmittedAt != "2026-12-03T19:00:00.005Z" {
		t.Errorf("%+v", ci)
	}
}

func TestListZones(t *testing.T) {
	var zones []HostedZone
	for _, n := range []string{"b.example.com.", "example.com.", "a.example.org.", "example.net.", "example.com."} {
		z, _, err := CreateZone(&CreateHostedZoneRequest{Name: n, CallerReference: n}, nil, ZoneOptions{})
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, z.API(2))
	}
	var got []string
	marker := ""
	for {
		page, err := ListZones(zones, marker, "2")
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range page.HostedZones {
			got = append(got, z.Id)
		}
		if !page.IsTruncated {
			break
		}
		marker = page.NextMarker
	}
	if len(got) != 5 || got[0] > got[1] || got[3] > got[4] {
		t.Errorf("ListZones ids %v", got)
	}
	page, err := ListZonesByName(zones, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	var byName []string
	for _, z := range page.HostedZones {
		byName = append(byName, z.Name)
	}
	if strings.Join(byName, " ") != "example.com. example.com. b.example.com. example.net. a.example.org." {
		t.Errorf("by name %v", byName)
	}
	page, err = ListZonesByName(zones, "example.net", "", "1")
	if err != nil || len(page.HostedZones) != 1 || page.HostedZones[0].Name != "example.net." || page.NextDNSName != "a.example.org." || !page.IsTruncated || page.DNSName != "example.net." {
		t.Errorf("from example.net: %+v %v", page, err)
	}
	second := page.NextHostedZoneId
	page, err = ListZonesByName(zones, page.NextDNSName, second, "1")
	if err != nil || len(page.HostedZones) != 1 || page.HostedZones[0].Id != "/hostedzone/"+second || page.IsTruncated {
		t.Errorf("next page: %+v %v", page, err)
	}
	if _, err := ListZonesByName(zones, "", "Z1", ""); err == nil || err.Code != "InvalidInput" {
		t.Errorf("HostedZoneId without DNSName: %v", err)
	}
}

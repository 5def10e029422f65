package route53

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// cliExport is list-resource-record-sets output in the aws CLI's form.
const cliExport = `{
    "ResourceRecordSets": [
        {
            "Name": "example.com.",
            "Type": "NS",
            "TTL": 172800,
            "ResourceRecords": [
                {"Value": "ns-1.awsdns-01.org."},
                {"Value": "ns-2.awsdns-02.co.uk."}
            ]
        },
        {
            "Name": "example.com.",
            "Type": "SOA",
            "TTL": 900,
            "ResourceRecords": [{"Value": "ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}]
        },
        {
            "Name": "\\052.Example.com.",
            "Type": "TXT",
            "TTL": 300,
            "ResourceRecords": [{"Value": "\"hello world\""}]
        },
        {
            "Name": "a.example.com.",
            "Type": "A",
            "AliasTarget": {"HostedZoneId": "ZOLDZONE", "DNSName": "w.example.com.", "EvaluateTargetHealth": true}
        },
        {
            "Name": "g.example.com.",
            "Type": "A",
            "SetIdentifier": "va",
            "GeoLocation": {"CountryCode": "US", "SubdivisionCode": "VA"},
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.32"}]
        },
        {
            "Name": "gp.example.com.",
            "Type": "A",
            "SetIdentifier": "iad",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.41"}],
            "GeoProximityLocation": {"Coordinates": {"Latitude": "38.95", "Longitude": "-77.45"}, "Bias": 20}
        },
        {
            "Name": "i.example.com.",
            "Type": "A",
            "SetIdentifier": "eu",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.70"}],
            "CidrRoutingConfig": {"CollectionId": "c0ffee00-0000-4000-8000-000000000001", "LocationName": "eu-office"}
        },
        {
            "Name": "l.example.com.",
            "Type": "A",
            "SetIdentifier": "fra",
            "Region": "eu-central-1",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.50"}]
        },
        {
            "Name": "m.example.com.",
            "Type": "A",
            "SetIdentifier": "a",
            "MultiValueAnswer": true,
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.60"}],
            "HealthCheckId": "hc-1"
        },
        {
            "Name": "w.example.com.",
            "Type": "A",
            "SetIdentifier": "zero",
            "Weight": 0,
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.12"}]
        },
        {
            "Name": "w.example.com.",
            "Type": "A",
            "SetIdentifier": "one",
            "Weight": 1,
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.10"}]
        }
    ]
}
`

func TestCLIJSONRoundTrip(t *testing.T) {
	rrsets, err := ReadCLIJSON(strings.NewReader(cliExport))
	if err != nil {
		t.Fatal(err)
	}
	if rrsets[2].Name != `\052.example.com.` || *rrsets[9].Weight != 0 || rrsets[5].GeoProximityLocation.Coordinates.Latitude != "38.95" {
		t.Errorf("read %s, %s, %s", show(&rrsets[2]), show(&rrsets[9]), show(&rrsets[5]))
	}
	var out bytes.Buffer
	if err := WriteCLIJSON(&out, rrsets); err != nil {
		t.Fatal(err)
	}
	again, err := ReadCLIJSON(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(rrsets) {
		t.Fatalf("%d record sets after the round trip, want %d", len(again), len(rrsets))
	}
	for i := range rrsets {
		if show(&again[i]) != show(&rrsets[i]) {
			t.Errorf("record set %d:\n got %s\nwant %s", i, show(&again[i]), show(&rrsets[i]))
		}
	}
	// Weight 0 is written, not dropped: it is what makes a weighted record.
	if w := mustWrite(t, rrsets); !bytes.Contains(w, []byte(`"Weight": 0`)) {
		t.Errorf("weight 0 lost:\n%s", w)
	}
}

func mustWrite(t *testing.T, rrsets []ResourceRecordSet) []byte {
	var b bytes.Buffer
	if err := WriteCLIJSON(&b, rrsets); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadCLIJSONRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"ResourceRecordSets": [{"Name": "a.", "Type": "A", "Wieght": 1}]}`, `unknown field "Wieght"`},
		{`{"ResourceRecordSets": [{"Name": "a..b.", "Type": "A"}]}`, "not a valid DNS name"},
		{`{}`, "no ResourceRecordSets"},
		{`{"ResourceRecordSets": []} {}`, "more than one document"},
		{`[`, "unexpected EOF"},
	}
	for _, tc := range tests {
		_, err := ReadCLIJSON(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestImportExport imports every routing policy exported as CLI JSON into a new zone
// and exports it again: the same record sets.
func TestImportExport(t *testing.T) {
	z, cur := everyRouting(t)
	var exported bytes.Buffer
	if err := WriteCLIJSON(&exported, cur); err != nil {
		t.Fatal(err)
	}
	read, err := ReadCLIJSON(&exported)
	if err != nil {
		t.Fatal(err)
	}
	z2, fresh, cerr := CreateZone(&CreateHostedZoneRequest{Name: "example.com.", CallerReference: "import"}, nil, ZoneOptions{})
	if cerr != nil {
		t.Fatal(cerr)
	}
	for _, b := range ImportBatches(ImportRecordSets(z2, read)) {
		next, err := ApplyChanges(z2, fresh, &b, refs)
		if err != nil {
			t.Fatalf("%s: %v", b.Comment, err)
		}
		fresh = next
	}
	if len(fresh) != len(cur) {
		t.Fatalf("%d record sets imported, want %d", len(fresh), len(cur))
	}
	for i := range cur {
		want := cloneRecordSet(&cur[i])
		if want.AliasTarget != nil {
			want.AliasTarget.HostedZoneId = z2.ID
		}
		if !equalRecordSets(&fresh[i], want) {
			t.Errorf("record set %d:\n got %s\nwant %s", i, show(&fresh[i]), show(want))
		}
	}
	_ = z
}

func TestImportBatchesLimits(t *testing.T) {
	var changes []Change
	for i := range 2500 {
		changes = append(changes, change(ActionCreate, rec(strings.Repeat("a", 1+i%50)+".example.com.", "TXT", 60, manyTexts(1, 10)...)))
	}
	batches := ImportBatches(changes)
	total := 0
	for _, b := range batches {
		if len(b.Changes) > MaxChanges {
			t.Errorf("%s: %d changes", b.Comment, len(b.Changes))
		}
		total += len(b.Changes)
	}
	if total != len(changes) || len(batches) < 3 {
		t.Errorf("%d changes in %d batches", total, len(batches))
	}
}

// TestImportBatchesDS: a DS set is imported in a batch after its delegation's NS
// set, even where the two would straddle a batch boundary (DS sorts first), so
// that the DS rule (only at a name with NS) holds batch by batch.
func TestImportBatchesDS(t *testing.T) {
	z, cur := newTestZone(t)
	var changes []Change
	for i := range MaxChanges - 1 {
		changes = append(changes, change(ActionCreate, rec(fmt.Sprintf("a%d.example.com.", i), "A", 60, "192.0.2.1")))
	}
	changes = append(changes,
		change(ActionCreate, rec("child.example.com.", "DS", 60, "12345 13 2 "+hex64)),
		change(ActionCreate, rec("child.example.com.", "NS", 60, "ns1.child.example.net.")))
	batches := ImportBatches(changes)
	at := map[string]int{}
	for i, b := range batches {
		for _, c := range b.Changes {
			at[c.ResourceRecordSet.Type+" "+c.ResourceRecordSet.Name] = i
		}
	}
	if at["DS child.example.com."] <= at["NS child.example.com."] {
		t.Fatalf("DS in batch %d, its NS in batch %d", at["DS child.example.com."], at["NS child.example.com."])
	}
	for _, b := range batches {
		next, err := ApplyChanges(z, cur, &b, refs)
		if err != nil {
			t.Fatalf("%s: %v", b.Comment, err)
		}
		cur = next
	}
}

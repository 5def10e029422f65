package route53

import (
	"fmt"
	"strings"
	"testing"
)

func names(rrsets []ResourceRecordSet) string {
	var s []string
	for _, rs := range rrsets {
		s = append(s, strings.TrimSpace(rs.Name+" "+rs.Type+" "+rs.SetIdentifier))
	}
	return strings.Join(s, " | ")
}

func TestSortRecordSets(t *testing.T) {
	rrsets := []ResourceRecordSet{
		{Name: "www.example.com.", Type: "A"},
		{Name: "a.example.com.", Type: "MX"},
		{Name: "a-b.example.com.", Type: "A"},
		{Name: "example.com.", Type: "SOA"},
		{Name: `\052.example.com.`, Type: "A"},
		{Name: "a.example.com.", Type: "A", SetIdentifier: "2"},
		{Name: "a.example.com.", Type: "A", SetIdentifier: "1"},
		{Name: "b.a.example.com.", Type: "A"},
		{Name: "example.com.", Type: "NS"},
		{Name: "z.example.com.", Type: "A"},
	}
	SortRecordSets(rrsets)
	// Labels reversed and compared with their dots: "com.example.a-b." sorts before
	// "com.example.a." ("-" is below "."), as Route 53 documents; "*" (\052) is
	// compared as the octet it is.
	want := `example.com. NS | example.com. SOA | \052.example.com. A | a-b.example.com. A | a.example.com. A 1 | a.example.com. A 2 | a.example.com. MX | b.a.example.com. A | www.example.com. A | z.example.com. A`
	if got := names(rrsets); got != want {
		t.Errorf("order\n got %s\nwant %s", got, want)
	}
}

func TestListRecordSetsPaging(t *testing.T) {
	var rrsets []ResourceRecordSet
	for i := range 650 {
		rrsets = append(rrsets, ResourceRecordSet{Name: fmt.Sprintf("h%03d.example.com.", i/2), Type: []string{"A", "AAAA"}[i%2]})
	}
	rrsets = append(rrsets, ResourceRecordSet{Name: "w.example.com.", Type: "A", SetIdentifier: "1"}, ResourceRecordSet{Name: "w.example.com.", Type: "A", SetIdentifier: "2"})
	SortRecordSets(rrsets)
	// Walk the pages as the SDK's paginator does.
	var got []ResourceRecordSet
	name, typ, id, pages := "", "", "", 0
	for {
		page, err := ListRecordSets(rrsets, name, typ, id, "")
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.ResourceRecordSets...)
		if page.MaxItems != "300" || len(page.ResourceRecordSets) > 300 {
			t.Fatalf("page of %d, MaxItems %s", len(page.ResourceRecordSets), page.MaxItems)
		}
		if !page.IsTruncated {
			break
		}
		name, typ, id = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
	if pages != 3 || names(got) != names(rrsets) {
		t.Errorf("%d pages, %d record sets", pages, len(got))
	}
	tests := []struct {
		name, typ, id, max string
		first              string
		n                  int
		next               string
	}{
		{"h001.example.com", "", "", "3", "h001.example.com. A", 3, "h002.example.com. AAAA"},
		{"H001.EXAMPLE.COM.", "AAAA", "", "1", "h001.example.com. AAAA", 1, "h002.example.com. A"},
		{"h0015.example.com.", "", "", "1", "h002.example.com. A", 1, "h002.example.com. AAAA"},
		{"w.example.com.", "A", "2", "10", "w.example.com. A 2", 1, ""},
		{"w.example.com.", "A", "1", "1", "w.example.com. A 1", 1, "w.example.com. A 2"},
		{"zzz.example.com.", "", "", "", "", 0, ""},
		{"", "", "", "5000", "example", 300, "h150.example.com. A"},
	}
	for _, tc := range tests {
		page, err := ListRecordSets(rrsets, tc.name, tc.typ, tc.id, tc.max)
		if err != nil {
			t.Errorf("%+v: %v", tc, err)
			continue
		}
		first := ""
		if len(page.ResourceRecordSets) > 0 {
			first = names(page.ResourceRecordSets[:1])
		}
		next := strings.TrimSpace(page.NextRecordName + " " + page.NextRecordType + " " + page.NextRecordIdentifier)
		if !strings.HasPrefix(first, tc.first) && !(tc.first == "example" && first == "h000.example.com. A") || len(page.ResourceRecordSets) != tc.n || next != tc.next || page.IsTruncated != (tc.next != "") {
			t.Errorf("%+v: first %q, %d, next %q, truncated %v", tc, first, len(page.ResourceRecordSets), next, page.IsTruncated)
		}
	}
	for _, bad := range [][4]string{{"", "A", "", ""}, {"a.example.com", "", "1", ""}, {"a.example.com", "BOGUS", "", ""}, {"", "", "", "0"}, {"", "", "", "x"}, {"a..b", "", "", ""}} {
		if _, err := ListRecordSets(rrsets, bad[0], bad[1], bad[2], bad[3]); err == nil || err.Code != "InvalidInput" {
			t.Errorf("%q: %v, want InvalidInput", bad, err)
		}
	}
}

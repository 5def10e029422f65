package transfer_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/transfer"
)

// BenchmarkWriteYAML writes a zone of 10,000 weighted pairs (20,002 record sets)
// as a data file.
func BenchmarkWriteYAML(b *testing.B) {
	ttl := int64(60)
	z := transfer.Zone{Name: "example.org.", RecordSets: []route53.ResourceRecordSet{
		{Name: "example.org.", Type: "SOA", TTL: &ttl, ResourceRecords: []route53.ResourceRecord{{Value: "ns1.example.org. hostmaster.example.org. 1 7200 900 1209600 86400"}}},
		{Name: "example.org.", Type: "NS", TTL: &ttl, ResourceRecords: []route53.ResourceRecord{{Value: "ns1.example.org."}}},
	}}
	for i := range 10000 {
		for j, w := range []int64{70, 30} {
			z.RecordSets = append(z.RecordSets, route53.ResourceRecordSet{Name: fmt.Sprintf("h%d.example.org.", i), Type: "A",
				SetIdentifier: fmt.Sprint(j), Weight: &w, TTL: &ttl,
				ResourceRecords: []route53.ResourceRecord{{Value: fmt.Sprintf("10.%d.%d.%d", i>>8, i&255, j)}}})
		}
	}
	bundle := &transfer.Bundle{Zones: []transfer.Zone{z}}
	b.ReportAllocs()
	for b.Loop() {
		if err := transfer.WriteYAML(io.Discard, bundle); err != nil {
			b.Fatal(err)
		}
	}
}

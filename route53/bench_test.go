package route53

import (
	"fmt"
	"strings"
	"testing"
)

// bigZone is example.com. with n weighted A record sets (pairs of one name).
func bigZone(b testing.TB, n int) (*Zone, []ResourceRecordSet) {
	z, cur := newTestZone(b)
	for i := range n {
		rs := rec(fmt.Sprintf("h%d.example.com.", i/2), "A", 60, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		rs.SetIdentifier, rs.Weight = fmt.Sprint(i%2), i64(1)
		cur = append(cur, rs)
	}
	SortRecordSets(cur)
	return z, cur
}

// BenchmarkApplyChangesUpsert100k is the API's hot write: one record set UPSERTed
// into a zone of 100,000 (validation, the merge into a new sorted slice included).
func BenchmarkApplyChangesUpsert100k(b *testing.B) {
	z, cur := bigZone(b, 100_000)
	cb := batchOf(change(ActionUpsert, weighted("1", 5, rec("h777.example.com.", "A", 60, "192.0.2.1"))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ApplyChanges(z, cur, cb, refs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupToPolicy translates one weighted pair: what a change recompiles.
func BenchmarkGroupToPolicy(b *testing.B) {
	z, cur := bigZone(b, 2)
	group := []*ResourceRecordSet{&cur[2], &cur[3]}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GroupToPolicy(z, group, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListRecordSets100k(b *testing.B) {
	_, cur := bigZone(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ListRecordSets(cur, "h5000.example.com.", "A", "1", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeChangeBatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var req ChangeResourceRecordSetsRequest
		if err := Decode(strings.NewReader(changeRequest), &req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanChangesUpsert100k is the same batch without building the new slice:
// what a store that writes only the delta pays.
func BenchmarkPlanChangesUpsert100k(b *testing.B) {
	z, cur := bigZone(b, 100_000)
	cb := batchOf(change(ActionUpsert, weighted("1", 5, rec("h777.example.com.", "A", 60, "192.0.2.1"))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanChanges(z, cur, cb, refs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToPolicy100k translates a zone of 100,000 record sets (50,000 weighted
// pairs): a full load of a zone from the store.
func BenchmarkToPolicy100k(b *testing.B) {
	z, cur := bigZone(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ToPolicy(z, cur, nil); err != nil {
			b.Fatal(err)
		}
	}
}

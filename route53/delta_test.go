package route53

import (
	"reflect"
	"testing"
)

func TestDelta(t *testing.T) {
	z, cur := everyRouting(t)
	cb := batchOf(
		change(ActionDelete, cur[indexOf(t, cur, "www.example.com.", "")]),
		change(ActionCreate, rec("www.example.com.", "A", 30, "192.0.2.99")),
		change(ActionUpsert, weighted("two", 2, rec("w.example.com.", "A", 90, "192.0.2.11"))),
		change(ActionCreate, rec("new.example.com.", "AAAA", 60, "2001:db8::1")),
	)
	d, err := PlanChanges(z, cur, cb, refs)
	if err != nil {
		t.Fatal(err)
	}
	// The upsert's TTL spreads to the other weighted record sets of w.
	if got := names(d.Put); got != "new.example.com. AAAA | w.example.com. A one | w.example.com. A two | w.example.com. A zero | www.example.com. A" {
		t.Errorf("Put %s", got)
	}
	if len(d.Delete) != 0 {
		t.Errorf("Delete %v (www is replaced, not deleted)", d.Delete)
	}
	want := []RecordKey{{Name: "new.example.com.", Type: "AAAA"}, {Name: "w.example.com.", Type: "A"}, {Name: "www.example.com.", Type: "A"}}
	if !reflect.DeepEqual(d.Groups(), want) {
		t.Errorf("Groups %v", d.Groups())
	}
	next, _ := ApplyChanges(z, cur, cb, refs)
	if !reflect.DeepEqual(d.Apply(cur), next) || len(next) != len(cur)+1 {
		t.Errorf("Apply differs from ApplyChanges")
	}
	// a aliases www, fa aliases w: both are compiled again.
	got := AffectedGroups(next, d.Groups())
	want = []RecordKey{{Name: "a.example.com.", Type: "A"}, {Name: "fa.example.com.", Type: "A"}, {Name: "new.example.com.", Type: "AAAA"},
		{Name: "w.example.com.", Type: "A"}, {Name: "www.example.com.", Type: "A"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AffectedGroups %v", got)
	}
	d, err = PlanChanges(z, next, batchOf(change(ActionDelete, next[indexOf(t, next, "new.example.com.", "")])), refs)
	if err != nil || len(d.Put) != 0 || !reflect.DeepEqual(d.Delete, []RecordKey{{Name: "new.example.com.", Type: "AAAA"}}) {
		t.Errorf("delete delta %+v %v", d, err)
	}
	if after := d.Apply(next); len(after) != len(cur) {
		t.Errorf("%d record sets after the delete, want %d", len(after), len(cur))
	}
}

func indexOf(t *testing.T, rrsets []ResourceRecordSet, name, id string) int {
	for i := range rrsets {
		if rrsets[i].Name == name && rrsets[i].SetIdentifier == id {
			return i
		}
	}
	t.Fatalf("no %s %s", name, id)
	return -1
}

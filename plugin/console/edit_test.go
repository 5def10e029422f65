package console

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53"
)

// weightBatch sets w.example.net's record a to weight.
func weightBatch(weight string) string {
	return `{"Comment":"console test","Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","SetIdentifier":"a","Weight":` +
		weight + `,"TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}`
}

type refusal struct {
	OK     bool         `json:"ok"`
	Error  string       `json:"error"`
	Errors []fieldError `json:"errors"`
}

func TestPlanRefusesWithFieldErrors(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	before := f.store.Revision()
	tests := []struct {
		name   string
		batch  string
		code   string
		change int
		field  string
		text   string
	}{
		{"weight 300", weightBatch("300"), "InvalidInput", 0, "Weight", "less than or equal to 255"},
		{"two errors", `{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","SetIdentifier":"a","Weight":1,"TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}},` +
			`{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","SetIdentifier":"b","Weight":-1,"TTL":-5,"ResourceRecords":[{"Value":"192.0.2.2"}]}}]}`,
			"InvalidInput", 1, "Weight", "greater than or equal to 0"},
		{"create existing", `{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","SetIdentifier":"a","Weight":1,"TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}`,
			"InvalidChangeBatch", 0, "", "already exists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := b.post("/api/zones/"+f.zoneID+"/plan", tc.batch)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			var r refusal
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if r.OK || r.Error != tc.code || len(r.Errors) == 0 {
				t.Fatalf("%s", body)
			}
			e := r.Errors[0]
			if e.Change != tc.change || e.Field != tc.field || !strings.Contains(e.Message, tc.text) {
				t.Fatalf("first error %+v, want change %d field %q with %q (all: %s)", e, tc.change, tc.field, tc.text, body)
			}
		})
	}
	// Nothing changed: neither the store nor what serves.
	if f.store.Revision() != before {
		t.Fatalf("a refused plan moved the store from %d to %d", before, f.store.Revision())
	}
	// The same batch through apply is refused the same way.
	resp, body := b.post("/api/zones/"+f.zoneID+"/apply", `{"ChangeBatch":`+weightBatch("300")+`,"confirm":true}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"Weight"`) || f.store.Revision() != before {
		t.Fatalf("apply weight 300: %d %s", resp.StatusCode, body)
	}
}

func TestPlanThenApply(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	before := f.store.Revision()
	resp, body := b.post("/api/zones/"+f.zoneID+"/plan", weightBatch("100"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("plan: %d %s", resp.StatusCode, body)
	}
	var p struct {
		OK   bool      `json:"ok"`
		Diff []diffDoc `json:"diff"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if !p.OK || len(p.Diff) != 1 || p.Diff[0].Action != "update" || *p.Diff[0].Before.Weight != 200 || *p.Diff[0].After.Weight != 100 ||
		len(p.Diff[0].Fields) != 1 || p.Diff[0].Fields[0] != "Weight" {
		t.Fatalf("plan %s", body)
	}
	if f.store.Revision() != before {
		t.Fatal("a plan changed the store")
	}
	// apply without the confirmation does nothing.
	if resp, body := b.post("/api/zones/"+f.zoneID+"/apply", `{"ChangeBatch":`+weightBatch("100")+`}`); resp.StatusCode != http.StatusBadRequest || f.store.Revision() != before {
		t.Fatalf("unconfirmed apply: %d %s", resp.StatusCode, body)
	}
	resp, body = b.post("/api/zones/"+f.zoneID+"/apply", `{"ChangeBatch":`+weightBatch("100")+`,"confirm":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	var a struct {
		Change route53.ChangeInfo `json:"change"`
	}
	json.Unmarshal(body, &a)
	if !strings.HasPrefix(a.Change.Id, "/change/C") || f.store.Revision() <= before {
		t.Fatalf("apply %s", body)
	}
	f.waitServed(f.store.Revision())
	var st route53.ChangeInfo
	b.get("/api/changes/"+strings.TrimPrefix(a.Change.Id, "/change/"), &st)
	if st.Status != route53.StatusInsync {
		t.Fatalf("status %+v", st)
	}
	// The tree serves the new share; the change log names the console user.
	var w treeAnswer
	b.get("/api/tree?set=w.example.net./A", &w)
	if n := w.node(t, "a"); *n.Weight != 100 || *n.Share != 100.0/150 {
		t.Fatalf("after apply: %+v", n)
	}
	var log struct {
		Changes []route53.ChangeRecord `json:"changes"`
	}
	b.get("/api/changes?zone="+f.zoneID, &log)
	if len(log.Changes) == 0 || log.Changes[0].Caller != testKey || log.Changes[0].Comment != "console test" || *log.Changes[0].After[0].Weight != 100 {
		t.Fatalf("change log %+v", log.Changes)
	}
	// Revert puts weight 200 back, as a new change by the console user.
	resp, body = b.post("/api/changes/"+log.Changes[0].Id+"/revert", `{"confirm":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revert: %d %s", resp.StatusCode, body)
	}
	f.waitServed(f.store.Revision())
	b.get("/api/tree?set=w.example.net./A", &w)
	if n := w.node(t, "a"); *n.Weight != 200 {
		t.Fatalf("after revert: %+v", n)
	}
	// Reverting the same change again conflicts and says why.
	resp, body = b.post("/api/changes/"+log.Changes[0].Id+"/revert", `{"confirm":true}`)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "InvalidChangeBatch") {
		t.Fatalf("second revert: %d %s", resp.StatusCode, body)
	}
	_ = context.Background
}

func TestBadBodies(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	tests := []struct{ name, body, text string }{
		{"not json", `{"Changes":`, "not JSON"},
		{"wrong type", `{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","Weight":"heavy"}}]}`, "Weight"},
		{"unknown field", `{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","Wieght":3}}]}`, "Wieght"},
		{"null batch", `{"ChangeBatch":null}`, "null"},
	}
	for _, tc := range tests {
		resp, body := b.post("/api/zones/"+f.zoneID+"/plan", tc.body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tc.text) {
			t.Errorf("%s: %d %s", tc.name, resp.StatusCode, body)
		}
	}
	if resp, body := b.post("/api/zones/Z00000000000000000000/plan", weightBatch("1")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown zone: %d %s", resp.StatusCode, body)
	}
}

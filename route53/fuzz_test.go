package route53

import (
	"encoding/xml"
	"strings"
	"testing"
)

// FuzzDecode checks the decoder's invariants: it never panics, every refusal is
// InvalidInput 400, and what it accepts marshals back into a document it accepts
// and decodes to the same record sets.
func FuzzDecode(f *testing.F) {
	f.Add(changeRequest)
	f.Add(`<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Changes/></ChangeBatch></ChangeResourceRecordSetsRequest>`)
	f.Add(`<ChangeResourceRecordSetsRequest><x/></ChangeResourceRecordSetsRequest>`)
	f.Add(`<ChangeResourceRecordSetsRequest ` + ns + `><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet>` +
		`<Name>child.example.com</Name><Type>DS</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>12345 13 2 ` + hex64 +
		`</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change><Change><Action>CREATE</Action><ResourceRecordSet>` +
		`<Name>sip.example.com</Name><Type>NAPTR</Type><TTL>300</TTL><ResourceRecords><ResourceRecord>` +
		`<Value>100 10 &quot;S&quot; &quot;SIP+D2U&quot; &quot;&quot; _sip._udp.example.com.</Value></ResourceRecord></ResourceRecords>` +
		`</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`)
	f.Add(`<r:ChangeResourceRecordSetsRequest xmlns:r="https://route53.amazonaws.com/doc/2013-04-01/"><r:ChangeBatch/></r:ChangeResourceRecordSetsRequest>`)
	f.Fuzz(func(t *testing.T, in string) {
		var req ChangeResourceRecordSetsRequest
		err := Decode(strings.NewReader(in), &req)
		if err != nil {
			if err.Code != "InvalidInput" || err.Status != 400 {
				t.Fatalf("refusal %s %d", err.Code, err.Status)
			}
			return
		}
		out, merr := xml.Marshal(&req)
		if merr != nil {
			t.Fatalf("accepted but cannot marshal: %v", merr)
		}
		var again ChangeResourceRecordSetsRequest
		if err := Decode(strings.NewReader(string(out)), &again); err != nil {
			// encoding/xml cannot write every string it reads (e.g. invalid
			// UTF-8 or characters XML forbids); those are not round trips.
			if strings.Contains(err.Message, "illegal character") || strings.Contains(err.Message, "invalid UTF-8") {
				return
			}
			t.Fatalf("re-decode of %s: %v", out, err)
		}
		if len(again.ChangeBatch.Changes) != len(req.ChangeBatch.Changes) {
			t.Fatalf("%d changes, then %d", len(req.ChangeBatch.Changes), len(again.ChangeBatch.Changes))
		}
	})
}

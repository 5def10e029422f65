package console

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeBatch: decoding a proposed batch never panics; what it accepts is a
// batch that survives a JSON round trip unchanged (nothing the UI sent is dropped
// or invented), and what it refuses carries a message.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(weightBatch("300")))
	f.Add([]byte(`{"ChangeBatch":` + weightBatch("1") + `,"confirm":true}`))
	f.Add([]byte(`{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"g.example.net.","Type":"A","SetIdentifier":"de",` +
		`"GeoLocation":{"CountryCode":"DE"},"AliasTarget":{"HostedZoneId":"Z1","DNSName":"fo.example.net.","EvaluateTargetHealth":true}}}]}`))
	f.Add([]byte(`{"ChangeBatch":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"Changes":[{"ResourceRecordSet":{"Weight":1e400}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cb, _, err := decodeBatch(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if cb == nil {
			t.Fatal("no batch and no error")
		}
		once, err := json.Marshal(cb)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := decodeBatch(once)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", once, err)
		}
		twice, _ := json.Marshal(again)
		if string(once) != string(twice) {
			t.Fatalf("round trip changed the batch:\n%s\n%s", once, twice)
		}
	})
}

package apierr

import (
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		err        *Error
		status     int
		root, want string
	}{
		{NotFound("NoSuchHostedZone", "No hosted zone found with ID: %s", "Z1"), 404, "ErrorResponse", "<Code>NoSuchHostedZone</Code>"},
		{InvalidInput("bad %s", "name"), 400, "ErrorResponse", "<Type>Sender</Type>"},
		{New("ServiceUnavailable", 503, "store down"), 503, "ErrorResponse", "<Type>Receiver</Type>"},
		{InvalidChangeBatch("a", "b"), 400, "ErrorResponse", "<Code>InvalidChangeBatch</Code><Message>[a, b]</Message><Messages><Message>a</Message><Message>b</Message></Messages>"},
	}
	for _, tc := range tests {
		rec := httptest.NewRecorder()
		tc.err.Write(rec, "req-1")
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.err.Code, rec.Code, tc.status)
		}
		body := rec.Body.String()
		if !strings.Contains(body, tc.want) || !strings.Contains(body, "<RequestId>req-1</RequestId>") {
			t.Errorf("%s: body %s lacks %s", tc.err.Code, body, tc.want)
		}
		d := xml.NewDecoder(strings.NewReader(body))
		for {
			tok, err := d.Token()
			if err != nil {
				t.Fatalf("%s: %v", tc.err.Code, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if se.Name.Local != tc.root || se.Name.Space != Namespace {
					t.Errorf("%s: root %v, want %s in %s", tc.err.Code, se.Name, tc.root, Namespace)
				}
				break
			}
		}
		if len(tc.err.Messages) == 0 && strings.Contains(body, "Messages") {
			t.Errorf("%s: an empty Messages element: %s", tc.err.Code, body)
		}
		if rec.Header().Get("Content-Type") != "text/xml" || rec.Header().Get("X-Amzn-RequestId") != "req-1" {
			t.Errorf("%s: headers %v", tc.err.Code, rec.Header())
		}
	}
	if got := (&Error{Code: "X", Message: "m"}); got.Error() != "X: m" {
		t.Errorf("Error() = %q", got.Error())
	}
}

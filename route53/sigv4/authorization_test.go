package sigv4

import (
	"slices"
	"strings"
	"testing"
)

const goodAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261203/us-east-1/route53/aws4_request, SignedHeaders=content-length;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func TestParseAuthorization(t *testing.T) {
	a, err := ParseAuthorization(goodAuth)
	if err != nil {
		t.Fatal(err)
	}
	want := Authorization{AccessKeyID: "AKIDEXAMPLE", Date: "20261203", Region: "us-east-1", Service: "route53",
		SignedHeaders: []string{"content-length", "host", "x-amz-date"}, Signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}
	if !equalAuth(a, want) {
		t.Fatalf("got %+v", a)
	}
	if a.String() != goodAuth {
		t.Errorf("String: %s", a.String())
	}
	// botocore writes no space after the commas.
	if _, err := ParseAuthorization(strings.ReplaceAll(goodAuth, ", ", ",")); err != nil {
		t.Errorf("no spaces: %v", err)
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	sig := "Signature=" + strings.Repeat("a", 64)
	for _, c := range []struct{ in, want string }{
		{"", "unsupported algorithm"},
		{"AWS AKID:sig", "unsupported algorithm"},
		{"AWS4-HMAC-SHA256 ", "authorization header parameter without '='"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request", "Authorization header requires 'SignedHeaders' parameter. Authorization header requires 'Signature' parameter."},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, Credential=B, SignedHeaders=host, " + sig, "given twice"},
		{"AWS4-HMAC-SHA256 Foo=1, Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=host, " + sig, "unknown authorization header parameter \"Foo\""},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53, SignedHeaders=host, " + sig, "got 4 parts"},
		{"AWS4-HMAC-SHA256 Credential=/20261203/us-east-1/route53/aws4_request, SignedHeaders=host, " + sig, "bad access key ID"},
		{"AWS4-HMAC-SHA256 Credential=A/20261303/us-east-1/route53/aws4_request, SignedHeaders=host, " + sig, "bad date"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/US_EAST/route53/aws4_request, SignedHeaders=host, " + sig, "bad region"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1//aws4_request, SignedHeaders=host, " + sig, "bad service"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws5_request, SignedHeaders=host, " + sig, "valid terminator"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=, " + sig, "SignedHeaders is empty"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=Host, " + sig, "bad header name"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=x-amz-date;host, " + sig, "sorted and unique"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=host;host, " + sig, "sorted and unique"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("A", 64), "64 lower-case hexadecimal"},
		{"AWS4-HMAC-SHA256 Credential=A/20261203/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=abc", "64 lower-case hexadecimal"},
	} {
		_, err := ParseAuthorization(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
}

func equalAuth(a, b Authorization) bool {
	return a.AccessKeyID == b.AccessKeyID && a.Date == b.Date && a.Region == b.Region && a.Service == b.Service &&
		slices.Equal(a.SignedHeaders, b.SignedHeaders) && a.Signature == b.Signature
}

// FuzzParseAuthorization: whatever parses has valid parts, formats back to a header
// that parses to the same value, and an error never repeats more than a bounded
// part of its input.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(goodAuth)
	f.Add(strings.ReplaceAll(goodAuth, ", ", ","))
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=;,Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential==,,,")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			if len(err.Error()) > 400 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if a.AccessKeyID == "" || len(a.Date) != 8 || !validLabel(a.Region) || !validLabel(a.Service) || !isLowerHex(a.Signature, 64) {
			t.Fatalf("accepted bad parts: %+v", a)
		}
		if !slices.IsSorted(a.SignedHeaders) || len(a.SignedHeaders) == 0 {
			t.Fatalf("signed headers %v", a.SignedHeaders)
		}
		for _, s := range a.SignedHeaders {
			if s != strings.ToLower(s) || strings.ContainsAny(s, ";, ") {
				t.Fatalf("signed header %q", s)
			}
		}
		b, err := ParseAuthorization(a.String())
		if err != nil || !equalAuth(a, b) {
			t.Fatalf("round trip of %q: %+v, %v", a.String(), b, err)
		}
	})
}

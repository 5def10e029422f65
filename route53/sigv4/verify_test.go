package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

const (
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var testNow = time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)

func testKeys(t testing.TB) *Keys {
	t.Helper()
	ks, err := NewKeys(Key{AccessKeyID: testKeyID, Secret: testSecret, Profile: "default"},
		Key{AccessKeyID: "AKIDOTHER", Secret: "other-secret", Profile: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// signed builds a request as the SDK's signer signs it, then returns it as the
// server parses it off the wire (Host and Content-Length out of the header map).
func signed(t testing.TB, method, url, body string, at time.Time, secret string, edit func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/xml")
	}
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, PayloadHash([]byte(body)), "route53", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	return wire(t, req)
}

// wire writes req as a client would and reads it back as a server does.
func wire(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	return sr
}

func verify(v *Verifier, r *http.Request) (Key, *apierr.Error) {
	a, err := v.Prepare(r)
	if err != nil {
		return Key{}, err
	}
	body, _ := io.ReadAll(r.Body)
	return v.Verify(r, a, body)
}

func TestVerifySDKSigned(t *testing.T) {
	v := NewVerifier(testKeys(t), VerifierOptions{Now: func() time.Time { return testNow }})
	for _, c := range []struct{ method, url, body string }{
		{"GET", "https://route53.example.org/2013-04-01/hostedzonecount", ""},
		{"GET", "http://127.0.0.1:8053/2013-04-01/hostedzone?maxitems=2&marker=Z1", ""},
		{"GET", "http://localhost/2013-04-01/hostedzonesbyname?dnsname=a%20b.example.org.&hostedzoneid=Z+1", ""},
		{"GET", "http://localhost/2013-04-01/hostedzone/Z1/rrset?name=%2A.example.org.&type=A&identifier=eu%2Fwest~1", ""},
		{"POST", "http://localhost/2013-04-01/hostedzone/Z1/rrset/", `<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"/>`},
		{"POST", "http://localhost/2013-04-01/healthcheck", strings.Repeat("é", 3000)},
		{"DELETE", "http://localhost/2013-04-01/healthcheck/0a1b-2c", ""},
		{"GET", "http://localhost/", ""},
		{"GET", "http://localhost/x?b=2&a=3&a=1&a-b=0&c=&d&e=%7E%21%27%28%29", ""},
	} {
		r := signed(t, c.method, c.url, c.body, testNow.Add(-14*time.Minute), testSecret, nil)
		key, err := verify(v, r)
		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.url, err)
			continue
		}
		if key.AccessKeyID != testKeyID {
			t.Errorf("%s %s: key %v", c.method, c.url, key)
		}
	}
}

func TestVerifyRefusals(t *testing.T) {
	const url = "http://localhost:8053/2013-04-01/hostedzone/Z1/rrset?maxitems=10"
	const body = "<a>batch</a>"
	at := testNow.Add(-time.Minute)
	for _, c := range []struct {
		name   string
		at     time.Time
		secret string
		edit   func(*http.Request)
		code   string
	}{
		{"method", at, testSecret, func(r *http.Request) { r.Method = "PUT" }, CodeSignatureDoesNotMatch},
		{"path", at, testSecret, func(r *http.Request) { r.URL.Path = "/2013-04-01/hostedzone/Z2/rrset" }, CodeSignatureDoesNotMatch},
		{"query value", at, testSecret, func(r *http.Request) { r.URL.RawQuery = "maxitems=11" }, CodeSignatureDoesNotMatch},
		{"query added", at, testSecret, func(r *http.Request) { r.URL.RawQuery += "&marker=x" }, CodeSignatureDoesNotMatch},
		{"signed header", at, testSecret, func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, CodeSignatureDoesNotMatch},
		{"host", at, testSecret, func(r *http.Request) { r.Host = "evil.example.net" }, CodeSignatureDoesNotMatch},
		{"body", at, testSecret, func(r *http.Request) { setBody(r, "<a>batcH</a>") }, CodeSignatureDoesNotMatch},
		{"body and hash header", at, testSecret, func(r *http.Request) {
			setBody(r, "<a>other</a>")
			r.Header.Set("X-Amz-Content-Sha256", PayloadHash([]byte(body)))
		}, CodeSignatureDoesNotMatch},
		{"unsigned payload", at, testSecret, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") }, CodeSignatureDoesNotMatch},
		{"date header", at, testSecret, func(r *http.Request) { r.Header.Set("X-Amz-Date", at.Add(time.Second).Format(TimeFormat)) }, CodeSignatureDoesNotMatch},
		{"wrong secret", at, "not-the-secret", nil, CodeSignatureDoesNotMatch},
		{"signature", at, testSecret, flipSignature, CodeSignatureDoesNotMatch},
		{"unknown key", at, testSecret, func(r *http.Request) { replaceAuth(r, testKeyID, "AKIDUNKNOWN") }, CodeInvalidClientTokenID},
		{"other known key", at, testSecret, func(r *http.Request) { replaceAuth(r, testKeyID, "AKIDOTHER") }, CodeSignatureDoesNotMatch},
		{"service", at, testSecret, func(r *http.Request) { replaceAuth(r, "/route53/", "/s3/") }, CodeSignatureDoesNotMatch},
		{"expired", testNow.Add(-16 * time.Minute), testSecret, nil, CodeSignatureDoesNotMatch},
		{"future", testNow.Add(16 * time.Minute), testSecret, nil, CodeSignatureDoesNotMatch},
		{"no authorization", at, testSecret, func(r *http.Request) { r.Header.Del("Authorization") }, CodeMissingAuthenticationToken},
		{"presigned", at, testSecret, func(r *http.Request) {
			r.Header.Del("Authorization")
			r.URL.RawQuery = "X-Amz-Signature=00"
		}, CodeIncompleteSignature},
		{"no date", at, testSecret, func(r *http.Request) { r.Header.Del("X-Amz-Date") }, CodeIncompleteSignature},
		{"bad date", at, testSecret, func(r *http.Request) { r.Header.Set("X-Amz-Date", "yesterday") }, CodeIncompleteSignature},
		{"scope date", at, testSecret, func(r *http.Request) { r.Header.Set("X-Amz-Date", at.Add(-24*time.Hour).Format(TimeFormat)) }, CodeSignatureDoesNotMatch},
		{"session token", at, testSecret, func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "tok") }, CodeInvalidClientTokenID},
		{"sigv4a", at, testSecret, func(r *http.Request) { replaceAuth(r, Algorithm, "AWS4-ECDSA-P256-SHA256") }, CodeIncompleteSignature},
		{"host unsigned", at, testSecret, func(r *http.Request) {
			replaceAuth(r, "SignedHeaders=", "SignedHeaders=a;")
			replaceAuth(r, ";host;", ";")
		}, CodeIncompleteSignature},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := NewVerifier(testKeys(t), VerifierOptions{Now: func() time.Time { return testNow }})
			r := signed(t, "POST", url, body, c.at, c.secret, c.edit)
			_, err := verify(v, r)
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Code != c.code || err.Status != http.StatusForbidden {
				t.Fatalf("got %d %s (%s), want 403 %s", err.Status, err.Code, err.Message, c.code)
			}
			if strings.Contains(err.Message, testSecret) || strings.Contains(err.Message, "other-secret") {
				t.Fatalf("message shows a secret: %s", err.Message)
			}
		})
	}
}

func TestVerifyRegion(t *testing.T) {
	r := signed(t, "GET", "http://localhost/2013-04-01/hostedzone", "", testNow, testSecret, nil)
	any := NewVerifier(testKeys(t), VerifierOptions{Now: func() time.Time { return testNow }})
	if _, err := verify(any, r); err != nil {
		t.Fatalf("any region: %v", err)
	}
	r = signed(t, "GET", "http://localhost/2013-04-01/hostedzone", "", testNow, testSecret, nil)
	pinned := NewVerifier(testKeys(t), VerifierOptions{Region: "eu-west-1", Now: func() time.Time { return testNow }})
	if _, err := verify(pinned, r); err == nil || !strings.Contains(err.Message, "'us-east-1'") {
		t.Fatalf("pinned region: %v", err)
	}
}

func TestSetKeys(t *testing.T) {
	v := NewVerifier(testKeys(t), VerifierOptions{Now: func() time.Time { return testNow }})
	ks, _ := NewKeys(Key{AccessKeyID: "AKIDNEW", Secret: "s", Profile: "p"})
	v.SetKeys(ks)
	r := signed(t, "GET", "http://localhost/", "", testNow, testSecret, nil)
	if _, err := verify(v, r); err == nil || err.Code != CodeInvalidClientTokenID {
		t.Fatalf("removed key: %v", err)
	}
}

// flipSignature changes the last hex digit of the signature.
func flipSignature(r *http.Request) {
	h := r.Header.Get("Authorization")
	last := byte('0')
	if h[len(h)-1] == '0' {
		last = '1'
	}
	r.Header.Set("Authorization", h[:len(h)-1]+string(last))
}

func setBody(r *http.Request, s string) {
	r.Body = io.NopCloser(strings.NewReader(s))
	r.ContentLength = int64(len(s))
}

func replaceAuth(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

func BenchmarkVerify(b *testing.B) {
	v := NewVerifier(testKeys(b), VerifierOptions{Now: func() time.Time { return testNow }})
	body := []byte(strings.Repeat("<Change>x</Change>", 100))
	r := signed(b, "POST", "http://localhost/2013-04-01/hostedzone/Z1/rrset/", string(body), testNow, testSecret, nil)
	b.ReportAllocs()
	for b.Loop() {
		a, err := v.Prepare(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.Verify(r, a, body); err != nil {
			b.Fatal(err)
		}
	}
}

package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// echo answers with the caller and the body it received.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := AccessKeyID(r.Context())
	body, _ := io.ReadAll(r.Body)
	_, _ = io.WriteString(w, id+"|"+string(body))
})

func TestAuthPassesCallerAndBody(t *testing.T) {
	a := NewAuth(testKeys(t), Options{Verifier: VerifierOptions{Now: func() time.Time { return testNow }}})
	body := strings.Repeat("x", 1000)
	r := signed(t, "POST", "http://localhost/2013-04-01/healthcheck", body, testNow, testSecret, nil)
	w := httptest.NewRecorder()
	a.Wrap(echo).ServeHTTP(w, r)
	if w.Code != 200 || w.Body.String() != testKeyID+"|"+body {
		t.Fatalf("%d %.80s", w.Code, w.Body.String())
	}
	if _, ok := AccessKeyID(r.Context()); ok {
		t.Error("the caller leaked into the original request's context")
	}
}

func TestAuthBodyCap(t *testing.T) {
	a := NewAuth(testKeys(t), Options{MaxBody: 100, Verifier: VerifierOptions{Now: func() time.Time { return testNow }}})
	h := a.Wrap(echo)
	for _, c := range []struct {
		name    string
		size    int
		chunked bool
		code    int
	}{
		{"at cap", 100, false, 200},
		{"over cap", 101, false, 400},
		{"at cap chunked", 100, true, 200},
		{"over cap chunked", 5000, true, 400},
	} {
		body := strings.Repeat("a", c.size)
		r := signed(t, "POST", "http://localhost/2013-04-01/healthcheck", body, testNow, testSecret, nil)
		if c.chunked {
			r = signedChunked(t, body)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.code {
			t.Errorf("%s: %d %s", c.name, w.Code, w.Body.String())
		}
		if c.code == 400 && !strings.Contains(w.Body.String(), "<Code>InvalidInput</Code>") {
			t.Errorf("%s: %s", c.name, w.Body.String())
		}
	}
}

func TestAuthDeniedWritesRoute53Error(t *testing.T) {
	var mu sync.Mutex
	var denied []string
	a := NewAuth(testKeys(t), Options{
		Verifier:  VerifierOptions{Now: func() time.Time { return testNow }},
		RequestID: func(*http.Request) string { return "req-1" },
		OnDeny: func(_ *http.Request, id string, err *apierr.Error) {
			mu.Lock()
			denied = append(denied, id+" "+err.Code+" "+err.Message)
			mu.Unlock()
		},
	})
	r := signed(t, "GET", "http://localhost/2013-04-01/hostedzone", "", testNow, "wrong", nil)
	w := httptest.NewRecorder()
	a.Wrap(echo).ServeHTTP(w, r)
	want := `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>`
	if w.Code != 403 || !strings.Contains(w.Body.String(), want) || w.Header().Get("X-Amzn-RequestId") != "req-1" {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body.String())
	}
	if len(denied) != 1 || !strings.HasPrefix(denied[0], testKeyID+" SignatureDoesNotMatch") || strings.Contains(denied[0], testSecret) {
		t.Errorf("OnDeny: %q", denied)
	}
}

func TestLimiter(t *testing.T) {
	now := testNow
	l := NewLimiter(2, 3, func() time.Time { return now })
	take := func(caller string, n int) int {
		ok := 0
		for range n {
			if l.Allow(caller) {
				ok++
			}
		}
		return ok
	}
	if got := take("a", 10); got != 3 {
		t.Fatalf("burst: %d allowed, want 3", got)
	}
	if got := take("b", 1); got != 1 {
		t.Fatal("one caller's burst throttled another")
	}
	now = now.Add(time.Second)
	if got := take("a", 10); got != 2 {
		t.Fatalf("after 1s: %d allowed, want 2", got)
	}
	now = now.Add(time.Hour)
	if got := take("a", 10); got != 3 {
		t.Fatalf("after an hour: %d allowed, want the burst 3", got)
	}
	now = now.Add(-time.Minute) // a clock stepping back gives nothing and takes nothing
	if got := take("a", 1); got != 0 {
		t.Fatalf("after stepping back: %d allowed", got)
	}
}

func TestAuthThrottles(t *testing.T) {
	a := NewAuth(testKeys(t), Options{Rate: 1, Burst: 2, Verifier: VerifierOptions{Now: func() time.Time { return testNow }}})
	h := a.Wrap(echo)
	codes := ""
	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, "GET", "http://localhost/2013-04-01/hostedzone", "", testNow, testSecret, nil))
		codes += w.Result().Status[:3] + " "
		if w.Code == 400 && !strings.Contains(w.Body.String(), "<Code>Throttling</Code><Message>Rate exceeded</Message>") {
			t.Error(w.Body.String())
		}
	}
	if codes != "200 200 400 " {
		t.Errorf("statuses %s", codes)
	}
	off := NewAuth(testKeys(t), Options{Rate: -1, Verifier: VerifierOptions{Now: func() time.Time { return testNow }}})
	for range 50 {
		w := httptest.NewRecorder()
		off.Wrap(echo).ServeHTTP(w, signed(t, "GET", "http://localhost/", "", testNow, testSecret, nil))
		if w.Code != 200 {
			t.Fatalf("limit off: %d", w.Code)
		}
	}
}

// signedChunked signs a POST whose length the client does not know, so it goes out
// chunked and Content-Length is not signed.
func signedChunked(t *testing.T, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", "http://localhost/2013-04-01/healthcheck", io.NopCloser(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, PayloadHash([]byte(body)), Service, "us-east-1", testNow); err != nil {
		t.Fatal(err)
	}
	r := wire(t, req)
	if r.ContentLength != -1 {
		t.Fatalf("not chunked: length %d", r.ContentLength)
	}
	return r
}

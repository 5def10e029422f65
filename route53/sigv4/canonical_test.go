package sigv4

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

// TestGetVanilla is the "get-vanilla" case of AWS's SigV4 test suite: a known
// answer that does not come from the SDK this package is otherwise tested with.
func TestGetVanilla(t *testing.T) {
	r, err := readRequest("GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := canonicalRequest(r, []string{"host", "x-amz-date"}, PayloadHash(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if canonical != want {
		t.Fatalf("canonical request:\n%s\nwant\n%s", canonical, want)
	}
	sts := stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical)
	sig := signature(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "service"), sts)
	if sig != "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" {
		t.Errorf("signature %s", sig)
	}
}

func TestCanonicalParts(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"b=2&a=1&a-b=0":           "a=1&a-b=0&b=2",
		"a=2&a=1&c&d=":            "a=1&a=2&c=&d=",
		"q=a+b&r=a%20b&s=%7e%2a/": "q=a%20b&r=a%20b&s=~%2A%2F",
	} {
		got, err := canonicalQuery(in)
		if err != nil || got != want {
			t.Errorf("query %q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := canonicalQuery("a=%zz"); err == nil {
		t.Error("bad escape accepted")
	}
	for in, want := range map[string]string{
		"/2013-04-01/hostedzone/Z1/rrset/": "/2013-04-01/hostedzone/Z1/rrset/",
		"/a%2Fb/é":                         "/a%252Fb/%C3%A9",
		"/~a-b_c.d":                        "/~a-b_c.d",
	} {
		var b strings.Builder
		escapePath(&b, in)
		if b.String() != want {
			t.Errorf("path %q: %q, want %q", in, b.String(), want)
		}
	}
	for in, want := range map[string]string{"  a   b  ": "a b", "a": "a", "": ""} {
		if got := stripSpaces(in); got != want {
			t.Errorf("stripSpaces(%q) = %q", in, got)
		}
	}
}

func readRequest(s string) (*http.Request, error) {
	return http.ReadRequest(bufio.NewReader(strings.NewReader(s)))
}

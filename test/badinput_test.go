package test

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// TestBadCorefile: a broken Corefile makes coretraffic exit non-zero with the same
// file:line message stock CoreDNS gives. (A missing zone file for stock `file` is a
// warning and a retry in stock, not an exit; coretraffic keeps that behaviour.)
func TestBadCorefile(t *testing.T) {
	tests := []struct {
		name     string
		corefile string
		want     string // in both outputs
	}{
		{"unknown directive", ".:@PORT@ {\n    whoami\n    nosuchplugin\n}\n", "Corefile:3 - Error during parsing: Unknown directive 'nosuchplugin'"},
		{"syntax error", ".:@PORT@ {\n    whoami\n", "Corefile:2 - Syntax error: Unexpected token 'whoami', expecting '}'"},
		{"missing import", ".:@PORT@ {\n    import /nonexistent/snippet.conf\n}\n", "Corefile:2 - Error during parsing: File to import not found: /nonexistent/snippet.conf"},
		{"missing certificate", ".:@PORT@ {\n    tls /nonexistent/cert.pem /nonexistent/key.pem\n}\n", "/nonexistent/cert.pem"},
		{"unknown property", ".:@PORT@ {\n    cache 30 {\n        notaproperty\n    }\n}\n", "Corefile:3"},
	}
	stock, ours := e2e.Stock(t), e2e.CoreTraffic(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			corefile := strings.ReplaceAll(tc.corefile, "@PORT@", fmt.Sprint(e2e.FreePort(t)))
			want := exitOutput(t, stock, corefile)
			got := exitOutput(t, ours, corefile)
			if !strings.Contains(want, tc.want) {
				t.Fatalf("stock output lacks %q:\n%s", tc.want, want)
			}
			if normaliseExit(want) != normaliseExit(got) {
				t.Errorf("messages differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", want, got)
			}
		})
	}
}

// TestPortInUse: a DNS port someone else holds is a clear start-up error.
func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	out := exitOutput(t, e2e.CoreTraffic(t), fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    whoami\n}\n", port))
	if want := fmt.Sprintf("listen tcp 127.0.0.1:%d: bind: address already in use", port); !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// exitOutput runs bin on corefile, requires a non-zero exit and returns the output.
func exitOutput(t *testing.T, bin, corefile string) string {
	t.Helper()
	s, err := e2e.Launch(t, bin, corefile, "")
	if err != nil {
		t.Fatal(err)
	}
	code, err := s.Wait(30 * time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Output())
	}
	if code == 0 {
		t.Fatalf("exit code 0, want non-zero:\n%s", s.Output())
	}
	return s.Output()
}

// normaliseExit drops the timestamp log.Fatal prefixes with.
var logTime = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

func normaliseExit(s string) string { return logTime.ReplaceAllString(s, "") }

package sigv4

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// TestAWSCLI signs with botocore, as the aws CLI does, when the CLI is installed
// (make deps installs Debian's awscli): a GET with a query that needs encoding, a
// POST with a body, and a wrong secret.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		t.Skip("aws CLI not installed (or -short)")
	}
	var seen []string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := AccessKeyID(r.Context())
		body, _ := io.ReadAll(r.Body)
		seen = append(seen, fmt.Sprintf("%s %s %s %d", id, r.Method, r.URL.RequestURI(), len(body)))
		w.Header().Set("Content-Type", "text/xml")
		switch r.URL.Path {
		case "/2013-04-01/hostedzonecount":
			fmt.Fprintf(w, `<GetHostedZoneCountResponse xmlns="%s"><HostedZoneCount>7</HostedZoneCount></GetHostedZoneCountResponse>`, apierr.Namespace)
		case "/2013-04-01/hostedzonesbyname":
			fmt.Fprintf(w, `<ListHostedZonesByNameResponse xmlns="%s"><HostedZones/><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListHostedZonesByNameResponse>`, apierr.Namespace)
		default:
			apierr.InvalidInput("body of %d bytes", len(body)).Write(w, "r")
		}
	})
	srv := httptest.NewServer(NewAuth(testKeys(t), Options{Rate: -1}).Wrap(inner))
	defer srv.Close()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	content := fmt.Sprintf("[good]\naws_access_key_id = %s\naws_secret_access_key = %s\n[bad]\naws_access_key_id = %s\naws_secret_access_key = wrong\n", testKeyID, testSecret, testKeyID)
	if err := os.WriteFile(creds, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(profile string, args ...string) (string, error) {
		cmd := exec.Command(aws, append([]string{"route53", "--endpoint-url", srv.URL, "--profile", profile, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_CONFIG_FILE="+filepath.Join(dir, "none"),
			"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("good", "get-hosted-zone-count")
	var count struct{ HostedZoneCount int }
	if err != nil || json.Unmarshal([]byte(out), &count) != nil || count.HostedZoneCount != 7 {
		t.Fatalf("get-hosted-zone-count: %v %s", err, out)
	}
	if out, err = run("good", "list-hosted-zones-by-name", "--dns-name", "a b*.example.org", "--max-items", "1"); err != nil {
		t.Fatalf("list-hosted-zones-by-name: %v %s", err, out)
	}
	out, err = run("good", "create-health-check", "--caller-reference", "ref é/1",
		"--health-check-config", "Type=TCP,IPAddress=192.0.2.1,Port=80")
	if err == nil || !strings.Contains(out, "InvalidInput") || !strings.Contains(out, "body of") {
		t.Fatalf("create-health-check: %v %s", err, out)
	}
	out, err = run("bad", "get-hosted-zone-count")
	if err == nil || !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v %s", err, out)
	}
	if len(seen) != 3 || !strings.HasPrefix(seen[1], testKeyID+" GET /2013-04-01/hostedzonesbyname?") {
		t.Errorf("requests seen: %q", seen)
	}
}

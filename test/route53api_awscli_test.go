package test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// awsCLI is Debian's aws-cli v2 (`make deps`); the pip-installed v1 that some images
// put first on PATH is not what the README's walkthrough names.
const awsCLI = "/usr/bin/aws"

const apiCorefile = `.:%[1]d {
    bind 127.0.0.1
    geo geo/testdata/demo-city.mmdb
    route53api 127.0.0.1:%[2]d {
        store %[3]s
        credentials %[4]s
    }
    policy {
        store %[3]s
    }
}
`

// awsWalkthrough runs README's aws CLI walkthrough against a running server.
type awsWalkthrough struct {
	t        *testing.T
	endpoint string
	env      []string
	dir      string
	dnsAddr  string
	server   *e2e.Server
}

// aws runs one aws CLI command and decodes its JSON output into out (nil: ignored).
func (w *awsWalkthrough) aws(out any, args ...string) {
	w.t.Helper()
	cmd := exec.Command(awsCLI, append([]string{"--endpoint-url", w.endpoint, "--output", "json", "route53"}, args...)...)
	cmd.Env = w.env
	cmd.Dir = w.dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		w.t.Fatalf("aws route53 %s: %v\n%s\n--- server ---\n%s", strings.Join(args, " "), err, b, w.server.Output())
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Fatalf("aws route53 %s: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}

// awsFails runs an aws CLI command that must fail and returns its output.
func (w *awsWalkthrough) awsFails(args ...string) string {
	w.t.Helper()
	cmd := exec.Command(awsCLI, append([]string{"--endpoint-url", w.endpoint, "--output", "json", "route53"}, args...)...)
	cmd.Env = w.env
	cmd.Dir = w.dir
	b, err := cmd.CombinedOutput()
	if err == nil {
		w.t.Fatalf("aws route53 %s succeeded:\n%s", strings.Join(args, " "), b)
	}
	return string(b)
}

func (w *awsWalkthrough) writeJSON(name string, v any) string {
	w.t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		w.t.Fatal(err)
	}
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return "file://" + path
}

// insync waits until GetChange says INSYNC.
func (w *awsWalkthrough) insync(changeID string) time.Duration {
	w.t.Helper()
	start := time.Now()
	for {
		var out struct{ ChangeInfo struct{ Id, Status string } }
		w.aws(&out, "get-change", "--id", changeID)
		if out.ChangeInfo.Status == "INSYNC" {
			return time.Since(start)
		}
		if out.ChangeInfo.Status != "PENDING" {
			w.t.Fatalf("get-change %s: status %q", changeID, out.ChangeInfo.Status)
		}
		if time.Since(start) > 10*time.Second {
			w.t.Fatalf("change %s still PENDING after 10 s", changeID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kdig asks the server with kdig and returns the answer's values, sorted as printed.
func (w *awsWalkthrough) kdig(name, subnet string) string {
	w.t.Helper()
	host, port, _ := net.SplitHostPort(w.dnsAddr)
	args := []string{"@" + host, "-p", port, name, "A", "+short"}
	if subnet != "" {
		args = append(args, "+subnet="+subnet)
	}
	return strings.TrimSpace(runTool(w.t, "kdig", args...))
}

func TestRoute53APIAWSCLIWalkthrough(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("%s missing: run `make deps` (Debian's awscli)", awsCLI)
	}
	bin := e2e.CoreTraffic(t)
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDWALKTHROUGH\naws_secret_access_key = walkthrough-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dnsPort, apiPort := e2e.FreePort(t), e2e.FreePort(t)
	corefile := fmt.Sprintf(apiCorefile, dnsPort, apiPort, filepath.Join(dir, "store.db"), creds)
	s := e2e.StartIn(t, bin, corefile, root, fmt.Sprintf("127.0.0.1:%d", dnsPort))
	w := &awsWalkthrough{t: t, endpoint: fmt.Sprintf("http://127.0.0.1:%d", apiPort), dir: dir, server: s,
		dnsAddr: fmt.Sprintf("127.0.0.1:%d", dnsPort),
		env: []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "AWS_ACCESS_KEY_ID=AKIDWALKTHROUGH",
			"AWS_SECRET_ACCESS_KEY=walkthrough-secret", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}}

	// Two endpoints behind health checks; fra dies later.
	fra, stopFra := hcEndpoint(t, "127.0.0.1:0")
	iad, _ := hcEndpoint(t, "127.0.0.1:0")

	var zone struct {
		HostedZone struct{ Id, Name string }
		ChangeInfo struct{ Id string }
	}
	w.aws(&zone, "create-hosted-zone", "--name", "example.org", "--caller-reference", "walkthrough-1")
	if zone.HostedZone.Name != "example.org." || !strings.HasPrefix(zone.HostedZone.Id, "/hostedzone/Z") {
		t.Fatalf("create-hosted-zone: %+v", zone)
	}
	zoneID := strings.TrimPrefix(zone.HostedZone.Id, "/hostedzone/")
	w.insync(zone.ChangeInfo.Id)

	checkID := map[string]string{}
	for name, addr := range map[string]string{"fra": fra, "iad": iad} {
		host, port, _ := net.SplitHostPort(addr)
		var hc struct{ HealthCheck struct{ Id string } }
		w.aws(&hc, "create-health-check", "--caller-reference", "walkthrough-"+name, "--health-check-config",
			fmt.Sprintf("Type=HTTP_STR_MATCH,IPAddress=%s,Port=%s,ResourcePath=/health,SearchString=OK,RequestInterval=10,FailureThreshold=1", host, port))
		checkID[name] = hc.HealthCheck.Id
	}

	rrset := func(name, setID string, extra map[string]any, value string) map[string]any {
		rs := map[string]any{"Name": name, "Type": "A", "TTL": 5, "SetIdentifier": setID,
			"ResourceRecords": []map[string]string{{"Value": value}}}
		for k, v := range extra {
			rs[k] = v
		}
		return map[string]any{"Action": "CREATE", "ResourceRecordSet": rs}
	}
	batch := w.writeJSON("batch.json", map[string]any{"Comment": "walkthrough", "Changes": []any{
		rrset("www.example.org", "fra", map[string]any{"Weight": 70, "HealthCheckId": checkID["fra"]}, "192.0.2.10"),
		rrset("www.example.org", "iad", map[string]any{"Weight": 30, "HealthCheckId": checkID["iad"]}, "198.51.100.10"),
		rrset("geo.example.org", "de", map[string]any{"GeoLocation": map[string]string{"CountryCode": "DE"}}, "192.0.2.20"),
		rrset("geo.example.org", "rest", map[string]any{"GeoLocation": map[string]string{"CountryCode": "*"}}, "198.51.100.20"),
	}})
	var change struct{ ChangeInfo struct{ Id, Status string } }
	w.aws(&change, "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch)
	took := w.insync(change.ChangeInfo.Id)
	t.Logf("change INSYNC %v after the API's answer", took)

	// The same batch again is refused whole, with Route 53's message.
	if out := w.awsFails("change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch); !strings.Contains(out, "InvalidChangeBatch") || !strings.Contains(out, "but it already exists") {
		t.Errorf("repeated batch: %s", out)
	}

	if got := w.kdig("geo.example.org", "192.0.2.0/24"); got != "192.0.2.20" {
		t.Errorf("geo.example.org from Frankfurt: %q", got)
	}
	if got := w.kdig("geo.example.org", "198.51.100.0/24"); got != "198.51.100.20" {
		t.Errorf("geo.example.org from Ashburn: %q", got)
	}
	seen := map[string]int{}
	for range 60 {
		seen[w.kdig("www.example.org", "")]++
	}
	if seen["192.0.2.10"] == 0 || seen["198.51.100.10"] == 0 || len(seen) != 2 {
		t.Errorf("weighted www.example.org over 60 queries: %v", seen)
	}

	// Listing shows what the batch created, Route 53's order (name, then type, then id).
	var list struct {
		ResourceRecordSets []struct{ Name, Type, SetIdentifier string }
	}
	w.aws(&list, "list-resource-record-sets", "--hosted-zone-id", zoneID)
	var names []string
	for _, rs := range list.ResourceRecordSets {
		names = append(names, rs.Name+"/"+rs.Type+"/"+rs.SetIdentifier)
	}
	want := "example.org./NS/ example.org./SOA/ geo.example.org./A/de geo.example.org./A/rest www.example.org./A/fra www.example.org./A/iad"
	if strings.Join(names, " ") != want {
		t.Errorf("list-resource-record-sets:\n got %s\nwant %s", strings.Join(names, " "), want)
	}

	// fra dies: within the check's interval (10 s) plus its timeout, every answer is iad.
	stopFra()
	deadline := time.Now().Add(20 * time.Second)
	for {
		all := true
		for range 10 {
			if w.kdig("www.example.org", "") != "198.51.100.10" {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("www.example.org still answers fra 20 s after it died\n--- server ---\n%s", s.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	var status struct {
		HealthCheckObservations []struct{ StatusReport struct{ Status string } }
	}
	w.aws(&status, "get-health-check-status", "--health-check-id", checkID["fra"])
	if len(status.HealthCheckObservations) == 0 || !strings.HasPrefix(status.HealthCheckObservations[0].StatusReport.Status, "Failure") {
		t.Errorf("get-health-check-status of the dead endpoint: %+v", status)
	}

	// Wrong secret: refused, nothing changes.
	bad := *w
	bad.env = append(append([]string(nil), w.env...), "AWS_SECRET_ACCESS_KEY=wrong")
	if out := bad.awsFails("list-hosted-zones"); !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %s", out)
	}

	w.trafficPolicyStep(zoneID)
}

// tpDocument is the walkthrough's traffic policy: Germany gets .30, everyone else
// the default.
const tpDocument = `{
  "AWSPolicyFormatVersion": "2015-10-01",
  "RecordType": "A",
  "StartRule": "by_country",
  "Endpoints": {
    "frankfurt": {"Type": "value", "Value": "192.0.2.30"},
    "ashburn": {"Type": "value", "Value": "198.51.100.30"}
  },
  "Rules": {
    "by_country": {
      "RuleType": "geo",
      "Locations": [
        {"EndpointReference": "frankfurt", "Country": "DE"},
        {"EndpointReference": "ashburn", "IsDefault": true}
      ]
    }
  }
}`

// trafficPolicyStep creates a traffic policy from a document file and an instance
// of it; kdig then sees the instance's answers.
func (w *awsWalkthrough) trafficPolicyStep(zoneID string) {
	t := w.t
	doc := filepath.Join(w.dir, "policy.json")
	if err := os.WriteFile(doc, []byte(tpDocument), 0o644); err != nil {
		t.Fatal(err)
	}
	var tp struct {
		TrafficPolicy struct {
			Id, Type string
			Version  int
		}
	}
	w.aws(&tp, "create-traffic-policy", "--name", "by-country", "--document", "file://"+doc)
	if tp.TrafficPolicy.Version != 1 || tp.TrafficPolicy.Type != "A" {
		t.Fatalf("create-traffic-policy: %+v", tp)
	}
	var in struct{ TrafficPolicyInstance struct{ Id, State string } }
	w.aws(&in, "create-traffic-policy-instance", "--hosted-zone-id", zoneID, "--name", "tp.example.org", "--ttl", "5",
		"--traffic-policy-id", tp.TrafficPolicy.Id, "--traffic-policy-version", "1")
	if in.TrafficPolicyInstance.State != "Applied" {
		t.Errorf("create-traffic-policy-instance: %+v", in)
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.kdig("tp.example.org", "192.0.2.0/24") != "192.0.2.30" {
		if time.Now().After(deadline) {
			t.Fatalf("tp.example.org from Frankfurt still not the instance's answer after 10 s\n--- server ---\n%s", w.server.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := w.kdig("tp.example.org", "198.51.100.0/24"); got != "198.51.100.30" {
		t.Errorf("tp.example.org from Ashburn: %q", got)
	}
	var list struct {
		ResourceRecordSets []struct{ Name, Type, TrafficPolicyInstanceId string }
	}
	w.aws(&list, "list-resource-record-sets", "--hosted-zone-id", zoneID, "--start-record-name", "tp.example.org", "--max-items", "1")
	if len(list.ResourceRecordSets) != 1 || list.ResourceRecordSets[0].TrafficPolicyInstanceId != in.TrafficPolicyInstance.Id {
		t.Errorf("list-resource-record-sets at tp.example.org: %+v", list)
	}
}

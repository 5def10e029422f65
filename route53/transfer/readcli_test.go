package transfer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53/transfer"
)

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noSOA := write("nosoa.json", `{"ResourceRecordSets": [{"Name": "www.example.org", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}]}`)
	outside := write("outside.json", `{"ResourceRecordSets": [{"Name": "www.example.net.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}]}`)
	typo := write("typo.json", `{"ResourceRecordSets": [{"Name": "www.example.org.", "Type": "A", "Wieght": 1}]}`)
	usesCheck := write("check.json", `{"ResourceRecordSets": [{"Name": "www.example.org.", "Type": "A", "TTL": 60, "HealthCheckId": "0a1b2c3d-0000-4000-8000-00000000000f", "ResourceRecords": [{"Value": "192.0.2.1"}]}]}`)
	alarm := write("alarm.json", `{"HealthChecks": [{"Id": "0a1b2c3d-0000-4000-8000-000000000001", "CallerReference": "x", "HealthCheckVersion": 1,
		"HealthCheckConfig": {"Type": "CLOUDWATCH_METRIC", "Inverted": false, "Disabled": false, "AlarmIdentifier": {"Region": "us-east-1", "Name": "a"}, "InsufficientDataHealthStatus": "Healthy"}}]}`)
	badCheck := write("badcheck.json", `{"HealthChecks": [{"Id": "0a1b2c3d-0000-4000-8000-000000000001", "CallerReference": "x", "HealthCheckVersion": 1,
		"HealthCheckConfig": {"Type": "HTTP", "Port": 80, "Inverted": false, "Disabled": false}}]}`)
	orphan := write("orphan.json", `{"HealthChecks": [{"Id": "0a1b2c3d-0000-4000-8000-000000000004", "CallerReference": "x", "HealthCheckVersion": 1,
		"HealthCheckConfig": {"Type": "CALCULATED", "Inverted": false, "Disabled": false, "HealthThreshold": 1, "ChildHealthChecks": ["0a1b2c3d-0000-4000-8000-000000000001"]}}]}`)
	noList := write("nolist.json", `{"Marker": ""}`)
	hand := "testdata/example.org.json"
	noPolicies := handFiles(true)
	noPolicies.Policies = nil

	tests := []struct {
		name  string
		files transfer.Files
		want  string
	}{
		{"no SOA, no zone name", transfer.Files{Zones: []string{noSOA}}, "no SOA record set to name the zone"},
		{"a name outside the zone", transfer.Files{Zones: []string{"example.org=" + outside}}, "www.example.net. is not in zone example.org."},
		{"a typo", transfer.Files{Zones: []string{hand, typo}}, `unknown field "Wieght"`},
		{"a zone twice", transfer.Files{Zones: []string{hand, "example.org.=" + hand}}, "zone example.org. is in another file too"},
		{"an unknown health check", transfer.Files{Zones: []string{"example.org=" + usesCheck}}, "not in the health checks read"},
		{"CloudWatch alarms", transfer.Files{Checks: []string{alarm}}, "CloudWatch alarms"},
		{"a check Route 53 refuses", transfer.Files{Checks: []string{badCheck}}, "IPAddress or FullyQualifiedDomainName"},
		{"a calculated check's missing child", transfer.Files{Checks: []string{orphan}}, "child 0a1b2c3d-0000-4000-8000-000000000001 is not in the health checks read"},
		{"no health checks member", transfer.Files{Checks: []string{noList}}, "no HealthChecks or HealthCheck member"},
		{"an instance without its policy", noPolicies, "is not in the traffic policies read"},
		{"a CIDR collection missing", transfer.Files{Zones: []string{hand}, Checks: []string{"testdata/healthchecks.json"}}, "uses CIDR collection 7d1e2f3a-0000-4000-8000-000000000001, which is not in the CIDR collections read"},
		{"blocks of an unknown collection", transfer.Files{Blocks: []string{"7d1e=" + hand}}, "want ID=FILE, ID a collection of the -cidr-collections files"},
		{"a missing file", transfer.Files{Zones: []string{filepath.Join(dir, "none.json")}}, "no such file"},
	}
	for _, tc := range tests {
		if _, err := transfer.Read(tc.files); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}

	b, err := transfer.Read(transfer.Files{Zones: []string{"example.org=" + noSOA}})
	if err != nil || b.Zones[0].Name != "example.org." || len(b.Zones[0].RecordSets) != 1 {
		t.Errorf("ZONE=FILE: %+v %v", b, err)
	}
}

func FuzzParseCLIHealthChecks(f *testing.F) {
	seed, err := os.ReadFile("testdata/healthchecks.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"HealthCheck": {"Id": "x", "HealthCheckConfig": {"Type": "TCP"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		hcs, err := transfer.ParseCLIHealthChecks(data)
		if err != nil {
			return
		}
		for _, h := range hcs {
			if h.ID == "" || h.HealthCheckConfig.Validate() != nil {
				t.Fatalf("accepted %+v", h)
			}
		}
	})
}

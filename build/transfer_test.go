package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// startRoute53API runs the Route 53 API on a bbolt store with its replica and
// writes a credentials file of its key.
func startRoute53API(t *testing.T) (url, creds string) {
	t.Helper()
	dir := t.TempDir()
	st, err := boltstore.Open(filepath.Join(dir, "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := replica.New(st, hc.New(hc.Options{}), "tools-test", t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: "AKIDTOOLS", Secret: "tools-secret", Profile: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: st, Replica: rep, Keys: keys, Auth: sigv4.Options{Rate: -1}}))
	t.Cleanup(func() { srv.Close(); cancel(); <-done; st.Close() })
	creds = filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDTOOLS\naws_secret_access_key = tools-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, creds
}

func TestImportExportChangesCommands(t *testing.T) {
	url, creds := startRoute53API(t)
	dir := t.TempDir()
	zone, checks := "../route53/transfer/testdata/example.org.json", "../route53/transfer/testdata/healthchecks.json"
	const coll = "7d1e2f3a-0000-4000-8000-000000000001"
	cidr := []string{"-cidr-collections", "../route53/transfer/testdata/cidrcollections.json",
		"-cidr-blocks", coll + "=../route53/transfer/testdata/cidrblocks." + coll + ".json"}
	withCIDR := func(args ...string) []string { return append(append(args[:1:1], cidr...), args[1:]...) }
	exported := filepath.Join(dir, "export")
	auth := []string{"-endpoint", url, "-credentials", creds, "-profile", "ops"}
	with := func(args ...string) []string { return append(args, auth...) }

	tests := []struct {
		args       []string
		code       int
		out, erred string
	}{
		{withCIDR("import", "-yaml", filepath.Join(dir, "hand.yaml"), "-checks", checks, zone), 0, "1 zones, 5 health checks", ""},
		{[]string{"import", "-yaml", filepath.Join(dir, "x.yaml"), "-checks", checks, zone}, 1, "", "not in the CIDR collections read"},
		{[]string{"import", "-checks", checks, zone}, 2, "", "give one of -endpoint URL and -yaml FILE"},
		{[]string{"import", "-yaml", filepath.Join(dir, "x.yaml"), zone}, 1, "", "not in the health checks read"},
		{withCIDR(with("import", "-checks", checks, "-policies", "../route53/transfer/testdata/trafficpolicy.json",
			"-instances", "../route53/transfer/testdata/trafficpolicyinstances.json", "-wait", zone)...), 0, "traffic policy instance 9c8d7e6f-0000-4000-8000-000000000001 -> ", ""},
		{withCIDR(with("import", "-checks", checks, "-wait", "example.org.="+zone)...), 0, "(existing)", ""},
		{withCIDR("import", "-endpoint", url, "-credentials", filepath.Join(dir, "none"), "-checks", checks, zone), 1, "", "credentials"},
		{with("export", "-dir", exported, "-yaml", filepath.Join(dir, "export.yaml")), 0, "trafficpolicyinstances.json", ""},
		{with("export"), 2, "", "usage"},
		{with("changes", "-since", "1h"), 0, `AKIDTOOLS`, ""},
		{with("changes", "-zone", "example.org", "-max", "1"), 0, `"import 2"`, ""},
		{with("changes", "-since", "soon"), 1, "", "InvalidInput"},
		{with("changes", "revert", "CNOSUCH"), 1, "", "NoSuchChange"},
		{with("changes", "frobnicate"), 2, "", "usage"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args[:min(len(tc.args), 4)], " "), func(t *testing.T) {
			code, out, errOut := runTool(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.erred) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
		})
	}

	// The export reads back; the data files answer alike.
	blocks, _ := filepath.Glob(filepath.Join(exported, "cidrblocks.*.json"))
	if len(blocks) != 1 {
		t.Fatalf("export wrote CIDR blocks %v", blocks)
	}
	newColl := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(blocks[0]), "cidrblocks."), ".json")
	code, out, errOut := runTool(t, "import", "-yaml", filepath.Join(dir, "again.yaml"), "-checks", filepath.Join(exported, "healthchecks.json"),
		"-cidr-collections", filepath.Join(exported, "cidrcollections.json"), "-cidr-blocks", newColl+"="+blocks[0], filepath.Join(exported, "example.org.json"))
	if code != 0 {
		t.Fatalf("import of the export: %d %s %s", code, out, errOut)
	}
	for _, data := range []string{"hand.yaml", "export.yaml", "again.yaml"} {
		code, out, errOut := runTool(t, "explain", "-data", filepath.Join(dir, data), "-geo", "../geo/testdata/demo-city.mmdb", "-ecs", "203.0.113.0/24", "cdn.example.org")
		if code != 0 || !strings.Contains(out, "203.0.113.40") {
			t.Errorf("explain -data %s: %d\n%s%s", data, code, out, errOut)
		}
	}

	// The second import changed nothing but is logged; revert the newest change
	// that did change something: the first import's first batch.
	code, out, _ = runTool(t, with("changes", "-since", "", "-json")...)
	if code != 0 || !strings.Contains(out, `"Comment": "import 1"`) {
		t.Fatalf("changes -json: %d %s", code, out)
	}
	code, out, _ = runTool(t, with("changes", "-since", "")...)
	var importID string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasSuffix(line, `"import 2"`) {
			importID = strings.Fields(line)[1] // the first import's alias batch (the last listed)
		}
	}
	if importID == "" {
		t.Fatalf("no import 2 change in\n%s", out)
	}
	code, out, errOut = runTool(t, with("changes", "revert", importID)...)
	if code != 0 || !strings.Contains(out, "revert of "+importID) {
		t.Errorf("revert %s: %d %s %s", importID, code, out, errOut)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runTool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := tools[args[0]](args[1:], &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExplainAndSimulateCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(data, []byte(`zones:
  example.net:
    records:
      www:
        A:
          failover:
            - {value: 192.0.2.1, check: primary}
            - {value: 192.0.2.2, check: secondary}
`), 0o644)
	os.WriteFile(bad, []byte("zones:\n  example.net:\n    records:\n      www:\n        A: {weight: 300, value: 192.0.2.1}\n"), 0o644)
	city := "../geo/testdata/demo-city.mmdb"

	tests := []struct {
		args       []string
		code       int
		out, erred string
	}{
		{[]string{"explain", "-data", data, "www.example.net"}, 0, "answer    www.example.net.\t60\tIN\tA\t192.0.2.1", ""},
		{[]string{"explain", "-data", data, "-down", "primary", "www.example.net", "A"}, 0, "→ answer 192.0.2.2", ""},
		{[]string{"explain", "-data", data, "-geo", city, "-ecs", "192.0.2.0/24", "www.example.net"}, 0, "location  192.0.2.0: EU DE", ""},
		{[]string{"explain", "-data", data, "nope.example.net", "AAAA"}, 0, "rcode     NXDOMAIN", ""},
		{[]string{"explain", "-data", data, "www.example.org"}, 1, "", "in none of this server's policy zones"},
		{[]string{"explain", "-data", bad, "www.example.net"}, 1, "", "bad.yaml:5"},
		{[]string{"explain", "www.example.net"}, 1, "", "no data"},
		{[]string{"explain", "-data", data, "www.example.net", "BOGUS"}, 2, "", "unknown record type"},
		{[]string{"explain", "-data", data, "-ecs", "192.0.2.0/99", "www.example.net"}, 2, "", "-ecs"},
		{[]string{"simulate", "-data", data, "-down", "primary"}, 0, "192.0.2.1 100%", ""},
		{[]string{"simulate", "-data", data}, 2, "", "usage"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runTool(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.erred) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
		})
	}

	code, out, _ := runTool(t, "simulate", "-data", data, "-down", "primary", "-json")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Errorf("simulate -json: exit %d, %s", code, out)
	}
}

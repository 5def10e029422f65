package transfer

import (
	"bytes"
	"os"
	"testing"

	"github.com/coretraffic/coretraffic/policy"
)

func TestSmoke(t *testing.T) {
	b, err := Read(Files{Zones: []string{"testdata/example.org.json"}, Checks: []string{"testdata/healthchecks.json"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteYAML(&buf, b); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/transfer-smoke.yaml", buf.Bytes(), 0o644)
	if _, _, err := policy.Parse("x.yaml", bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
}

package geo

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

// TestDemoDataUpToDate: the committed demo databases are exactly what
// `go generate ./geo/` produces from geotest.Demo.
func TestDemoDataUpToDate(t *testing.T) {
	for _, f := range geotest.DemoFiles {
		path := filepath.Join(t.TempDir(), f.Name)
		if err := geotest.Write(path, f.DatabaseType, geotest.Demo); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mustRead(t, path), mustRead(t, filepath.Join("testdata", f.Name))) {
			t.Errorf("testdata/%s is stale: run go generate ./geo/ and commit it", f.Name)
		}
	}
}

package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// FuzzParse feeds the parser arbitrary files. It must not panic or hang; an error
// names the file; a success satisfies checkData (trees, RDATA, names).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, tc := range badFiles {
		if len(tc.in) < 2000 {
			f.Add(tc.in)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, _, err := Parse("fuzz.yaml", strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			var he *healthcheck.Error
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") || !errors.As(err, &pe) && !errors.As(err, &he) {
				t.Fatalf("error of type %T without the file name: %v", err, err)
			}
			return
		}
		checkData(t, d)
	})
}

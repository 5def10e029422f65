// Command mkdemo writes the demo databases in geo/testdata from geotest.Demo:
// demo-city.mmdb (GeoLite2-City layout) and demo-asn.mmdb (GeoLite2-ASN
// layout). The output is reproducible (fixed build epoch, sorted keys); run it
// through `go generate ./geo/` and commit the files.
package main

import (
	"flag"
	"log"
	"path/filepath"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

func main() {
	out := flag.String("out", "testdata", "output directory")
	flag.Parse()
	for _, f := range geotest.DemoFiles {
		path := filepath.Join(*out, f.Name)
		if err := geotest.Write(path, f.DatabaseType, geotest.Demo); err != nil {
			log.Fatalf("mkdemo: %s: %v", path, err)
		}
		log.Printf("mkdemo: wrote %s", path)
	}
}

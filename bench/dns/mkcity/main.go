// Command mkcity writes the demo GeoIP table (geo/geotest.Demo, the data behind
// geo/testdata/demo-city.mmdb) as a database of type "GeoLite2-City". The stock
// geoip plugin refuses the demo file's own type ("coretraffic-Demo-City"); with this
// copy geo, geoip and policy in bench/dns all read the same records from one file.
package main

import (
	"flag"
	"log"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

func main() {
	out := flag.String("o", "city.mmdb", "output file")
	flag.Parse()
	if err := geotest.Write(*out, geotest.TypeCity, geotest.Demo); err != nil {
		log.Fatal(err)
	}
}

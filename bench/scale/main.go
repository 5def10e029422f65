// Command scale is the Go half of the scale benchmark (bench/scale/README.md); bench.py
// drives it. Subcommands:
//
//	scale gen      -n N -gen G -checks K -target-ports P,... -o FILE -queries FILE
//	scale checks   -n N -target-ports P,... [-keepalive] -o FILE
//	scale targets  -ports P,... | -n N
//	scale verify   -server ADDR -n N -gen G -samples S
//	scale load     -server ADDR -n N -old G -new G -duration D
//
// gen writes a policy data file with N record sets (a mix of weighted, failover,
// multivalue and plain records) and a dnsperf query file of random names; every answer
// is a function of the record's index and a generation number G, so verify and load
// can tell a right answer from a wrong one, and old data from new, without a table.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = genMain(os.Args[2:])
	case "checks":
		err = checksMain(os.Args[2:])
	case "targets":
		err = targetsMain(os.Args[2:])
	case "verify":
		err = verifyMain(os.Args[2:])
	case "load":
		err = loadMain(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "scale %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: scale gen|checks|targets|verify|load [flags] (see bench/scale/README.md)")
	os.Exit(2)
}

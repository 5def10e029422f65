package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// The benchmark zone: record sets r0 … r(N-1), type A. Every tenth is a weighted pair
// (two SetIdentifiers, 70/30), the others one value. Values are a function of the
// index and a generation, so an answer tells which write it comes from.
const zoneName = "bench.example."

func recordName(i int) string { return fmt.Sprintf("r%d.%s", i, zoneName) }

func weightedSet(i int) bool { return i%10 == 0 }

// value is record i's address in generation gen (0: as loaded); b picks the second
// value of a weighted pair.
func value(i, gen, b int) string {
	return fmt.Sprintf("10.%d.%d.%d", (gen*2+b)%250, i/250%250, i%250)
}

// rrsets are record set i's Route 53 record sets in generation gen.
func rrsets(i, gen int) []types.ResourceRecordSet {
	rs := func(setID string, weight int64, b int) types.ResourceRecordSet {
		r := types.ResourceRecordSet{Name: aws.String(recordName(i)), Type: types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(value(i, gen, b))}}}
		if setID != "" {
			r.SetIdentifier, r.Weight = aws.String(setID), aws.Int64(weight)
		}
		return r
	}
	if weightedSet(i) {
		return []types.ResourceRecordSet{rs("a", 70, 0), rs("b", 30, 1)}
	}
	return []types.ResourceRecordSet{rs("", 0, 0)}
}

// writeYAML writes the same zone (generation 0) as a policy data file.
func writeYAML(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "zones:\n  %s\n    records:\n", zoneName+":")
	for i := range n {
		if weightedSet(i) {
			fmt.Fprintf(w, "      r%d: {A: {ttl: 60, weighted: [{weight: 70, value: %s}, {weight: 30, value: %s}]}}\n", i, value(i, 0, 0), value(i, 0, 1))
		} else {
			fmt.Fprintf(w, "      r%d: {A: {ttl: 60, value: %s}}\n", i, value(i, 0, 0))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// writeQueries writes a dnsperf query file of every record set's name, A.
func writeQueries(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, "%s A\n", recordName(i))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Zone is the origin of the generated data.
const Zone = "scale.test."

// kind of record set i. Out of every 20: 9 weighted, 6 failover (a weighted pair,
// then a single value), 3 plain, 2 multivalue.
type kind int

const (
	kWeighted kind = iota
	kFailover
	kPlain
	kMulti
)

func kindOf(i int) kind {
	switch m := i % 20; {
	case m < 9:
		return kWeighted
	case m < 15:
		return kFailover
	case m < 18:
		return kPlain
	default:
		return kMulti
	}
}

// Expect is what a right answer for record set i holds when every check is up: Count
// A records, each one of Allowed.
type Expect struct {
	Allowed []netip.Addr
	Count   int
}

// addr is leaf j of record set i in generation g: 10+i>>16 . g<<4|j . i>>8 . i.
// Distinct for i < 2^20 (1,048,576), j < 16, g < 16.
func addr(i, j, g int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(10 + i>>16), byte(g<<4 | j), byte(i >> 8), byte(i)})
}

// leaves is the number of leaves of record set i.
func leaves(i int) int {
	switch kindOf(i) {
	case kWeighted:
		return 2 + i%3
	case kFailover:
		return 3
	case kPlain:
		return 1 + i%2
	default:
		return 4
	}
}

func expect(i, g int) Expect {
	e := Expect{Count: 1}
	n := leaves(i)
	switch kindOf(i) {
	case kFailover:
		n = 2 // the weighted primary pair; the secondary only when both are down
	case kPlain:
		e.Count = n
	case kMulti:
		e.Count = 2
	}
	for j := range n {
		e.Allowed = append(e.Allowed, addr(i, j, g))
	}
	return e
}

func name(i int) string { return fmt.Sprintf("r%d", i) }

// recordYAML is record set i as one line of flow YAML under records:.
func recordYAML(i, g, checks int) string {
	chk := func(j int) string { return fmt.Sprintf("ep%d", (i+j)%checks) }
	leaf := func(j int) string {
		if checks == 0 {
			return fmt.Sprintf("value: %s", addr(i, j, g))
		}
		return fmt.Sprintf("value: %s, check: %s", addr(i, j, g), chk(j))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "      %s: {A: ", name(i))
	switch kindOf(i) {
	case kWeighted:
		b.WriteString("{weighted: [")
		for j := range leaves(i) {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{weight: %d, %s}", 10*(j+1), leaf(j))
		}
		b.WriteString("]}")
	case kFailover:
		fmt.Fprintf(&b, "{failover: [{weighted: [{weight: 70, %s}, {weight: 30, %s}]}, {%s}]}", leaf(0), leaf(1), leaf(2))
	case kPlain:
		if leaves(i) == 1 {
			fmt.Fprintf(&b, "{value: %s}", addr(i, 0, g))
		} else {
			fmt.Fprintf(&b, "{values: [%s, %s]}", addr(i, 0, g), addr(i, 1, g))
		}
	case kMulti:
		b.WriteString("{max: 2, multivalue: [")
		for j := range leaves(i) {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%s}", leaf(j))
		}
		b.WriteString("]}")
	}
	b.WriteString("}\n")
	return b.String()
}

func genMain(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 1000, "record sets")
	g := fs.Int("gen", 1, "generation 0..15 (changes every value)")
	checks := fs.Int("checks", 100, "health checks the leaves share (0: none)")
	ports := fs.String("target-ports", "", "comma-separated ports of the HTTP targets the checks probe")
	out := fs.String("o", "", "data file to write (written to FILE.tmp, then renamed)")
	queries := fs.String("queries", "", "also write a dnsperf query file of random names")
	nq := fs.Int("nq", 200000, "names in the query file")
	fs.Parse(args)
	if *out == "" || *n < 1 || *n > 1<<20 || *g < 0 || *g > 15 {
		return fmt.Errorf("need -o, 1 <= -n <= %d, 0 <= -gen <= 15", 1<<20)
	}
	pl, err := parsePorts(*ports)
	if *checks > 0 && (err != nil || len(pl) == 0) {
		return fmt.Errorf("-target-ports: %v (needed when -checks > 0)", err)
	}
	if err := writeAtomic(*out, func(w *bufio.Writer) {
		if *checks > 0 {
			w.WriteString("checks:\n")
			for c := range *checks {
				fmt.Fprintf(w, "  ep%d: {type: http, url: \"http://127.0.0.1:%d/ep%d\", interval: 10s, timeout: 2s}\n",
					c, pl[c%len(pl)], c)
			}
		}
		fmt.Fprintf(w, "zones:\n  %s:\n    ttl: 30\n    records:\n", Zone)
		for i := range *n {
			w.WriteString(recordYAML(i, *g, *checks))
		}
	}); err != nil {
		return err
	}
	// the moment the new data became visible, for the reload measurement
	fmt.Printf("renamed %d\n", time.Now().UnixNano())
	if *queries != "" {
		return writeAtomic(*queries, func(w *bufio.Writer) {
			r := rand.New(rand.NewPCG(uint64(*n), 7))
			for range *nq {
				fmt.Fprintf(w, "%s.%s A\n", name(r.IntN(*n)), Zone)
			}
		})
	}
	return nil
}

// checksMain writes a checks-only data file for the healthcheck directive: N distinct
// HTTP checks (distinct paths) spread over the target ports, 10 s interval.
func checksMain(args []string) error {
	fs := flag.NewFlagSet("checks", flag.ExitOnError)
	n := fs.Int("n", 100, "checks")
	ports := fs.String("target-ports", "", "comma-separated ports of the HTTP targets")
	interval := fs.String("interval", "10s", "check interval")
	keepalive := fs.Bool("keepalive", false, "keepalive: true on every check")
	out := fs.String("o", "", "file to write")
	fs.Parse(args)
	pl, err := parsePorts(*ports)
	if err != nil || len(pl) == 0 || *out == "" {
		return fmt.Errorf("need -o and -target-ports (%v)", err)
	}
	return writeAtomic(*out, func(w *bufio.Writer) {
		w.WriteString("checks:\n")
		for c := range *n {
			fmt.Fprintf(w, "  c%d: {type: http, url: \"http://127.0.0.1:%d/c%d\", interval: %s, timeout: 2s, match: ok, keepalive: %t}\n",
				c, pl[c%len(pl)], c, *interval, *keepalive)
		}
	})
}

// writeAtomic writes path through path.tmp and a rename, so a watcher never reads a
// half-written file.
func writeAtomic(path string, fill func(*bufio.Writer)) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fill(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

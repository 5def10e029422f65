package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy/answer"
)

// tools are the subcommands that read policy data without serving it.
var tools = map[string]func(args []string, stdout, stderr io.Writer) int{
	"explain":  explainCmd,
	"simulate": simulateCmd,
}

// listFlag is a repeatable flag; commas separate values too.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// dataFlags are the flags every tool takes: the data files and geo databases.
type dataFlags struct {
	data, geo, down listFlag
	json            bool
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.Var(&d.data, "data", "policy data `file` (repeatable), as the policy directive's data")
	fs.Var(&d.geo, "geo", "geo database `file` (.mmdb, repeatable), as the geo directive's")
	fs.Var(&d.down, "down", "health checks, node names or endpoint values to take as down (comma-separated, repeatable)")
	fs.BoolVar(&d.json, "json", false, "print JSON")
}

func (d *dataFlags) open() (*answer.Offline, error) {
	if len(d.data) == 0 {
		return nil, errors.New("no data: give -data FILE")
	}
	return answer.NewOffline(d.data, d.geo)
}

func explainCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dataFlags
	d.register(fs)
	source := fs.String("source", "", "the query's source `address` (default: the ECS address, else 127.0.0.1)")
	ecs := fs.String("ecs", "", "the client `subnet` the query carries as EDNS Client Subnet")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coredns explain -data FILE [-geo DB] [-ecs SUBNET] [-source ADDR] [-down CHECKS] [-json] NAME [TYPE]\n\n"+
			"Prints the answer a server with this data gives, and the path each policy tree took to it.\n"+
			"Health checks are not probed: every check is up unless -down names it.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return 2
	}
	q := answer.Question{Name: fs.Arg(0), Type: dns.TypeA, Down: d.down}
	if fs.NArg() == 2 {
		t, ok := dns.StringToType[strings.ToUpper(fs.Arg(1))]
		if !ok {
			fmt.Fprintf(stderr, "explain: unknown record type %q\n", fs.Arg(1))
			return 2
		}
		q.Type = t
	}
	if *ecs != "" {
		p, err := netip.ParsePrefix(*ecs)
		if err != nil {
			fmt.Fprintf(stderr, "explain: -ecs: %v\n", err)
			return 2
		}
		q.ECS, q.Source = p, p.Addr()
	}
	if *source != "" {
		a, err := netip.ParseAddr(*source)
		if err != nil {
			fmt.Fprintf(stderr, "explain: -source: %v\n", err)
			return 2
		}
		q.Source = a
	}
	if !q.Source.IsValid() {
		q.Source = netip.MustParseAddr("127.0.0.1")
	}
	o, err := d.open()
	if err != nil {
		fmt.Fprintf(stderr, "explain: %v\n", err)
		return 1
	}
	defer o.Close()
	x, err := o.Explain(q)
	if err != nil {
		fmt.Fprintf(stderr, "explain: %v\n", err)
		return 1
	}
	if d.json {
		return printJSON(stdout, stderr, x)
	}
	fmt.Fprint(stdout, x)
	return 0
}

func simulateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var d dataFlags
	d.register(fs)
	var subnets listFlag
	fs.Var(&subnets, "ecs", "client `subnets` to simulate besides the continents and the places the data names (repeatable)")
	samples := fs.Int("samples", 200, "answers asked per record set and client class (random choices are measured, not computed)")
	all := fs.Bool("all", false, "print every row, not only the ones that move")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coredns simulate -data FILE -down CHECKS|NODES|VALUES [-geo DB] [-ecs SUBNET]... [-samples N] [-all] [-json]\n\n"+
			"For every record set that chooses an answer, and clients in every continent, every place the data's\n"+
			"geolocation rules name and every -ecs subnet: the answers and their shares with everything up, and with -down down.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || len(d.down) == 0 {
		fs.Usage()
		return 2
	}
	var prefixes []netip.Prefix
	for _, s := range subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			fmt.Fprintf(stderr, "simulate: -ecs: %v\n", err)
			return 2
		}
		prefixes = append(prefixes, p)
	}
	o, err := d.open()
	if err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return 1
	}
	defer o.Close()
	rows, err := o.Simulate(o.Classes(prefixes), d.down, *samples)
	if err != nil {
		fmt.Fprintf(stderr, "simulate: %v\n", err)
		return 1
	}
	if d.json {
		return printJSON(stdout, stderr, rows)
	}
	fmt.Fprint(stdout, answer.FormatSimulation(rows, d.down, *all))
	return 0
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

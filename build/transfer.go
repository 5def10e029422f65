package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/coretraffic/coretraffic/route53/transfer"
)

// The Route 53 data subcommands: import, export and changes (route53/transfer).
func init() {
	tools["import"] = importCmd
	tools["export"] = exportCmd
	tools["changes"] = changesCmd
}

// endpointFlags are the flags of a tool that talks to a running Route 53 API.
type endpointFlags struct {
	endpoint, credentials, profile string
	timeout                        time.Duration
}

func (e *endpointFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.endpoint, "endpoint", "", "`URL` of coretraffic's Route 53 API (the route53api directive's address)")
	fs.StringVar(&e.credentials, "credentials", "", "aws credentials `file` (default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)")
	fs.StringVar(&e.profile, "profile", "", "`profile` of the credentials file (default: AWS_PROFILE, else default)")
	fs.DurationVar(&e.timeout, "timeout", 5*time.Minute, "give up after this `duration`")
}

func (e *endpointFlags) dial() (*transfer.Client, context.Context, context.CancelFunc, error) {
	if e.endpoint == "" {
		return nil, nil, nil, errors.New("no -endpoint URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.timeout)
	c, err := transfer.Dial(ctx, e.endpoint, transfer.Credentials{File: e.credentials, Profile: e.profile})
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return c, ctx, cancel, nil
}

// parseInterleaved parses flags that may follow positional arguments
// (`changes revert ID -endpoint URL`) and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func importCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var e endpointFlags
	e.register(fs)
	var files transfer.Files
	yamlOut := fs.String("yaml", "", "write a policy data `file` (policy { data FILE } serves the same answers)")
	fs.Var((*listFlag)(&files.Checks), "checks", "`file` of `aws route53 list-health-checks` output (repeatable)")
	fs.Var((*listFlag)(&files.Policies), "policies", "`file` of `aws route53 get-traffic-policy` or list-traffic-policy-versions output (repeatable)")
	fs.Var((*listFlag)(&files.Instances), "instances", "`file` of `aws route53 list-traffic-policy-instances` output (repeatable)")
	fs.Var((*listFlag)(&files.Collections), "cidr-collections", "`file` of `aws route53 list-cidr-collections` output (repeatable)")
	fs.Var((*listFlag)(&files.Blocks), "cidr-blocks", "`ID=FILE`: `aws route53 list-cidr-blocks --collection-id ID` output (repeatable)")
	wait := fs.Bool("wait", false, "with -endpoint: wait until the server answers with every change (INSYNC)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coredns import (-endpoint URL | -yaml FILE) [-checks FILE] [-policies FILE] [-instances FILE]\n"+
			"         [-cidr-collections FILE -cidr-blocks ID=FILE...] [ZONE=]RECORDSETS.json...\n\n"+
			"Reads what `aws route53 list-resource-record-sets` printed (one file per zone; the zone is the SOA's name\n"+
			"unless given as ZONE=FILE), list-health-checks and get-traffic-policy, and writes it through a running\n"+
			"server's Route 53 API (zones created when absent; health checks get new IDs, record sets are rewritten\n"+
			"to them) or into a policy data file.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	files.Zones = pos
	if (e.endpoint == "") == (*yamlOut == "") {
		fmt.Fprintln(stderr, "import: give one of -endpoint URL and -yaml FILE")
		fs.Usage()
		return 2
	}
	b, err := transfer.Read(files)
	if err != nil {
		fmt.Fprintf(stderr, "import: %v\n", err)
		return 1
	}
	if *yamlOut != "" {
		if err := writeYAMLFile(*yamlOut, b); err != nil {
			fmt.Fprintf(stderr, "import: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: %d zones, %d health checks, %d traffic policy instances\n", *yamlOut, len(b.Zones), len(b.Checks), len(b.Instances))
		return 0
	}
	c, ctx, cancel, err := e.dial()
	if err != nil {
		fmt.Fprintf(stderr, "import: %v\n", err)
		return 1
	}
	defer cancel()
	res, err := c.Import(ctx, b)
	if res != nil {
		printImported(stdout, res)
	}
	if err == nil && *wait {
		err = c.WaitInsync(ctx, res.Changes, e.timeout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "import: %v\n", err)
		return 1
	}
	return 0
}

func printImported(w io.Writer, res *transfer.Imported) {
	old := make([]string, 0, len(res.CheckIDs))
	for id := range res.CheckIDs {
		old = append(old, id)
	}
	sort.Strings(old)
	for _, id := range old {
		fmt.Fprintf(w, "health check %s -> %s\n", id, res.CheckIDs[id])
	}
	names := make([]string, 0, len(res.ZoneIDs))
	for n := range res.ZoneIDs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		how := "existing"
		if res.Created[n] {
			how = "created"
		}
		fmt.Fprintf(w, "zone %s %s (%s)\n", n, res.ZoneIDs[n], how)
	}
	for _, m := range []struct {
		what string
		ids  map[string]string
	}{{"CIDR collection", res.CollectionIDs}, {"traffic policy", res.PolicyIDs}, {"traffic policy instance", res.InstanceIDs}} {
		old := make([]string, 0, len(m.ids))
		for id := range m.ids {
			old = append(old, id)
		}
		sort.Strings(old)
		for _, id := range old {
			fmt.Fprintf(w, "%s %s -> %s\n", m.what, id, m.ids[id])
		}
	}
	for _, id := range res.Changes {
		fmt.Fprintf(w, "change %s\n", id)
	}
}

func writeYAMLFile(path string, b *transfer.Bundle) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := transfer.WriteYAML(f, b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func exportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var e endpointFlags
	e.register(fs)
	dir := fs.String("dir", "", "write the aws CLI's JSON into `directory`: ZONE.json per zone (list-resource-record-sets), healthchecks.json (list-health-checks)")
	yamlOut := fs.String("yaml", "", "write a policy data `file` of the same data")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coredns export -endpoint URL [-dir DIR] [-yaml FILE]\n\n"+
			"Writes a running server's hosted zones and health checks as the aws CLI prints them, and as policy data.\n"+
			"`coredns import` reads both back.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || (*dir == "" && *yamlOut == "") {
		fs.Usage()
		return 2
	}
	c, ctx, cancel, err := e.dial()
	if err != nil {
		fmt.Fprintf(stderr, "export: %v\n", err)
		return 1
	}
	defer cancel()
	b, err := c.Export(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "export: %v\n", err)
		return 1
	}
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			fmt.Fprintf(stderr, "export: %v\n", err)
			return 1
		}
		paths, err := transfer.WriteCLI(*dir, b)
		if err != nil {
			fmt.Fprintf(stderr, "export: %v\n", err)
			return 1
		}
		for _, p := range paths {
			fmt.Fprintf(stdout, "wrote %s\n", p)
		}
	}
	if *yamlOut != "" {
		if err := writeYAMLFile(*yamlOut, b); err != nil {
			fmt.Fprintf(stderr, "export: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", *yamlOut)
	}
	return 0
}

func changesCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("changes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var e endpointFlags
	e.register(fs)
	var f transfer.ChangeFilter
	fs.StringVar(&f.Since, "since", "7d", "changes submitted since this age (7d, 36h, 2w) or RFC 3339 `time`; \"\" for all")
	fs.StringVar(&f.Zone, "zone", "", "only the changes of this hosted `zone` (ID or name)")
	fs.IntVar(&f.MaxItems, "max", 100, "at most this `many` changes (1..1000)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coredns changes [-since 7d] [-zone Z] [-max N] [-json] -endpoint URL\n"+
			"       coredns changes revert CHANGE-ID -endpoint URL\n\n"+
			"Lists the change batches a running server applied, newest first: time, ID, caller (access key ID),\n"+
			"zone, comment, and the record sets removed (-) and added (+). revert applies a change's inverse as a\n"+
			"new change, refused when the zone has changed since in a way that conflicts.\n\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	switch {
	case len(pos) == 2 && pos[0] == "revert":
	case len(pos) == 0:
	default:
		fs.Usage()
		return 2
	}
	c, ctx, cancel, err := e.dial()
	if err != nil {
		fmt.Fprintf(stderr, "changes: %v\n", err)
		return 1
	}
	defer cancel()
	if len(pos) == 2 {
		info, err := c.Revert(ctx, pos[1])
		if err != nil {
			fmt.Fprintf(stderr, "changes revert %s: %v\n", pos[1], err)
			return 1
		}
		if *asJSON {
			return printJSON(stdout, stderr, info)
		}
		fmt.Fprintf(stdout, "%s %s %s %q\n", info.Id, info.Status, info.SubmittedAt, info.Comment)
		return 0
	}
	list, err := c.Changes(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "changes: %v\n", err)
		return 1
	}
	if *asJSON {
		return printJSON(stdout, stderr, list.Changes)
	}
	if err := transfer.FormatChanges(stdout, list.Changes); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if list.IsTruncated {
		fmt.Fprintf(stdout, "(more changes: only the newest %s are listed; narrow -since or raise -max)\n", list.MaxItems)
	}
	return 0
}

package main

import (
	"fmt"
	"slices"
)

// insertion places one of our directives next to a stock anchor directive.
type insertion struct {
	name   string
	anchor string
	after  bool // true: right after anchor; false: right before it
}

// ourDirectives says where each coretraffic directive runs in the plugin chain.
// geo sits next to stock geoip so that metadata and everything after it can read the
// client's location; healthcheck and policy answer where authoritative data plugins do,
// right before file. Order within this list matters for inserts at the same anchor:
// healthcheck lands before policy. route53api and console add no handler to the chain
// (they serve HTTP); they sit with ours so that `coredns -plugins` lists them there.
var ourDirectives = []insertion{
	{name: "geo", anchor: "geoip", after: true},
	{name: "healthcheck", anchor: "file"},
	{name: "policy", anchor: "file"},
	{name: "route53api", anchor: "file"},
	{name: "console", anchor: "file"},
}

// coretrafficDirectives returns a new list: stock with ours inserted by anchor name.
// It never modifies stock and fails when an anchor is missing or a name is taken, so a
// CoreDNS upgrade that renames a plugin stops the binary at start (main: log.Fatal) and
// fails directives_test.go, instead of silently dropping or misplacing one.
func coretrafficDirectives(stock []string) ([]string, error) {
	out := slices.Clone(stock)
	for _, ins := range ourDirectives {
		if slices.Contains(out, ins.name) {
			return nil, fmt.Errorf("directive %q already present in the stock list", ins.name)
		}
		i := slices.Index(out, ins.anchor)
		if i < 0 {
			return nil, fmt.Errorf("anchor directive %q for %q not found in the stock list", ins.anchor, ins.name)
		}
		if ins.after {
			i++
		}
		out = slices.Insert(out, i, ins.name)
	}
	return out, nil
}

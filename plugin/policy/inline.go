package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coredns/caddy"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
)

// inlineRecords collects the compact Corefile form of record sets:
//
//	weighted NAME TYPE VALUE[=WEIGHT][@CHECK]...
//	failover NAME TYPE VALUE[@CHECK]...
type inlineRecords struct {
	origins []string
	records map[string][]*policy.RecordSet // by origin
}

func (in *inlineRecords) add(c *caddy.Controller) error {
	kind := c.Val()
	args := c.RemainingArgs()
	if len(args) < 3 {
		return c.ArgErr()
	}
	name, origin, ok := fqdnIn(args[0], in.origins)
	if !ok {
		return c.Errf("%s: %s is not in the zones of this block %v", kind, args[0], in.origins)
	}
	if _, err := policy.OwnerName(name, origin); err != nil {
		return c.Errf("%s: %v", kind, err)
	}
	typ, ok := policy.RecordType(args[1])
	if !ok {
		return c.Errf("%s: unknown record type %q (want %s)", kind, args[1], strings.Join(policy.RecordTypeNames(), " "))
	}
	pos := policy.Pos{File: c.File(), Line: c.Line()}
	root := &policy.Node{Pos: pos, Rule: policy.RuleWeighted}
	if kind == "failover" {
		root.Rule = policy.RuleFailover
	}
	for _, a := range args[2:] {
		leaf, err := inlineLeaf(kind, a, pos)
		if err == nil {
			err = policy.CheckRdata(name, typ, leaf.Value)
		}
		if err != nil {
			return c.Errf("%s %s: %v", kind, args[0], err)
		}
		root.Children = append(root.Children, leaf)
	}
	for _, rs := range in.records[origin] {
		if rs.Name == name && rs.Type == typ {
			return c.Errf("%s: %s %s defined twice", kind, name, args[1])
		}
	}
	if in.records == nil {
		in.records = map[string][]*policy.RecordSet{}
	}
	in.records[origin] = append(in.records[origin], &policy.RecordSet{Pos: pos, Name: name, Type: typ, TTL: policy.DefaultTTL, Root: root})
	return nil
}

// inlineLeaf parses VALUE[=WEIGHT][@CHECK]; '=' and '@' occur in neither addresses
// nor host names. Other RDATA may hold them (SPF "v=spf1", a NAPTR regexp
// "!^.*$!sip:info@example.net!"): only the last '@' followed by a check name and
// the last '=' followed by digits are split off.
func inlineLeaf(kind, arg string, pos policy.Pos) (*policy.Node, error) {
	n := &policy.Node{Pos: pos, Rule: policy.RuleLeaf, Weight: 1}
	if i := strings.LastIndexByte(arg, '@'); i >= 0 && checkName(arg[i+1:]) {
		if i+1 == len(arg) {
			return nil, fmt.Errorf("%q: empty check name after @", arg)
		}
		arg, n.Check = arg[:i], arg[i+1:]
	}
	// The last "=" starts a weight only when digits follow: SPF and NAPTR values
	// hold "=" of their own ("v=spf1").
	if i := strings.LastIndexByte(arg, '='); i >= 0 && allDigits(arg[i+1:]) {
		v, w := arg[:i], arg[i+1:]
		if kind != "weighted" {
			return nil, fmt.Errorf("%q: =WEIGHT only for weighted", arg)
		}
		weight, err := strconv.Atoi(w)
		if err != nil || weight < 0 || weight > policy.MaxWeight {
			return nil, fmt.Errorf("%q: weight must be 0..%d", arg, policy.MaxWeight)
		}
		arg, n.Weight = v, weight
	}
	if arg == "" {
		return nil, fmt.Errorf("empty value")
	}
	n.Value = arg
	return n, nil
}

// checkName reports whether s can be a health check's name; empty counts, for the
// error above.
func checkName(s string) bool { return s == "" || hc.ValidName(s) }

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// data turns the collected records into zones, one per origin used.
func (in *inlineRecords) data() *policy.Data {
	d := &policy.Data{}
	for _, o := range in.origins {
		if rs := in.records[o]; len(rs) > 0 {
			d.Zones = append(d.Zones, &policy.Zone{Origin: o, TTL: policy.DefaultTTL, Records: rs})
		}
	}
	return d
}

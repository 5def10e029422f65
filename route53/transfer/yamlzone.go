package transfer

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"

	"github.com/coretraffic/coretraffic/policy"
)

// zoneWriter writes policy zones; the one latency table their latency nodes use
// becomes the file's (a data file has one).
type zoneWriter struct {
	checks *checkWriter
	table  *policy.LatencyTable
	used   map[string]bool // the regions latency children are in: the table's columns
	// collections are the CIDR collections ip nodes name.
	collections map[string]bool
}

// zone writes a zone under zones: — its settings, then its record sets an
// owner at a time (all types of an owner together).
func (w *zoneWriter) zone(out io.Writer, pz *policy.Zone) error {
	m := mapping()
	add(m, "ttl", integer(int64(pz.TTL)))
	if s := pz.SOA; s != nil {
		soa := mapping()
		add(soa, "mname", str(s.MName))
		add(soa, "rname", str(s.RName))
		add(soa, "serial", integer(int64(s.Serial)))
		add(soa, "refresh", integer(int64(s.Refresh)))
		add(soa, "retry", integer(int64(s.Retry)))
		add(soa, "expire", integer(int64(s.Expire)))
		add(soa, "minimum", integer(int64(s.Minimum)))
		add(m, "soa", soa)
	}
	add(m, "records", mapping()) // replaced by the owners below
	origin := mapping()
	add(origin, strings.TrimSuffix(pz.Origin, "."), m)
	var buf bytes.Buffer
	if err := encodeInto(&buf, origin, "  "); err != nil {
		return err
	}
	head := strings.TrimSuffix(buf.String(), "{}\n") + "\n"
	if _, err := io.WriteString(out, head); err != nil {
		return err
	}
	var order []string
	owners := map[string]*yaml.Node{}
	for _, rs := range pz.Records {
		owner, ok := owners[rs.Name]
		if !ok {
			owner = mapping()
			owners[rs.Name] = owner
			order = append(order, rs.Name)
		}
		n, err := w.node(rs.Root, policy.RuleLeaf)
		if err != nil {
			return fmt.Errorf("%s %s: %w", rs.Name, dns.TypeToString[rs.Type], err)
		}
		add(n, "ttl", integer(int64(rs.TTL)))
		add(owner, dns.TypeToString[rs.Type], n)
	}
	for _, name := range order {
		one := mapping()
		add(one, name, owners[name])
		if err := encodeInto(out, one, "      "); err != nil {
			return err
		}
	}
	return nil
}

// node writes a node; parent is its parent's rule (RuleLeaf at the root), which
// decides the keys that place it (weight, match, region, location).
func (w *zoneWriter) node(n *policy.Node, parent policy.Rule) (*yaml.Node, error) {
	m := mapping()
	if n.Name != "" {
		add(m, "name", str(n.Name))
	}
	if err := w.placement(m, n, parent); err != nil {
		return nil, err
	}
	switch n.Rule {
	case policy.RuleLeaf:
		add(m, "value", str(n.Value))
		if n.Check != "" {
			add(m, "check", str(w.checks.checkName(n.Check)))
		}
		if len(m.Content) <= 8 {
			flow(m)
		}
		return m, nil
	case policy.RuleAlias:
		add(m, "alias", str(n.Alias))
		if n.EvaluateTargetHealth {
			add(m, "evaluate_target_health", boolean(true))
		}
		return m, nil
	case policy.RuleSimple:
		if plainLeaves(n.Children) {
			vals := flow(seq())
			for _, c := range n.Children {
				vals.Content = append(vals.Content, str(c.Value))
			}
			add(m, "values", vals)
			return m, w.allDown(m, n)
		}
	case policy.RuleIP:
		if n.Collection == nil {
			return nil, fmt.Errorf("an ip node without a collection")
		}
		if w.collections == nil {
			w.collections = map[string]bool{}
		}
		w.collections[n.Collection.Name] = true
		add(m, "collection", str(n.Collection.Name))
	}
	children := seq()
	for _, c := range n.Children {
		cn, err := w.node(c, n.Rule)
		if err != nil {
			return nil, err
		}
		children.Content = append(children.Content, cn)
	}
	add(m, n.Rule.String(), children)
	switch n.Rule {
	case policy.RuleMultivalue:
		if n.Max != 0 {
			add(m, "max", integer(int64(n.Max)))
		}
	case policy.RuleWeighted:
		if n.Sticky {
			add(m, "sticky", boolean(true))
			add(m, "sticky_prefix", str(fmt.Sprintf("%d/%d", n.StickyBits4, n.StickyBits6)))
		}
	case policy.RuleLatency:
		add(m, "source", str(n.Source.String()))
		if h := n.Hysteresis; h != (policy.Hysteresis{}) {
			hy := flow(mapping())
			add(hy, "percent", integer(int64(h.Percent)))
			add(hy, "ms", float(h.MS))
			add(m, "hysteresis", hy)
		}
		if n.Table != nil {
			if w.table != nil && w.table != n.Table {
				return nil, fmt.Errorf("latency nodes use two different latency tables (record sets' and traffic policies'): a data file has one")
			}
			w.table = n.Table
		}
	}
	return m, w.allDown(m, n)
}

// placement writes what places a child in its parent's rule.
func (w *zoneWriter) placement(m *yaml.Node, n *policy.Node, parent policy.Rule) error {
	switch parent {
	case policy.RuleWeighted:
		add(m, "weight", integer(int64(n.Weight)))
	case policy.RuleGeolocation:
		g := n.Geo
		switch {
		case g.Default:
			add(m, "default", boolean(true))
		case g.Subdivision != "":
			add(m, "subdivision", str(g.Subdivision))
		case g.Country != "":
			add(m, "country", str(g.Country))
		case g.Continent != "":
			add(m, "continent", str(g.Continent))
		}
		if g.City != "" {
			add(m, "city", str(g.City))
		}
	case policy.RuleGeoproximity:
		add(m, "lat", float(n.Place.Lat))
		add(m, "lon", float(n.Place.Lon))
		if n.Place.Bias != 0 {
			add(m, "bias", integer(int64(n.Place.Bias)))
		}
	case policy.RuleLatency:
		if n.Place.Region == "" {
			return fmt.Errorf("a latency child without a region")
		}
		add(m, "region", str(n.Place.Region))
		if w.used == nil {
			w.used = map[string]bool{}
		}
		w.used[n.Place.Region] = true
	case policy.RuleIP:
		add(m, "location", str(n.Location))
	}
	return nil
}

var allDownNames = map[policy.AllDown]string{policy.AllDownNoData: "nodata", policy.AllDownServFail: "servfail",
	policy.AllDownRefused: "refused", policy.AllDownNXDomain: "nxdomain"}

func (w *zoneWriter) allDown(m *yaml.Node, n *policy.Node) error {
	switch n.AllDown {
	case policy.AllDownOpen:
	case policy.AllDownValue:
		v := flow(mapping())
		add(v, "value", str(n.Fallback))
		add(m, "all_down", v)
	default:
		add(m, "all_down", str(allDownNames[n.AllDown]))
	}
	return nil
}

// plainLeaves reports whether a simple node's children can be a values: list.
func plainLeaves(children []*policy.Node) bool {
	for _, c := range children {
		if c.Rule != policy.RuleLeaf || c.Check != "" || c.Name != "" || c.AllDown != policy.AllDownOpen {
			return false
		}
	}
	return len(children) > 0
}

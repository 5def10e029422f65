package transfer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// WriteYAML writes b as one policy data file (policy/FORMAT.md): its health checks
// under checks: named by their IDs, each zone translated as the API's replica
// translates it (route53.ToPolicy), traffic policy instances as the record sets
// their documents make (trafficflow.RecordSet), and the regions and latency table
// those trees use. `policy { data FILE }` then serves the answers the API would.
func WriteYAML(w io.Writer, b *Bundle) error {
	cw := newCheckWriter()
	ordered, err := orderChecks(b.Checks)
	if err != nil {
		return err
	}
	for _, h := range ordered {
		if err := cw.check(h); err != nil {
			return err
		}
	}
	zw := &zoneWriter{checks: cw}
	// Zones are encoded a record set owner at a time and indented into place: the
	// YAML encoder slows down quadratically with the size of one document.
	var zones bytes.Buffer
	for _, z := range b.Zones {
		pz, err := b.policyZone(&z)
		if err != nil {
			return err
		}
		if err := zw.zone(&zones, pz); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	head := mapping()
	if len(cw.node.Content) > 0 {
		add(head, "checks", cw.node)
	}
	if len(zw.collections) > 0 {
		var used []*route53.CidrCollection
		for _, c := range b.Collections {
			if zw.collections[c.Name] {
				used = append(used, c)
			}
		}
		section, err := cidrSection(used)
		if err != nil {
			return err
		}
		add(head, "cidr_collections", section)
	}
	if zw.table != nil {
		regions, latency := tableNodes(zw.table, zw.used)
		add(head, "regions", regions)
		add(head, "latency", latency)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("# coretraffic policy data written by `coredns export` / `coredns import -yaml`.\n")
	if len(head.Content) > 0 {
		if err := encodeInto(bw, head, ""); err != nil {
			return err
		}
	}
	bw.WriteString("zones:\n")
	if len(b.Zones) == 0 {
		bw.WriteString("  {}\n")
	}
	bw.Write(zones.Bytes())
	return bw.Flush()
}

// encodeInto writes n as YAML with every line indented by indent.
func encodeInto(w io.Writer, n *yaml.Node, indent string) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	for _, line := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if _, err := io.WriteString(w, indent); err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// policyZone is z as the replica serves it, with the record sets of its traffic
// policy instances.
func (b *Bundle) policyZone(z *Zone) (*policy.Zone, error) {
	id := z.ID
	if id == "" {
		id = "ZIMPORT"
	}
	pz, _, err := route53.ToPolicy(&route53.Zone{ID: id, Name: z.Name}, plainRecordSets(z), b.Collections)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	for _, in := range b.Instances {
		if b.zoneOf(in.Name).Name != z.Name {
			continue
		}
		rs, err := trafficflow.InstanceRecordSet(b.policy(in.TrafficPolicyId), in, trafficflow.Options{})
		if err != nil {
			return nil, fmt.Errorf("traffic policy instance %s: %w", in.Id, err)
		}
		for _, o := range pz.Records {
			if o.Name == rs.Name && o.Type == rs.Type {
				return nil, fmt.Errorf("traffic policy instance %s: %s %s is a record set of the zone too", in.Id, in.Name, dns.TypeToString[rs.Type])
			}
		}
		pz.Records = append(pz.Records, rs)
	}
	return pz, nil
}

// tableNodes writes a latency table's regions: and latency: sections: every row
// (a client's row is the nearest row region) and the columns of the regions used.
func tableNodes(t *policy.LatencyTable, used map[string]bool) (regions, latency *yaml.Node) {
	regions, latency = mapping(), mapping()
	for _, row := range t.Rows {
		r := flow(mapping())
		add(r, "lat", float(row.From.Lat))
		add(r, "lon", float(row.From.Lon))
		add(regions, row.From.Name, r)
		ms := flow(mapping())
		for _, col := range t.Rows {
			if v, ok := row.MS[col.From.Name]; ok && used[col.From.Name] {
				add(ms, col.From.Name, float(v))
			}
		}
		add(latency, row.From.Name, ms)
	}
	return regions, latency
}

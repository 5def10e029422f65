package transfer

import (
	"fmt"
	"io"
	"strings"

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
	zones := mapping()
	for _, z := range b.Zones {
		pz, err := b.policyZone(&z)
		if err != nil {
			return err
		}
		zn, err := zw.zone(pz)
		if err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
		add(zones, strings.TrimSuffix(pz.Origin, "."), zn)
	}
	doc := mapping()
	if len(cw.node.Content) > 0 {
		add(doc, "checks", cw.node)
	}
	if zw.table != nil {
		regions, latency := tableNodes(zw.table, zw.used)
		add(doc, "regions", regions)
		add(doc, "latency", latency)
	}
	add(doc, "zones", zones)
	if _, err := io.WriteString(w, "# coretraffic policy data written by `coredns export` / `coredns import -yaml`.\n"); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return err
	}
	return enc.Close()
}

// policyZone is z as the replica serves it, with the record sets of its traffic
// policy instances.
func (b *Bundle) policyZone(z *Zone) (*policy.Zone, error) {
	id := z.ID
	if id == "" {
		id = "ZIMPORT"
	}
	pz, _, err := route53.ToPolicy(&route53.Zone{ID: id, Name: z.Name}, z.RecordSets, nil)
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", z.Name, err)
	}
	for _, in := range b.Instances {
		if b.zoneOf(in.Name).Name != z.Name {
			continue
		}
		pv := b.policyVersion(in.TrafficPolicyId, in.TrafficPolicyVersion)
		doc, err := trafficflow.Parse([]byte(pv.Document))
		if err != nil {
			return nil, fmt.Errorf("traffic policy %s version %d: %w", in.TrafficPolicyId, pv.Version, err)
		}
		rs, err := trafficflow.RecordSet(doc, route53.PolicyName(in.Name), uint32(in.TTL), trafficflow.Options{})
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

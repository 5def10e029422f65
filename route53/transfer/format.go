package transfer

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
)

// FormatChanges writes changes as `coredns changes` prints them: per change a
// line of time, ID, caller, zone and comment, then the record sets it removed
// (-) and added (+), a record set it replaced as its old and new line.
func FormatChanges(w io.Writer, changes []route53.ChangeRecord) error {
	for _, c := range changes {
		caller := c.Caller
		if caller == "" {
			caller = "-"
		}
		line := fmt.Sprintf("%s  %s  %s  %s", c.SubmittedAt, c.Id, caller, c.HostedZoneId)
		if c.Comment != "" {
			line += "  " + strconv.Quote(c.Comment)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		for _, d := range Diff(c.Before, c.After) {
			if _, err := fmt.Fprintf(w, "    %s\n", d); err != nil {
				return err
			}
		}
	}
	return nil
}

// Diff lists what changed between before and after (the record sets a change
// replaced or deleted, and those it wrote): "- " lines for the removed, "+ " for
// the added, grouped by record set in ListResourceRecordSets order.
func Diff(before, after []route53.ResourceRecordSet) []string {
	type pair struct{ old, new *route53.ResourceRecordSet }
	byKey := map[string]*pair{}
	var all []route53.ResourceRecordSet
	key := func(rs *route53.ResourceRecordSet) string {
		return rs.Name + "\x00" + rs.Type + "\x00" + rs.SetIdentifier
	}
	for i := range before {
		p := &pair{old: &before[i]}
		byKey[key(&before[i])] = p
		all = append(all, before[i])
	}
	for i := range after {
		k := key(&after[i])
		if p, ok := byKey[k]; ok {
			p.new = &after[i]
			continue
		}
		byKey[k] = &pair{new: &after[i]}
		all = append(all, after[i])
	}
	route53.SortRecordSets(all)
	var out []string
	for i := range all {
		p := byKey[key(&all[i])]
		if p.old != nil {
			out = append(out, "- "+Describe(p.old))
		}
		if p.new != nil {
			out = append(out, "+ "+Describe(p.new))
		}
	}
	return out
}

// Describe writes a record set on one line: name, type, set identifier and
// routing field, TTL, values or alias target, health check.
func Describe(rs *route53.ResourceRecordSet) string {
	parts := []string{rs.Name, rs.Type}
	if rs.SetIdentifier != "" {
		parts = append(parts, "["+rs.SetIdentifier+"]")
	}
	switch {
	case rs.Weight != nil:
		parts = append(parts, "weight="+strconv.FormatInt(*rs.Weight, 10))
	case rs.Failover != "":
		parts = append(parts, "failover="+rs.Failover)
	case rs.Region != "":
		parts = append(parts, "region="+rs.Region)
	case rs.GeoLocation != nil:
		g := rs.GeoLocation
		parts = append(parts, "geo="+strings.Trim(strings.Join([]string{g.ContinentCode, g.CountryCode, g.SubdivisionCode}, "-"), "-"))
	case rs.GeoProximityLocation != nil:
		b, _ := json.Marshal(rs.GeoProximityLocation)
		parts = append(parts, "geoproximity="+string(b))
	case rs.MultiValueAnswer != nil && *rs.MultiValueAnswer:
		parts = append(parts, "multivalue")
	case rs.CidrRoutingConfig != nil:
		parts = append(parts, "cidr="+rs.CidrRoutingConfig.CollectionId+"/"+rs.CidrRoutingConfig.LocationName)
	}
	if rs.TTL != nil {
		parts = append(parts, "ttl="+strconv.FormatInt(*rs.TTL, 10))
	}
	if a := rs.AliasTarget; a != nil {
		parts = append(parts, "alias="+a.DNSName)
		if a.EvaluateTargetHealth {
			parts = append(parts, "evaluate-target-health")
		}
	}
	for _, r := range rs.ResourceRecords {
		parts = append(parts, strconv.Quote(r.Value))
	}
	if rs.HealthCheckId != "" {
		parts = append(parts, "check="+rs.HealthCheckId)
	}
	return strings.Join(parts, " ")
}

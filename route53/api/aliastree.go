package api

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// checkAliasTrees refuses a batch after which an alias record set would compile to
// a tree past policy.MaxTreeNodes: every alias inlines its target's whole tree, so
// aliases to aliases grow as 2^n (a few dozen record sets reach it), and the
// replica would refuse that revision and every later one. next holds every alias
// of the zone and its targets (batchNames reads them), so the trees are complete;
// instance gives a traffic policy instance's tree (nil: one node).
func checkAliasTrees(z *route53.Zone, next []route53.ResourceRecordSet, instance func(id string) *policy.RecordSet) *apierr.Error {
	type key struct {
		name string
		typ  uint16
	}
	groups := map[key][]*route53.ResourceRecordSet{}
	byName := map[[2]string][]*route53.ResourceRecordSet{}
	var aliases []key // the groups with an alias, whatever their other members
	hasAlias := map[key]bool{}
	for i := range next {
		rs := &next[i]
		typ, ok := dns.StringToType[rs.Type]
		if !ok {
			continue
		}
		k := key{strings.ToLower(route53.PolicyName(rs.Name)), typ}
		if rs.AliasTarget != nil && !hasAlias[k] {
			hasAlias[k] = true
			aliases = append(aliases, k)
		}
		groups[k] = append(groups[k], rs)
		byName[[2]string{rs.Name, rs.Type}] = append(byName[[2]string{rs.Name, rs.Type}], rs)
	}
	ttlOf := route53.GroupTTL(func(name, typ string) []*route53.ResourceRecordSet { return byName[[2]string{name, typ}] })
	size := map[key]int{}
	var sizeOf func(k key) int
	var count func(n *policy.Node, typ uint16) int
	sizeOf = func(k key) int {
		if n, ok := size[k]; ok {
			return n
		}
		size[k] = 1 // a cycle (refused elsewhere) counts once
		recs := groups[k]
		n := 1
		switch {
		case len(recs) == 0:
		case recs[0].TrafficPolicyInstanceId != "":
			if rs := instance(recs[0].TrafficPolicyInstanceId); rs != nil && rs.Root != nil {
				n = count(rs.Root, k.typ)
			}
		default:
			if rs, err := route53.GroupToPolicy(z, recs, ttlOf, nil); err == nil && rs.Root != nil {
				n = count(rs.Root, k.typ)
			}
		}
		size[k] = n
		return n
	}
	count = func(n *policy.Node, typ uint16) int {
		c := 1
		if n.Alias != "" {
			c += sizeOf(key{n.Alias, typ})
		}
		for _, ch := range n.Children {
			c += count(ch, typ)
			if c > policy.MaxTreeNodes {
				return c
			}
		}
		return c
	}
	var msgs []string
	for _, k := range aliases {
		if n := sizeOf(k); n > policy.MaxTreeNodes {
			rs := groups[k][0]
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s, type %s cannot be served: following its aliases inlines more than %d nodes (each alias answers with its target's whole routing tree)",
				rs.Name, rs.Type, policy.MaxTreeNodes))
		}
	}
	if len(msgs) > 0 {
		return apierr.InvalidChangeBatch(msgs...)
	}
	return nil
}

// txInstanceTree reads a traffic policy instance's tree from the store, as the
// replica compiles it; nil when it does not translate (then it has no record set).
func txInstanceTree(rd store.Reader) func(id string) *policy.RecordSet {
	return func(id string) *policy.RecordSet {
		var in trafficflow.TrafficPolicyInstance
		var p catalog.TrafficPolicy
		if !getJSON(rd, catalog.InstanceKey(id), &in) || !getJSON(rd, catalog.TrafficPolicyKey(in.TrafficPolicyId), &p) {
			return nil
		}
		rs, err := trafficflow.InstanceRecordSet(&p.Policy, &in, trafficflow.Options{})
		if err != nil {
			return nil
		}
		return rs
	}
}

func getJSON(rd store.Reader, key string, v any) bool {
	b, ok, err := rd.Get(key)
	return err == nil && ok && json.Unmarshal(b, v) == nil
}

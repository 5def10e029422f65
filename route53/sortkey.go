package route53

import "github.com/coretraffic/coretraffic/policy"

// SortKey is name as ListResourceRecordSets sorts it (labels reversed, dots kept):
// a store that keys record sets by it lists them in Route 53's order.
func SortKey(name string) string { return sortKey(name) }

// GroupTTL is the TTL of a name and type of a zone, found through groupOf: its value
// records' TTL, else (aliases only) its alias target's, as Route 53 answers an alias
// with its target's TTL. It is the ttlOf of GroupToPolicy for a caller that keeps the
// zone's record sets grouped its own way.
func GroupTTL(groupOf func(name, typ string) []*ResourceRecordSet) func(name, typ string) (int64, bool) {
	var ttl func(name, typ string, depth int) (int64, bool)
	ttl = func(name, typ string, depth int) (int64, bool) {
		recs := groupOf(name, typ)
		for _, rs := range recs {
			if rs.TTL != nil {
				return *rs.TTL, true
			}
		}
		if depth > policy.MaxChildren {
			return 0, false
		}
		for _, rs := range recs {
			if rs.AliasTarget != nil {
				return ttl(rs.AliasTarget.DNSName, rs.Type, depth+1)
			}
		}
		return 0, false
	}
	return func(name, typ string) (int64, bool) { return ttl(name, typ, 0) }
}

// PolicyName is a normalized Route 53 name as the policy model writes owners
// (miekg/dns presentation form): the name of the policy record sets ToPolicy and
// GroupToPolicy make of it.
func PolicyName(name string) string { return dnsName(name) }

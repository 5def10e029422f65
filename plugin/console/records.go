package console

import (
	"context"
	"net/http"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/store"
	"github.com/miekg/dns"
)

// recordRef names the Route 53 record set a tree node comes from: what the editor
// changes to change the node.
type recordRef struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	SetIdentifier string `json:"set_identifier,omitempty"`
}

// nodeRecords finds each node's record set. A tree from Route 53's flat form is a
// group per owner: a routing node whose children are the record sets (labelled by
// their SetIdentifiers), or a single record set's node; an alias node's child is the
// root of its target's group. Nodes below a record set's node (the leaves of a
// record set of several values) belong to it. A claim is kept only when the store
// holds that record set outside a traffic policy instance. Node ids may collide
// across alias targets (two targets' "primary"); records do not.
func nodeRecords(view []policy.NodeView, owner string, typ string) []*recordRef {
	refs := make([]*recordRef, len(view))
	ownerOf := make([]string, len(view))
	groupRoot := make([]bool, len(view))
	for i, v := range view {
		switch {
		case v.Parent < 0:
			ownerOf[i], groupRoot[i] = owner, true
		case view[v.Parent].Rule == policy.RuleAlias:
			ownerOf[i], groupRoot[i] = view[v.Parent].Alias, true
		default:
			ownerOf[i] = ownerOf[v.Parent]
		}
		switch {
		case groupRoot[i] && !routingRule(v.Rule):
			refs[i] = &recordRef{Name: ownerOf[i], Type: typ}
		case v.Parent >= 0 && groupRoot[v.Parent] && routingRule(view[v.Parent].Rule):
			refs[i] = &recordRef{Name: ownerOf[i], Type: typ, SetIdentifier: v.Label}
		case v.Parent >= 0 && !groupRoot[i]:
			refs[i] = refs[v.Parent]
		}
	}
	return refs
}

// routingRule reports whether a group's root is a routing policy (children are record
// sets), as route53.GroupToPolicy builds them.
func routingRule(r policy.Rule) bool {
	switch r {
	case policy.RuleWeighted, policy.RuleFailover, policy.RuleGeolocation, policy.RuleGeoproximity,
		policy.RuleLatency, policy.RuleMultivalue, policy.RuleIP:
		return true
	}
	return false
}

// storedRecords are the record set keys of the served hosted zone of origin at the
// owners given (policy names), without traffic policy instances' sets.
func storedRecords(ctx context.Context, st store.Store, origin string, owners map[string]bool) (map[recordRef]bool, error) {
	out := map[recordRef]bool{}
	_, err := st.View(ctx, func(rd store.Reader) error {
		var served *catalog.Zone
		err := scanJSON(rd, catalog.ZonePrefix, func(z *catalog.Zone) bool {
			if route53.PolicyName(z.Name) == origin && (served == nil || z.Created.Before(served.Created) ||
				z.Created.Equal(served.Created) && z.ID < served.ID) {
				served = z
			}
			return true
		})
		if err != nil || served == nil {
			return err
		}
		for o := range owners {
			name, ok := route53.NormalizeName(o)
			if !ok {
				continue
			}
			if err := scanJSON(rd, catalog.NameRecords(served.ID, name), func(rs *route53.ResourceRecordSet) bool {
				if rs.TrafficPolicyInstanceId == "" {
					out[recordRef{Name: route53.PolicyName(rs.Name), Type: rs.Type, SetIdentifier: rs.SetIdentifier}] = true
				}
				return true
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// checkRefs maps health check IDs to their CallerReference, the name people gave them.
func checkRefs(ctx context.Context, st store.Store) map[string]string {
	out := map[string]string{}
	for id, c := range storedChecks(ctx, st) {
		out[id] = c.CallerReference
	}
	return out
}

// storedChecks are the store's health checks by ID.
func storedChecks(ctx context.Context, st store.Store) map[string]*checks.HealthCheck {
	out := map[string]*checks.HealthCheck{}
	_, _ = st.View(ctx, func(rd store.Reader) error {
		return scanJSON(rd, catalog.HealthCheckPrefix, func(c *checks.HealthCheck) bool {
			out[c.ID] = c
			return true
		})
	})
	return out
}

// addRecords adds the record sets and check names to the tree's nodes.
func (s *Server) addRecords(r *http.Request, origin string, set *policy.Set, view []policy.NodeView, nodes []nodeDoc) {
	refs := nodeRecords(view, set.Name, dns.TypeToString[set.Type])
	owners := map[string]bool{}
	for _, ref := range refs {
		if ref != nil {
			owners[ref.Name] = true
		}
	}
	have, err := storedRecords(r.Context(), s.cfg.Store, origin, owners)
	if err != nil {
		return
	}
	for i, ref := range refs {
		if ref != nil && have[*ref] {
			nodes[i].Record = ref
		}
	}
	names := checkRefs(r.Context(), s.cfg.Store)
	for i := range nodes {
		if c := nodes[i].Check; c != "" {
			nodes[i].CheckName = names[c]
		}
	}
}

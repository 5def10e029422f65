package route53

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/policy/cidr"
	"github.com/coretraffic/coretraffic/route53/apierr"

	"go.yaml.in/yaml/v3"
)

// PolicyCollections turns CIDR collections into the policy's, named by their
// Route 53 names. They are built through the policy data format's own parser (a
// cidr_collections: section), the one validator of collections, which also
// indexes their locations for ip nodes. An empty collection has no policy
// counterpart: ip nodes of record sets that use it hold only "*" children and get
// a collection of no blocks, written as an empty file would be.
func PolicyCollections(colls []*CidrCollection) (map[string]*policy.CIDRCollection, error) {
	m, err := policyCollections(colls)
	if err != nil {
		return nil, apierr.InvalidInput("%s", err.Error())
	}
	return m, nil
}

func policyCollections(colls []*CidrCollection) (map[string]*policy.CIDRCollection, error) {
	out := make(map[string]*policy.CIDRCollection, len(colls))
	if len(colls) == 0 {
		return out, nil
	}
	section := map[string]any{}
	for _, c := range colls {
		locs := map[string][]string{}
		for _, l := range slices.Sorted(maps.Keys(c.Locations)) {
			if len(c.Locations[l]) > 0 {
				locs[l] = c.Locations[l]
			}
		}
		if len(locs) == 0 {
			continue
		}
		section[c.Name] = map[string]any{"locations": locs}
	}
	if len(section) > 0 {
		doc, err := yaml.Marshal(map[string]any{"cidr_collections": section})
		if err != nil {
			return nil, err
		}
		d, _, err := policy.Parse("route53 cidr collections", bytes.NewReader(doc))
		if err != nil {
			return nil, fmt.Errorf("CIDR collections: %w", err)
		}
		for _, pc := range d.CIDRCollections {
			out[pc.Name] = pc
		}
	}
	for _, c := range colls {
		if _, ok := out[c.Name]; !ok {
			pc, err := emptyCollection(c.Name)
			if err != nil {
				return nil, err
			}
			out[c.Name] = pc
		}
	}
	return out, nil
}

// emptyCollection is a collection without blocks. The parser refuses an empty
// locations: mapping, but a collection without locations needs no location index,
// so it is built directly.
func emptyCollection(name string) (*policy.CIDRCollection, error) {
	set, err := cidr.NewBuilder(name).Build()
	if err != nil {
		return nil, err
	}
	return &policy.CIDRCollection{Name: name, Set: set}, nil
}

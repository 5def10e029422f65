package console

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// nodeDoc is one node of GET /api/tree (API.md).
type nodeDoc struct {
	ID     string `json:"id"`    // unique in the tree (nodeIDs)
	Label  string `json:"label"` // the node's name, else its tree path
	Parent string `json:"parent"`
	Index  int    `json:"index"`
	Rule   string `json:"rule"`
	Up     bool   `json:"up"`

	Value     string `json:"value,omitempty"`
	Check     string `json:"check,omitempty"`
	CheckName string `json:"check_name,omitempty"` // the check's CallerReference

	Record *recordRef `json:"record,omitempty"` // the Route 53 record set it comes from

	Weight   *int      `json:"weight,omitempty"`
	Share    *float64  `json:"share,omitempty"`
	Tier     int       `json:"tier,omitempty"`
	Geo      *geoDoc   `json:"geo,omitempty"`
	Place    *placeDoc `json:"place,omitempty"`
	Location string    `json:"location,omitempty"`
	CIDRs    []string  `json:"cidrs,omitempty"` // the location's blocks

	Max        int    `json:"max,omitempty"`
	Sticky     bool   `json:"sticky,omitempty"`
	Collection string `json:"collection,omitempty"`
	Alias      string `json:"alias,omitempty"`
	ETH        bool   `json:"evaluate_target_health,omitempty"`
	AllDown    string `json:"all_down,omitempty"`
	Fallback   string `json:"fallback,omitempty"`
}

type geoDoc struct {
	Continent   string `json:"continent,omitempty"`
	Country     string `json:"country,omitempty"`
	Subdivision string `json:"subdivision,omitempty"`
	City        string `json:"city,omitempty"`
	Default     bool   `json:"default,omitempty"`
}

type placeDoc struct {
	Region string   `json:"region,omitempty"`
	Lat    *float64 `json:"lat,omitempty"`
	Lon    *float64 `json:"lon,omitempty"`
	Bias   *int     `json:"bias,omitempty"`
}

type edgeDoc struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label,omitempty"`
}

var allDownNames = map[policy.AllDown]string{policy.AllDownOpen: "open", policy.AllDownNoData: "nodata",
	policy.AllDownServFail: "servfail", policy.AllDownRefused: "refused", policy.AllDownNXDomain: "nxdomain", policy.AllDownValue: "value"}

func (s *Server) tree(w http.ResponseWriter, r *http.Request) {
	p, ok := s.current(w)
	if !ok {
		return
	}
	set, z, ok := findSet(w, r, p.Snap)
	if !ok {
		return
	}
	view := set.Tree.View()
	nodes, edges := treeGraph(view, nodeIDs(view, set.Label))
	s.addCIDRs(r, nodes)
	s.addRecords(r, z.Origin, set, view, nodes)
	root := ""
	if len(nodes) > 0 {
		root = nodes[0].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"set": set.Label, "zone": z.Origin, "ttl": set.TTL, "revision": p.Revision,
		"root": root, "nodes": nodes, "edges": edges})
}

// treeGraph turns a tree's view into API.md's nodes and edges.
func treeGraph(view []policy.NodeView, ids []string) ([]nodeDoc, []edgeDoc) {
	nodes := make([]nodeDoc, len(view))
	totals := map[int]int{} // weighted parent → sum of its children's weights
	for _, v := range view {
		if v.Parent >= 0 && view[v.Parent].Rule == policy.RuleWeighted {
			totals[v.Parent] += v.Weight
		}
	}
	edges := make([]edgeDoc, 0, len(view))
	for i, v := range view {
		n := nodeDoc{ID: ids[i], Label: v.Label, Index: v.Index, Rule: v.Rule.String(), Up: v.Up, Value: v.Value, Check: v.Check,
			Max: v.Max, Sticky: v.Sticky, Collection: v.Collection, Alias: v.Alias, ETH: v.ETH, Fallback: v.Fallback}
		if v.Rule != policy.RuleLeaf {
			n.AllDown = allDownNames[v.AllDown]
		}
		label := ""
		if v.Parent >= 0 {
			n.Parent = ids[v.Parent]
			switch view[v.Parent].Rule {
			case policy.RuleWeighted:
				wt := v.Weight
				share := 0.0
				if t := totals[v.Parent]; t > 0 {
					share = float64(wt) / float64(t)
				}
				n.Weight, n.Share = &wt, &share
				label = fmt.Sprintf("%d (%.1f%%)", wt, 100*share)
			case policy.RuleFailover:
				n.Tier = v.Index + 1
				label = tierName(n.Tier)
			case policy.RuleGeolocation:
				if g := v.Geo; g != nil {
					n.Geo = &geoDoc{Continent: g.Continent, Country: g.Country, Subdivision: g.Subdivision, City: g.City, Default: g.Default}
					label = geoLabel(g)
				}
			case policy.RuleGeoproximity:
				if pl := v.Place; pl != nil {
					lat, lon, bias := pl.Lat, pl.Lon, pl.Bias
					n.Place = &placeDoc{Region: pl.Region, Lat: &lat, Lon: &lon, Bias: &bias}
					label = pl.Region
					if label == "" {
						label = fmt.Sprintf("%.2f,%.2f", lat, lon)
					}
					if bias != 0 {
						label += fmt.Sprintf(" bias %+d", bias)
					}
				}
			case policy.RuleLatency:
				if pl := v.Place; pl != nil {
					n.Place = &placeDoc{Region: pl.Region}
					label = pl.Region
				}
			case policy.RuleIP:
				n.Location = v.Location
				label = v.Location
			}
			edges = append(edges, edgeDoc{From: n.Parent, To: n.ID, Label: label})
		}
		nodes[i] = n
	}
	return nodes, edges
}

// addCIDRs gives the children of ip nodes their location's blocks, from the
// store's CIDR collections (by name, as the replica names them for the policy).
func (s *Server) addCIDRs(r *http.Request, nodes []nodeDoc) {
	want := map[string]bool{}
	for _, n := range nodes {
		if n.Collection != "" {
			want[n.Collection] = true
		}
	}
	if len(want) == 0 {
		return
	}
	colls := map[string]*route53.CidrCollection{}
	_, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		return scanJSON(rd, catalog.CidrCollections, func(c *route53.CidrCollection) bool {
			if want[c.Name] {
				colls[c.Name] = c
			}
			return true
		})
	})
	if err != nil {
		return // the tree is drawn without blocks
	}
	byID := map[string]int{}
	for i, n := range nodes {
		byID[n.ID] = i
	}
	for i, n := range nodes {
		if n.Location == "" || n.Location == policy.DefaultLocation {
			continue
		}
		if p, ok := byID[n.Parent]; ok {
			if c := colls[nodes[p].Collection]; c != nil {
				nodes[i].CIDRs = c.Locations[n.Location]
			}
		}
	}
}

func tierName(t int) string {
	switch t {
	case 1:
		return "primary"
	case 2:
		return "secondary"
	}
	return "tier " + strconv.Itoa(t)
}

func geoLabel(g *policy.GeoMatch) string {
	switch {
	case g.City != "":
		return g.City
	case g.Subdivision != "":
		return g.Subdivision
	case g.Country != "":
		return g.Country
	case g.Continent != "":
		return g.Continent
	}
	return "default"
}

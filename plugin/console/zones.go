package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// zoneDoc is one hosted zone in GET /api/zones.
type zoneDoc struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	RecordSets int64  `json:"record_sets"`
	Comment    string `json:"comment,omitempty"`
}

func (s *Server) zones(w http.ResponseWriter, r *http.Request) {
	var out []zoneDoc
	rev, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		return scanJSON(rd, catalog.ZonePrefix, func(z *catalog.Zone) bool {
			out = append(out, zoneDoc{ID: z.ID, Name: z.Name, RecordSets: z.Sets, Comment: z.Comment})
			return true
		})
	})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if out == nil {
		out = []zoneDoc{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"revision": rev, "zones": out})
}

// groupDoc is one (name, type) of a zone: one policy tree.
type groupDoc struct {
	Name       string                      `json:"name"`
	Type       string                      `json:"type"`
	Routing    string                      `json:"routing"`
	Set        string                      `json:"set"`
	RecordSets []route53.ResourceRecordSet `json:"record_sets"`
}

func (s *Server) recordSets(w http.ResponseWriter, r *http.Request) {
	id := route53.TrimZoneID(r.PathValue("zone"))
	var z *catalog.Zone
	var groups []*groupDoc
	rev, err := s.cfg.Store.View(r.Context(), func(rd store.Reader) error {
		b, ok, err := rd.Get(catalog.ZoneKey(id))
		if err != nil {
			return err
		}
		if !ok {
			return route53.NoSuchHostedZone(id)
		}
		z = &catalog.Zone{}
		if err := json.Unmarshal(b, z); err != nil {
			return err
		}
		return scanJSON(rd, catalog.ZoneRecords(id), func(rs *route53.ResourceRecordSet) bool {
			if n := len(groups); n > 0 && groups[n-1].Name == rs.Name && groups[n-1].Type == rs.Type {
				groups[n-1].RecordSets = append(groups[n-1].RecordSets, *rs)
				return true
			}
			groups = append(groups, &groupDoc{Name: rs.Name, Type: rs.Type, Routing: routing(rs), Set: setLabel(rs.Name, rs.Type),
				RecordSets: []route53.ResourceRecordSet{*rs}})
			return true
		})
	})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if groups == nil {
		groups = []*groupDoc{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"zone": map[string]string{"id": z.ID, "name": z.Name}, "revision": rev, "groups": groups})
}

// setLabel is the policy label of a Route 53 (name, type): "www.example.net./A".
func setLabel(name, typ string) string {
	return strings.ToLower(route53.PolicyName(name)) + "/" + typ
}

// routing names a record set's routing policy as API.md does.
func routing(rs *route53.ResourceRecordSet) string {
	switch {
	case rs.Weight != nil:
		return "weighted"
	case rs.Failover != "":
		return "failover"
	case rs.GeoLocation != nil:
		return "geolocation"
	case rs.GeoProximityLocation != nil:
		return "geoproximity"
	case rs.Region != "":
		return "latency"
	case rs.MultiValueAnswer != nil && *rs.MultiValueAnswer:
		return "multivalue"
	case rs.CidrRoutingConfig != nil:
		return "ip"
	}
	return "simple"
}

// scanJSON decodes every value under prefix into a new T.
func scanJSON[T any](rd store.Reader, prefix string, fn func(*T) bool) error {
	var derr error
	err := rd.Scan(prefix, "", func(_ string, value []byte) bool {
		v := new(T)
		if derr = json.Unmarshal(value, v); derr != nil {
			return false
		}
		return fn(v)
	})
	if err != nil {
		return err
	}
	return derr
}

package console

import (
	"net/http"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/miekg/dns"
)

// current is the snapshot DNS serves now, or a 503 answered.
func (s *Server) current(w http.ResponseWriter) (*replica.Published, bool) {
	if s.cfg.Replica == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "no replica")
		return nil, false
	}
	p := s.cfg.Replica.Current()
	if p == nil || p.Snap == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the store is not loaded yet")
		return nil, false
	}
	return p, true
}

// findSet finds the record set a request names: set=NAME/TYPE, or name= and type=.
// It answers the error itself.
func findSet(w http.ResponseWriter, r *http.Request, snap *policy.Snapshot) (*policy.Set, *policy.CompiledZone, bool) {
	q := r.URL.Query()
	name, typ := q.Get("name"), q.Get("type")
	if set := q.Get("set"); set != "" {
		i := strings.LastIndexByte(set, '/')
		if i < 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "set: want NAME/TYPE, like www.example.net./A")
			return nil, nil, false
		}
		name, typ = set[:i], set[i+1:]
	}
	if name == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "give set=NAME/TYPE or name= and type=")
		return nil, nil, false
	}
	if typ == "" {
		typ = "A"
	}
	t, ok := dns.StringToType[strings.ToUpper(typ)]
	if !ok {
		writeError(w, http.StatusBadRequest, "bad_request", "type: unknown record type "+typ)
		return nil, nil, false
	}
	name = strings.ToLower(dns.Fqdn(name))
	z := snap.Zone(name)
	if z == nil {
		writeError(w, http.StatusNotFound, "not_found", name+" is in no served zone")
		return nil, nil, false
	}
	set := z.Set(name, t)
	if set == nil {
		writeError(w, http.StatusNotFound, "not_found", "no record set "+name+" "+dns.TypeToString[t])
		return nil, nil, false
	}
	return set, z, true
}

// setByLabel finds a record set by its label ("www.example.net./A"), nil if none.
func setByLabel(snap *policy.Snapshot, label string) *policy.Set {
	i := strings.LastIndexByte(label, '/')
	if i < 0 {
		return nil
	}
	t, ok := dns.StringToType[label[i+1:]]
	z := snap.Zone(label[:i])
	if !ok || z == nil {
		return nil
	}
	return z.Set(label[:i], t)
}

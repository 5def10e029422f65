package policy

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/miekg/dns"
)

// The explain endpoint: GET /explain?name=www.example.net&type=A&ecs=192.0.2.0/24
// [&source=ADDR][&down=check1,check2][&format=text]. It answers from the running
// server's data and live health, through the same code that answers queries, and
// is off unless a policy block names an address (`explain ADDR`).

// explainSite is one instance's explain endpoint on one address: the policy blocks
// of the Corefile that name it. The listener is a shared one (internal/lifecycle): a
// reload switches it to the new instance's site without closing the port, and a
// failed reload switches it back.
type explainSite struct {
	targets []*explainTarget // in Corefile order; fixed once setup is over
}

// explainTarget is a policy block that serves explain questions: its data and how its
// block's geo directive places clients.
type explainTarget struct {
	p   *Policy
	cfg *dnsserver.Config
}

type explainKey struct{ addr string }

// addExplain adds p to the explain endpoint its block names, registering the
// endpoint on the instance's listener for that address on first use.
func addExplain(c *caddy.Controller, cfg *dnsserver.Config, p *Policy) error {
	key := explainKey{p.explainAddr}
	site, ok := c.Get(key).(*explainSite)
	if !ok {
		site = &explainSite{}
		c.Set(key, site)
		if err := lifecycle.HTTP(c, p.explainAddr).Handle("/explain", site); err != nil {
			return err
		}
	}
	site.targets = append(site.targets, &explainTarget{p: p, cfg: cfg})
	return nil
}

// locate is how the block's geo directive places clients, or nil without one. The
// chain is read per question: it is fixed once the instance has started.
func (t *explainTarget) locate() answer.Locator {
	if g, ok := t.cfg.Handler("geo").(interface {
		Locate(netip.Addr, *geo.ECS) (geo.Client, error)
	}); ok {
		return g.Locate
	}
	return nil
}

// target returns the last block whose data holds qname.
func (s *explainSite) target(qname string) (*explainTarget, *loaded) {
	for i := len(s.targets) - 1; i >= 0; i-- {
		if ld := s.targets[i].p.snap.Load(); ld != nil && ld.Snap.Zone(qname) != nil {
			return s.targets[i], ld
		}
	}
	return nil, nil
}

// ServeHTTP implements http.Handler.
func (s *explainSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/explain" {
		http.NotFound(w, r)
		return
	}
	q, err := answer.ParseQuestion(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t, ld := s.target(strings.ToLower(dns.Fqdn(q.Name)))
	if t == nil {
		http.Error(w, q.Name+" is in no policy zone served here", http.StatusNotFound)
		return
	}
	if err := answer.CheckDown(ld.DownKeys(), q.Down); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	x, err := answer.Explain(&ld.Data, t.locate(), t.p.Fall.Through, q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(x.String()))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(x)
}

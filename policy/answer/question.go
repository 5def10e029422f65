package answer

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"github.com/miekg/dns"
)

// ParseQuestion reads a Question from an explain query string: name (required), type
// (default A), ecs, source (default: the ECS address, else 127.0.0.1), down.
func ParseQuestion(v url.Values) (Question, error) {
	q := Question{Name: v.Get("name"), Type: dns.TypeA}
	if q.Name == "" {
		return q, errors.New("name is required: /explain?name=www.example.net&type=A&ecs=192.0.2.0/24")
	}
	if t := v.Get("type"); t != "" {
		qt, ok := dns.StringToType[strings.ToUpper(t)]
		if !ok {
			return q, errors.New("type: unknown record type " + t)
		}
		q.Type = qt
	}
	if e := v.Get("ecs"); e != "" {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return q, errors.New("ecs: " + err.Error())
		}
		q.ECS = p
		q.Source = p.Addr()
	}
	if s := v.Get("source"); s != "" {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return q, errors.New("source: " + err.Error())
		}
		q.Source = a
	}
	if !q.Source.IsValid() {
		q.Source = netip.MustParseAddr("127.0.0.1")
	}
	if d := v.Get("down"); d != "" {
		q.Down = strings.Split(d, ",")
	}
	return q, nil
}

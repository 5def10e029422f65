package transfer

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
)

// checkWriter turns Route 53 health checks into the checks: section.
type checkWriter struct {
	node  *yaml.Node
	names map[string]bool
}

func newCheckWriter() *checkWriter { return &checkWriter{node: mapping(), names: map[string]bool{}} }

// alwaysUp is the suffix of the helper check a constantly unhealthy check is
// built on (see check).
const alwaysUp = ".up"

// check writes hc under its ID. A check Route 53 holds constantly unhealthy
// (disabled and inverted, or a CALCULATED one fixed unhealthy by its
// HealthThreshold), which the engine gets as an override and a spec cannot say, is
// written as a calculated check of one disabled (so always healthy) child,
// inverted: unhealthy, whatever is probed.
func (w *checkWriter) check(h checks.HealthCheck) error {
	spec, err := checks.ToSpec(h.ID, h.HealthCheckConfig)
	if err != nil {
		return err
	}
	if checks.Forced(h.HealthCheckConfig) == hc.OverrideDown {
		up := h.ID + alwaysUp
		w.add(up, flow(specNode(hc.Spec{Type: hc.TypeTCP, Target: "127.0.0.1:9", Disabled: true})))
		w.add(h.ID, flow(specNode(hc.Spec{Type: hc.TypeCalculated, Children: []string{up}, MinHealthy: 1, Invert: true})))
		return nil
	}
	w.add(h.ID, flow(specNode(spec)))
	return nil
}

// all writes the check that is up while every one of ids is: a traffic policy's
// leaf behind several health checks (trafficflow joins them with "&").
func (w *checkWriter) all(ids []string) string {
	name := "all_" + strings.Join(ids, "_")
	if !w.names[name] {
		w.add(name, flow(specNode(hc.Spec{Type: hc.TypeCalculated, Children: ids, MinHealthy: len(ids)})))
	}
	return name
}

func (w *checkWriter) add(name string, n *yaml.Node) {
	w.names[name] = true
	add(w.node, name, n)
}

// checkName is the name a leaf's check has in the data file.
func (w *checkWriter) checkName(c string) string {
	if !strings.Contains(c, "&") {
		return c
	}
	return w.all(strings.Split(c, "&"))
}

// specNode writes the fields of a spec that ToSpec sets (healthcheck/FORMAT.md).
func specNode(s hc.Spec) *yaml.Node {
	m := mapping()
	add(m, "type", str(string(s.Type)))
	switch s.Type {
	case hc.TypeHTTP, hc.TypeHTTPS:
		add(m, "url", str(s.URL))
		if s.Address != "" {
			add(m, "address", str(s.Address))
		}
		if s.SNI != "" {
			add(m, "sni", str(s.SNI))
		}
		if s.TLSSkipVerify {
			add(m, "tls_skip_verify", boolean(true))
		}
		if s.Match != "" {
			add(m, "match", str(s.Match))
			add(m, "match_limit", integer(int64(s.MatchLimit)))
		}
	case hc.TypeTCP:
		add(m, "target", str(s.Target))
	case hc.TypeCalculated:
		children := flow(seq())
		for _, c := range s.Children {
			children.Content = append(children.Content, str(c))
		}
		add(m, "children", children)
		add(m, "min_healthy", integer(int64(s.MinHealthy)))
	}
	if s.Type != hc.TypeCalculated && s.Interval > 0 {
		add(m, "interval", str(s.Interval.String()))
		add(m, "timeout", str(s.Timeout.String()))
		add(m, "connect_timeout", str(s.ConnectTimeout.String()))
		add(m, "rise", integer(int64(s.Rise)))
		add(m, "fall", integer(int64(s.Fall)))
	}
	if s.Initial != "" {
		add(m, "initial", str(string(s.Initial)))
	}
	if s.Invert {
		add(m, "invert", boolean(true))
	}
	if s.Disabled {
		add(m, "disabled", boolean(true))
	}
	return m
}

// orderChecks puts children before their calculated parents, else by ID, so the
// file reads top down the same way every export.
func orderChecks(list []checks.HealthCheck) ([]checks.HealthCheck, error) {
	byID := map[string]checks.HealthCheck{}
	for _, h := range list {
		byID[h.ID] = h
	}
	ids := make([]string, 0, len(list))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []checks.HealthCheck
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("health check %s: its children form a cycle", id)
		case 2:
			return nil
		}
		h, ok := byID[id]
		if !ok {
			return fmt.Errorf("health check %s is not in the health checks", id)
		}
		state[id] = 1
		for _, c := range h.HealthCheckConfig.ChildHealthChecks {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[id] = 2
		out = append(out, h)
		return nil
	}
	for _, id := range ids {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

package policy

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// KubeSource is where a kubernetes: node takes its values: the addresses of a
// Service's load balancer (status.loadBalancer.ingress[].ip) or of its ready
// endpoints, on the apiserver a kubeconfig, context or endpoint names (in-cluster
// when none is given). The library only describes it; the plugin watches it
// (healthcheck/kube) and calls ExpandKube before every Compile.
type KubeSource struct {
	Namespace, Name string
	From            string // KubeFromLoadBalancer or KubeFromEndpoints
	Port            string // endpoints: a Service port name or number; "" for any
	Kubeconfig      string
	Context         string
	Endpoint        string
}

// Where a kubernetes: node takes its addresses.
const (
	KubeFromLoadBalancer = "loadbalancer"
	KubeFromEndpoints    = "endpoints"
)

// kube reads kubernetes: {service: ns/name, from: …, port: …, kubeconfig: …,
// context: …, endpoint: …} into a simple node without children.
func (p *parser) kube(c nodeCtx, nd *Node, re pair, rpath string) error {
	if c.rs.Type != dns.TypeA && c.rs.Type != dns.TypeAAAA {
		return p.errf(re.k.Line, rpath, "kubernetes: gives addresses, so only an A or AAAA record set may use it, not %s", typeName(c.rs.Type))
	}
	es, err := p.mapping(re.v, rpath, "want a mapping with service: and from:")
	if err != nil {
		return err
	}
	k := &KubeSource{}
	for _, e := range es {
		fp := join(rpath, e.key)
		var v string
		switch e.key {
		case "service", "from", "port", "kubeconfig", "context", "endpoint":
			if v, err = p.text(e.v, fp, e.key); err != nil {
				return err
			}
		default:
			return p.errf(e.k.Line, fp, "unknown key (want %s)", strings.Join(kubeKeys, ", "))
		}
		switch e.key {
		case "service":
			ns, name, ok := strings.Cut(v, "/")
			if !ok || !healthcheck.KubeName(ns) || !healthcheck.KubeName(name) {
				return p.errf(e.v.Line, fp, "want the Service as namespace/name (DNS labels), got %q", v)
			}
			k.Namespace, k.Name = ns, name
		case "from":
			if v != KubeFromLoadBalancer && v != KubeFromEndpoints {
				return p.errf(e.v.Line, fp, "want loadbalancer or endpoints, got %q", v)
			}
			k.From = v
		case "port":
			if !healthcheck.KubePort(v) {
				return p.errf(e.v.Line, fp, "want a port name or number, got %q", v)
			}
			k.Port = v
		case "kubeconfig":
			k.Kubeconfig = v
		case "context":
			k.Context = v
		case "endpoint":
			k.Endpoint = v
		}
	}
	switch {
	case k.Name == "":
		return p.errf(re.v.Line, rpath, "missing service: (namespace/name)")
	case k.From == "":
		return p.errf(re.v.Line, rpath, "missing from: (loadbalancer or endpoints)")
	case k.Port != "" && k.From != KubeFromEndpoints:
		return p.errf(re.v.Line, join(rpath, "port"), "port: goes with from: endpoints")
	case k.Context != "" && k.Kubeconfig == "":
		return p.errf(re.v.Line, join(rpath, "context"), "context: needs kubeconfig:")
	}
	nd.Kube = k
	return nil
}

// KubeNodes lists the kubernetes: nodes of d, in zone and record set order.
func KubeNodes(d *Data) []*Node {
	var out []*Node
	walkKube(d, func(_ *RecordSet, n *Node) { out = append(out, n) })
	return out
}

// ExpandKube gives every kubernetes: node of d the addresses addrs reports for its
// source as leaf children, those of the record set's family (A: IPv4, AAAA: IPv6).
// A node without addresses has no child: it is down, and its parent moves on.
func ExpandKube(d *Data, addrs func(*KubeSource) []netip.Addr) {
	walkKube(d, func(rs *RecordSet, n *Node) {
		n.Children = n.Children[:0]
		for _, a := range addrs(n.Kube) {
			if a.Is4() != (rs.Type == dns.TypeA) || a.Is4In6() {
				continue
			}
			n.Children = append(n.Children, &Node{Pos: n.Pos, Rule: RuleLeaf, Value: a.String(), Listed: true})
		}
	})
}

func walkKube(d *Data, fn func(*RecordSet, *Node)) {
	var walk func(rs *RecordSet, n *Node)
	walk = func(rs *RecordSet, n *Node) {
		if n == nil {
			return
		}
		if n.Kube != nil {
			fn(rs, n)
			return
		}
		for _, c := range n.Children {
			walk(rs, c)
		}
	}
	for _, z := range d.Zones {
		for _, rs := range z.Records {
			walk(rs, rs.Root)
		}
	}
}

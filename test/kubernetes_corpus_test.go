package test

import (
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// kubeQuery is one query of the cluster-DNS corpus.
type kubeQuery struct {
	name   string
	qname  string
	qtype  uint16
	proto  string // "udp" (default) or "tcp"
	do     bool   // EDNS0 with the DO bit
	expect string // a substring both answers must contain
}

// kubeCorpus covers what a cluster asks its DNS: Services of every kind, their
// ports and endpoints, pods, reverse lookups, misses, and the names a resolver
// builds by appending search domains (ndots:5) before it tries the name as given.
func kubeCorpus(o kubeObjects) []kubeQuery {
	web := "web.shop.svc.cluster.local."
	v4, v6 := o.webIPs[0], o.webIPs[1]
	rev := func(ip string) string { r, _ := dns.ReverseAddr(ip); return r }
	return []kubeQuery{
		{name: "ClusterIP A", qname: web, qtype: dns.TypeA, expect: "\t30\tIN\tA\t" + v4},
		{name: "ClusterIP AAAA", qname: web, qtype: dns.TypeAAAA, expect: v6},
		{name: "ClusterIP TCP", qname: web, qtype: dns.TypeA, proto: "tcp", expect: v4},
		{name: "ClusterIP DO", qname: web, qtype: dns.TypeA, do: true, expect: v4},
		{name: "ClusterIP upper case", qname: "WEB.Shop.svc.CLUSTER.local.", qtype: dns.TypeA, expect: v4},
		{name: "ClusterIP NODATA", qname: web, qtype: dns.TypeMX, expect: "ns.dns.cluster.local."},
		{name: "SRV named port tcp", qname: "_http._tcp." + web, qtype: dns.TypeSRV, expect: " 80 web.shop.svc.cluster.local."},
		{name: "SRV named port udp", qname: "_dns._udp." + web, qtype: dns.TypeSRV, expect: "53 web.shop.svc.cluster.local."},
		{name: "SRV all ports", qname: web, qtype: dns.TypeSRV, expect: " 80 "},
		{name: "SRV wrong protocol", qname: "_http._udp." + web, qtype: dns.TypeSRV, expect: "NXDOMAIN"},
		{name: "headless A", qname: "db.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "10.244.2.21"},
		{name: "headless AAAA", qname: "db.shop.svc.cluster.local.", qtype: dns.TypeAAAA, expect: "fd00:10:244::20"},
		{name: "headless SRV", qname: "_pg._tcp.db.shop.svc.cluster.local.", qtype: dns.TypeSRV, expect: "5432 db-1.db.shop.svc.cluster.local."},
		{name: "headless hostname", qname: "db-0.db.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "10.244.2.20"},
		{name: "headless dashed IP", qname: "10-244-2-22.db.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "10.244.2.22"},
		{name: "headless not ready", qname: "db-3.db.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "ExternalName", qname: "ext.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "CNAME\tup.example.com."},
		{name: "ExternalName CNAME", qname: "ext.shop.svc.cluster.local.", qtype: dns.TypeCNAME, expect: "up.example.com."},
		{name: "Service without endpoints", qname: "empty.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "10.96."},
		{name: "apiserver Service", qname: "kubernetes.default.svc.cluster.local.", qtype: dns.TypeA, expect: o.apiIP},
		{name: "apiserver SRV", qname: "_https._tcp.kubernetes.default.svc.cluster.local.", qtype: dns.TypeSRV, expect: "443 kubernetes.default.svc.cluster.local."},
		{name: "pod A", qname: "10-244-3-30.shop.pod.cluster.local.", qtype: dns.TypeA, expect: "10.244.3.30"},
		{name: "pod A unknown", qname: "10-244-9-9.shop.pod.cluster.local.", qtype: dns.TypeA, expect: "10.244.9.9"},
		{name: "pod bad name", qname: "not-an-ip.shop.pod.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "PTR ClusterIP v4", qname: rev(v4), qtype: dns.TypePTR, expect: "PTR\t" + web},
		{name: "PTR ClusterIP v6", qname: rev(v6), qtype: dns.TypePTR, expect: "PTR\t" + web},
		{name: "PTR apiserver", qname: rev(o.apiIP), qtype: dns.TypePTR, expect: "kubernetes.default.svc.cluster.local."},
		{name: "PTR endpoint hostname", qname: rev("10.244.2.20"), qtype: dns.TypePTR, expect: "db-0.db.shop.svc.cluster.local."},
		{name: "PTR endpoint v6", qname: rev("fd00:10:244::20"), qtype: dns.TypePTR, expect: "db-0.db.shop.svc.cluster.local."},
		{name: "PTR endpoint of ClusterIP", qname: rev("10.244.1.10"), qtype: dns.TypePTR, expect: "10-244-1-10.web.shop.svc.cluster.local."},
		{name: "PTR pod falls through", qname: rev("10.244.3.30"), qtype: dns.TypePTR, expect: "PTR\tupstream.example.com."},
		{name: "NXDOMAIN service", qname: "nope.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "NXDOMAIN namespace", qname: "web.nons.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "namespace name", qname: "shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NOERROR"},
		{name: "NXDOMAIN zone child", qname: "nope.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "search ns suffix", qname: web + "shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "search default suffix", qname: web + "default.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "search svc suffix", qname: web + "svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "search cluster suffix", qname: web + "cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "search short name", qname: "web.shop.svc.cluster.local.", qtype: dns.TypeAAAA, expect: v6},
		{name: "search partial", qname: "web.shop.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "dns-version", qname: "dns-version.cluster.local.", qtype: dns.TypeTXT, expect: "1.1.0"},
		{name: "SOA", qname: "cluster.local.", qtype: dns.TypeSOA, expect: "hostmaster.cluster.local."},
		{name: "NS", qname: "cluster.local.", qtype: dns.TypeNS, expect: "ns.dns.cluster.local."},
		{name: "forward A", qname: "up.example.com.", qtype: dns.TypeA, expect: "198.51.100.1"},
		{name: "forward NXDOMAIN", qname: "nx.example.com.", qtype: dns.TypeA, expect: "NXDOMAIN"},
		{name: "forward search leak", qname: "up.example.com.shop.svc.cluster.local.", qtype: dns.TypeA, expect: "NXDOMAIN"},
	}
}

// send asks addr and returns the reply as text, normalised where two correct
// servers legitimately differ: record order (loadbalance shuffles, the
// kubernetes plugin lists endpoints in map order), for forwarded answers the TTL
// the cache has decayed between the two queries, and the cluster.local SOA
// serial, which the kubernetes plugin takes from the clock when its own watch
// delivers the last change (so two servers may be a second apart); soaSerial
// keeps it for a separate check.
func (q kubeQuery) send(addr string, id uint16) (reply string, soaSerial uint32, err error) {
	m := new(dns.Msg)
	m.SetQuestion(q.qname, q.qtype)
	m.Id = id
	if q.do {
		m.SetEdns0(1232, true)
	}
	proto := q.proto
	if proto == "" {
		proto = "udp"
	}
	c := &dns.Client{Net: proto, Timeout: 3 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		return "", 0, err
	}
	for _, rr := range append(r.Answer, r.Ns...) {
		if soa, ok := rr.(*dns.SOA); ok && soa.Hdr.Name == "cluster.local." {
			soaSerial, soa.Serial = soa.Serial, 0
		}
	}
	if !dns.IsSubDomain("cluster.local.", q.qname) {
		for _, rr := range append(append(r.Answer, r.Ns...), r.Extra...) {
			if rr.Header().Rrtype != dns.TypeOPT {
				rr.Header().Ttl = 0
			}
		}
	}
	for _, sec := range [][]dns.RR{r.Answer, r.Ns, r.Extra} {
		sort.Slice(sec, func(i, j int) bool { return sec[i].String() < sec[j].String() })
	}
	return r.String(), soaSerial, nil
}

// hasAnswer reports whether a reply lists want in its answer section (for the
// change-latency loop).
func hasAnswer(r *dns.Msg, want string) bool {
	for _, rr := range r.Answer {
		if strings.HasSuffix(rr.String(), "\t"+want) {
			return true
		}
	}
	return false
}

package test

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/internal/kubetest"

	"github.com/miekg/dns"
)

// TestKubernetesDropIn is the proof that coretraffic replaces the cluster DNS:
// our binary and stock CoreDNS v1.15.0 serve kubeadm's default Corefile against
// the same real kube-apiserver, authenticated as the coredns ServiceAccount
// bound to deploy/kubernetes's ClusterRole, and must answer the corpus alike.
// Then a Service created or deleted must show in our answers within 1 s.
func TestKubernetesDropIn(t *testing.T) {
	c := kubetest.Start(t, kubetest.Options{Users: []kubetest.User{corednsUser}})
	applyManifests(t, c, false, "rbac.yaml") // the coredns ServiceAccount's permissions, for real
	objs := createKubeObjects(t, c)
	kubeconfig := c.Kubeconfig(t, corednsUser.Token)
	upstream := startKubeUpstream(t)
	stock := startKubeDNS(t, e2e.Stock(t), kubeconfig, upstream)
	ours := startKubeDNS(t, e2e.CoreTraffic(t), kubeconfig, upstream)

	for i, q := range kubeCorpus(objs) {
		t.Run(q.name, func(t *testing.T) {
			id := uint16(2000 + i)
			want, wserial, werr := q.send(stock.Addr, id)
			got, gserial, gerr := q.send(ours.Addr, id)
			if werr != nil || gerr != nil {
				t.Fatalf("stock error %v, ours %v", werr, gerr)
			}
			if d := int64(wserial) - int64(gserial); d < -2 || d > 2 {
				t.Errorf("SOA serial: stock %d, ours %d; both are the time of the last change seen", wserial, gserial)
			}
			if want != got {
				t.Errorf("answers differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", want, got)
			}
			if !strings.Contains(got, q.expect) {
				t.Errorf("answer does not contain %q:\n%s", q.expect, got)
			}
		})
	}
	t.Run("health and ready", func(t *testing.T) {
		for _, port := range []string{"HEALTH", "READY"} {
			want := httpGet(t, stock, port, "/"+strings.ToLower(port))
			got := httpGet(t, ours, port, "/"+strings.ToLower(port))
			if want != got || !strings.HasPrefix(got, "200 ") {
				t.Errorf("%s: stock %q, ours %q", port, want, got)
			}
		}
	})
	t.Run("Service change latency", func(t *testing.T) {
		serviceChangeLatency(t, c, ours, stock)
	})
}

// corednsUser is the coredns ServiceAccount as the apiserver sees it: a static
// token whose user and groups are those of kube-system/coredns's own token, so
// the ClusterRoleBinding in deploy/kubernetes applies to it.
var corednsUser = kubetest.User{
	Token:  "coredns-sa-token",
	Name:   "system:serviceaccount:kube-system:coredns",
	Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system"},
}

// kubeadmEdits are the only changes to kubeadm's Corefile: loopback ports
// instead of 53, 8080, 8181 and 9153, a test upstream instead of the host's
// resolv.conf, and a kubeconfig because the servers run outside the cluster.
var kubeadmEdits = []struct{ from, to string }{
	{".:53 {", ".:@PORT@ {"},
	{"    health {", "    health 127.0.0.1:@HEALTH@ {"},
	{"    ready\n", "    ready 127.0.0.1:@READY@\n"},
	{"       ttl 30\n", "       ttl 30\n       kubeconfig @KUBECONFIG@\n"},
	{"prometheus :9153", "prometheus 127.0.0.1:@METRICS@"},
	{"forward . /etc/resolv.conf {", "forward . @UPSTREAM@ {"},
}

func startKubeDNS(t *testing.T, bin, kubeconfig, upstream string) dropInServer {
	t.Helper()
	corefile := readFile(t, filepath.Join("testdata", "kubernetes", "Corefile.kubeadm"))
	for _, e := range kubeadmEdits {
		if strings.Count(corefile, e.from) != 1 {
			t.Fatalf("kubeadm Corefile no longer has %q once:\n%s", e.from, corefile)
		}
		corefile = strings.Replace(corefile, e.from, e.to, 1)
	}
	ports := map[string]int{}
	for _, name := range []string{"PORT", "METRICS", "HEALTH", "READY"} {
		ports[name] = e2e.FreePort(t)
		corefile = strings.ReplaceAll(corefile, "@"+name+"@", fmt.Sprint(ports[name]))
	}
	corefile = strings.ReplaceAll(corefile, "@UPSTREAM@", upstream)
	corefile = strings.ReplaceAll(corefile, "@KUBECONFIG@", kubeconfig)
	s := e2e.Start(t, bin, corefile, "", fmt.Sprintf("127.0.0.1:%d", ports["PORT"]))
	return dropInServer{Server: s, ports: ports}
}

// startKubeUpstream is the resolver forward sends to (the node's resolv.conf in
// a cluster): A 198.51.100.1 for every name but nx.example.com (NXDOMAIN), and a
// PTR for every reverse name, so a fall-through is visible in the answer.
func startKubeUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		q := r.Question[0]
		switch {
		case q.Name == "nx.example.com.":
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			rr, _ := dns.NewRR(q.Name + " 300 IN A 198.51.100.1")
			m.Answer = append(m.Answer, rr)
		case q.Qtype == dns.TypePTR:
			rr, _ := dns.NewRR(q.Name + " 300 IN PTR upstream.example.com.")
			m.Answer = append(m.Answer, rr)
		}
		if opt := r.IsEdns0(); opt != nil {
			m.SetEdns0(opt.UDPSize(), opt.Do())
		}
		w.WriteMsg(m)
	})
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return pc.LocalAddr().String()
}

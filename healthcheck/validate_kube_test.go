package healthcheck

import (
	"strings"
	"testing"
)

func TestKubernetesSpecGood(t *testing.T) {
	specs, err := Parse("k.yaml", strings.NewReader(`checks:
  web:
    type: kubernetes
    service: shop/web
    port: http
    min_ready: 2
    kubeconfig: /etc/kubeconfig
    context: prod
  api:
    type: kubernetes
    service: shop/api
    endpoint: https://10.0.0.1:6443
    ca: /etc/ca.pem
`))
	if err != nil {
		t.Fatal(err)
	}
	web, api := specs[0], specs[1]
	if web.Service != "shop/web" || web.Port != "http" || web.MinReady != 2 || web.Kubeconfig != "/etc/kubeconfig" ||
		web.KubeContext != "prod" || web.Rise != 1 || web.Fall != 1 || web.Initial != InitialHealthy || web.Interval != 0 {
		t.Errorf("web: %+v", web)
	}
	if api.MinReady != DefaultMinReady || api.Endpoint != "https://10.0.0.1:6443" || api.CA != "/etc/ca.pem" {
		t.Errorf("api: %+v", api)
	}
	in, err := Inline("Corefile", 3, []string{"web", "kubernetes", "shop/web", "port=8080", "min_ready=3"})
	if err != nil {
		t.Fatal(err)
	}
	if in.Service != "shop/web" || in.Port != "8080" || in.MinReady != 3 {
		t.Errorf("inline: %+v", in)
	}
	if got := Target(&in); got != "service shop/web port 8080" {
		t.Errorf("Target = %q", got)
	}
}

func TestKubernetesSpecBad(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"service: web", "k.yaml:4: checks.c.service: want namespace/name"},
		{"port: http", "k.yaml:2: checks.c.service: a kubernetes check needs the Service"},
		{"service: Shop/web", `checks.c.service: bad namespace "Shop"`},
		{"service: shop/web_1", `checks.c.service: bad Service name "web_1"`},
		{"service: shop/web\n    port: 70000", `k.yaml:5: checks.c.port: want a port number`},
		{"service: shop/web\n    port: my--port", `checks.c.port: want a port number`},
		{"service: shop/web\n    port: averyveryverylongname", `checks.c.port: want a port number`},
		{"service: shop/web\n    min_ready: 0", `k.yaml:5: checks.c.min_ready: must be between 1`},
		{"service: shop/web\n    endpoint: 10.0.0.1:6443", `checks.c.endpoint: want the apiserver URL`},
		{"service: shop/web\n    context: prod", `checks.c.context: needs a kubeconfig`},
		{"service: shop/web\n    client_cert: /c.pem", `checks.c.client_cert: client_cert and client_key go together`},
		{"service: shop/web\n    interval: 5s", `k.yaml:5: checks.c.interval: not valid for type kubernetes`},
		{"service: shop/web\n    rise: 2", `checks.c.rise: not valid for type kubernetes`},
		{"service: shop/web\n    sni: x", `checks.c.sni: not valid for type kubernetes`},
		{"service: shop/web\n    url: http://x/", `checks.c.url: not valid for type kubernetes`},
	} {
		_, err := Parse("k.yaml", strings.NewReader("checks:\n  c:\n    type: kubernetes\n    "+tc.body+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestKubernetesWithoutSource(t *testing.T) {
	e := New(Options{})
	_, err := e.Prepare("t", []Spec{inline(t, "web", "kubernetes", "shop/web")})
	if err == nil || !strings.Contains(err.Error(), "checks.web.type: kubernetes checks are not available here") {
		t.Fatalf("got %v", err)
	}
}

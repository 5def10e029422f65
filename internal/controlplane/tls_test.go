package controlplane

import (
	"strings"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/storespec"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// TestAcquireTLS: the Corefile's tls files reach etcd — against a member that
// requires client certificates, the plane serves with them (its presence lease
// included), and without the client certificate the start fails naming the
// endpoint and the handshake's refusal.
func TestAcquireTLS(t *testing.T) {
	m, files := etcdtest.StartTLS(t)
	spec := func(cert, key string) storespec.Spec {
		return storespec.Spec{Etcd: &storespec.Etcd{Endpoints: []string{m.ClientURL}, Prefix: "/tls/",
			CertFile: cert, KeyFile: key, CAFile: files.CA.CertFile}}
	}
	engine := hc.New(hc.Options{})
	p, err := Acquire(spec(files.Client.CertFile, files.Client.KeyFile), engine, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	z := createZone(t, p.Store)
	rev := putWWW(t, p.Store, z, "192.0.2.1")
	waitServed(t, p.Replica, "192.0.2.1")
	deadline := time.Now().Add(10 * time.Second)
	for !p.Group.Serves(rev) {
		if time.Now().After(deadline) {
			t.Fatalf("not INSYNC over TLS: %v", p.Group.Members())
		}
		time.Sleep(10 * time.Millisecond)
	}

	_, err = Acquire(spec("", ""), engine, t.Logf)
	if err == nil || !strings.Contains(err.Error(), m.ClientURL) || !strings.Contains(err.Error(), "remote error: tls:") || strings.Contains(err.Error(), "snapshot") {
		t.Fatalf("no client certificate: %v, want the TLS refusal naming %s (and no snapshot advice: none would help)", err, m.ClientURL)
	}
	t.Logf("no client certificate: %v", err)
}

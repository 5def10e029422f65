package etcdstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	"github.com/coretraffic/coretraffic/store"
)

// TestTLS runs etcd with TLS and client certificate authentication: the
// store connects with Options' certificate files, and is refused without a
// client certificate.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newCert(t, dir, "ca", nil)
	srv := newCert(t, dir, "server", ca)
	cli := newCert(t, dir, "client", ca)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	pair, err := tls.LoadX509KeyPair(cli.certFile, cli.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	m := etcdtest.Start(t, etcdtest.Config{
		Args: []string{"--cert-file", srv.certFile, "--key-file", srv.keyFile,
			"--trusted-ca-file", ca.certFile, "--client-cert-auth"},
		ClientTLS: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}},
	})
	s := openOn(t, []string{m.ClientURL}, etcdstore.Options{CertFile: cli.certFile, KeyFile: cli.keyFile, CAFile: ca.certFile})
	if rev, err := putKV(context.Background(), s, "k", "v"); err != nil || rev != 1 {
		t.Fatalf("Update over TLS = %d, %v", rev, err)
	}
	if got, rev := dumpAll(t, s); len(got) != 1 || got[0] != "k=v" || rev != 1 {
		t.Fatalf("View over TLS = %v at %d", got, rev)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, CAFile: ca.certFile, RequestTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("Open without a client certificate succeeded")
	}
	t.Logf("no client certificate: %v", err)
	if _, err := etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, CertFile: cli.certFile, CAFile: ca.certFile}); err == nil {
		t.Fatal("Open with CertFile but no KeyFile succeeded")
	}
}

// TestAuth enables etcd authentication: the store works with the right
// password and Open fails with a wrong one.
func TestAuth(t *testing.T) {
	m := etcdtest.Start(t, etcdtest.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	admin, err := clientv3.New(clientv3.Config{Endpoints: []string{m.ClientURL}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.RoleAdd(ctx, "root"); err != nil {
		t.Fatalf("role add: %v", err)
	}
	if _, err := admin.UserAdd(ctx, "root", "s3cret"); err != nil {
		t.Fatalf("user add: %v", err)
	}
	if _, err := admin.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatalf("grant: %v", err)
	}
	if _, err := admin.AuthEnable(ctx); err != nil {
		t.Fatalf("auth enable: %v", err)
	}

	s := openOn(t, []string{m.ClientURL}, etcdstore.Options{Username: "root", Password: "s3cret"})
	if rev, err := putKV(ctx, s, "k", "v"); err != nil || rev != 1 {
		t.Fatalf("Update with credentials = %d, %v", rev, err)
	}
	_, err = etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, Username: "root", Password: "wrong", RequestTimeout: time.Second})
	if err == nil {
		t.Fatal("Open with a wrong password succeeded")
	}
	if errors.Is(err, store.ErrUnavailable) {
		t.Errorf("wrong password reported as %v, want an authentication error", err)
	}
	t.Logf("wrong password: %v", err)
	_, err = etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{m.ClientURL}, RequestTimeout: time.Second})
	if err == nil {
		t.Fatal("Open without credentials on an auth-enabled etcd succeeded")
	}
	t.Logf("no credentials: %v", err)
}

type certFiles struct {
	cert              *x509.Certificate
	key               *ecdsa.PrivateKey
	certFile, keyFile string
}

// newCert writes a P-256 certificate for 127.0.0.1 signed by parent (self
// signed CA when parent is nil).
func newCert(t *testing.T, dir, name string, parent *certFiles) *certFiles {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := &certFiles{cert: cert, key: key, certFile: filepath.Join(dir, name+".pem"), keyFile: filepath.Join(dir, name+"-key.pem")}
	if err := os.WriteFile(c.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

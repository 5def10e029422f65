package etcdtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Cert is a certificate and its key, in memory and as PEM files.
type Cert struct {
	Cert              *x509.Certificate
	Key               *ecdsa.PrivateKey
	CertFile, KeyFile string
}

// NewCert writes a P-256 certificate for 127.0.0.1, for server and client use,
// signed by parent (a self-signed CA when parent is nil), into dir.
func NewCert(t testing.TB, dir, name string, parent *Cert) *Cert {
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
		signer, signerKey = parent.Cert, parent.Key
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
	c := &Cert{Cert: cert, Key: key, CertFile: filepath.Join(dir, name+".pem"), KeyFile: filepath.Join(dir, name+"-key.pem")}
	if err := os.WriteFile(c.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// TLSFiles are the files a client of a TLS member needs.
type TLSFiles struct {
	CA, Client *Cert
}

// StartTLS runs one member that serves TLS and requires client certificates
// (--client-cert-auth), all signed by a fresh CA in a temporary directory.
func StartTLS(t testing.TB) (*Member, TLSFiles) {
	t.Helper()
	dir := t.TempDir()
	ca := NewCert(t, dir, "ca", nil)
	srv := NewCert(t, dir, "server", ca)
	cli := NewCert(t, dir, "client", ca)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	pair, err := tls.LoadX509KeyPair(cli.CertFile, cli.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	m := Start(t, Config{
		Args: []string{"--cert-file", srv.CertFile, "--key-file", srv.KeyFile,
			"--trusted-ca-file", ca.CertFile, "--client-cert-auth"},
		ClientTLS: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}},
	})
	return m, TLSFiles{CA: ca, Client: cli}
}

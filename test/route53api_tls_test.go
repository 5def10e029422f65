package test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "coretraffic test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestRoute53APITLS: with tls the API is HTTPS only; the SDK, trusting the server's
// certificate, manages zones through it.
func TestRoute53APITLS(t *testing.T) {
	bin := e2e.CoreTraffic(t)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDTLS\naws_secret_access_key = tls-secret\n"), 0o600)
	dnsPort, apiPort := e2e.FreePort(t), e2e.FreePort(t)
	corefile := fmt.Sprintf(".:%d {\n    bind 127.0.0.1\n    route53api 127.0.0.1:%d {\n        store %s\n        credentials %s\n        tls %s %s\n    }\n    policy {\n        store %s\n    }\n}\n",
		dnsPort, apiPort, filepath.Join(dir, "store.db"), creds, certFile, keyFile, filepath.Join(dir, "store.db"))
	s := e2e.Start(t, bin, corefile, dir, fmt.Sprintf("127.0.0.1:%d", dnsPort))

	c := route53.New(route53.Options{BaseEndpoint: aws.String(fmt.Sprintf("https://127.0.0.1:%d", apiPort)), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTLS", "tls-secret", ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}})
	z, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{Name: aws.String("tls.example"), CallerReference: aws.String("tls-1")})
	if err != nil {
		t.Fatalf("CreateHostedZone over HTTPS: %v\n%s", err, s.Output())
	}
	if aws.ToString(z.HostedZone.Name) != "tls.example." {
		t.Errorf("zone %+v", z.HostedZone)
	}
	// Plain HTTP to the same port is no API.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/2013-04-01/hostedzone", apiPort))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("plain HTTP answered 200")
		}
	}
}

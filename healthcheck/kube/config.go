package kube

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// Config says how to reach an apiserver, as CoreDNS's kubernetes plugin does: a
// kubeconfig file (and context), an endpoint, TLS files; with neither kubeconfig nor
// endpoint, the in-cluster configuration (service account token and CA). Checks and
// policy values with equal Configs share one client and its informers.
type Config struct {
	Kubeconfig string // kubeconfig file
	Context    string // context in Kubeconfig; "" for its current context
	Endpoint   string // apiserver URL; overrides the kubeconfig's server
	CA         string // PEM file of the apiserver's CA
	ClientCert string // PEM files of a client certificate and its key
	ClientKey  string
	SkipVerify bool // do not verify the apiserver's certificate
}

// ConfigOf is the apiserver configuration of a kubernetes check.
func ConfigOf(s *hc.Spec) Config {
	return Config{Kubeconfig: s.Kubeconfig, Context: s.KubeContext, Endpoint: s.Endpoint,
		CA: s.CA, ClientCert: s.ClientCert, ClientKey: s.ClientKey, SkipVerify: s.TLSSkipVerify}
}

// key identifies the apiserver connection.
func (c Config) key() string { return fmt.Sprintf("%+v", c) }

// FieldError is a configuration error and the spec field that caused it.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Name is how logs name the apiserver.
func (c Config) Name() string {
	switch {
	case c.Endpoint != "":
		return c.Endpoint
	case c.Kubeconfig != "" && c.Context != "":
		return c.Kubeconfig + " (context " + c.Context + ")"
	case c.Kubeconfig != "":
		return c.Kubeconfig
	}
	return "in-cluster apiserver"
}

// REST builds the client configuration. It reads the kubeconfig and checks that the
// TLS files exist, so that mistakes surface at setup, with the field that made them.
func (c Config) REST() (*rest.Config, error) {
	for _, f := range []struct{ field, path string }{{"ca", c.CA}, {"client_cert", c.ClientCert}, {"client_key", c.ClientKey}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return nil, &FieldError{f.field, err}
		}
	}
	var (
		cfg *rest.Config
		err error
	)
	switch {
	case c.Kubeconfig != "":
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: c.Kubeconfig}
		over := &clientcmd.ConfigOverrides{CurrentContext: c.Context}
		over.ClusterInfo.Server = c.Endpoint
		cfg, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, over).ClientConfig()
		if err != nil {
			return nil, &FieldError{"kubeconfig", err}
		}
	case c.Endpoint != "":
		cfg = &rest.Config{Host: c.Endpoint}
	default:
		cfg, err = rest.InClusterConfig()
		if err != nil {
			return nil, &FieldError{"type", fmt.Errorf("no in-cluster configuration (%v): set kubeconfig or endpoint", err)}
		}
	}
	if c.CA != "" {
		cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.CAData = c.CA, nil
	}
	if c.ClientCert != "" {
		cfg.TLSClientConfig.CertFile, cfg.TLSClientConfig.CertData = c.ClientCert, nil
		cfg.TLSClientConfig.KeyFile, cfg.TLSClientConfig.KeyData = c.ClientKey, nil
	}
	if c.SkipVerify {
		cfg.TLSClientConfig.Insecure = true
		cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.CAData = "", nil
	}
	cfg.UserAgent = "coretraffic"
	return cfg, nil
}

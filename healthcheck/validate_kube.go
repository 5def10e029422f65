package healthcheck

import (
	"net/url"
	"strconv"
	"strings"
)

// normalizeKube fills in the defaults of a kubernetes check. It is event-driven:
// every state its Source pushes is the state (rise and fall 1), and it has no
// interval or timeout.
func (s *Spec) normalizeKube() {
	if s.MinReady == 0 {
		s.MinReady = DefaultMinReady
	}
	if s.Initial == "" {
		s.Initial = InitialHealthy
	}
	s.Rise, s.Fall = 1, 1
}

// validateKube checks a kubernetes check's fields: the Service as namespace/name,
// the port as a name or number, the apiserver URL and the TLS files.
func (s *Spec) validateKube() error {
	ns, name, ok := strings.Cut(s.Service, "/")
	switch {
	case s.Service == "":
		return s.fieldErr("service", "a kubernetes check needs the Service as namespace/name")
	case !ok:
		return s.fieldErr("service", "want namespace/name, got %q", s.Service)
	case !KubeName(ns):
		return s.fieldErr("service", "bad namespace %q (a DNS label: lower-case letters, digits, '-')", ns)
	case !KubeName(name):
		return s.fieldErr("service", "bad Service name %q (a DNS label: lower-case letters, digits, '-')", name)
	}
	if s.Port != "" && !KubePort(s.Port) {
		return s.fieldErr("port", "want a port number (1-65535) or a port name (lower-case letters, digits, '-', at most 15), got %q", s.Port)
	}
	if s.Endpoint != "" {
		u, err := url.Parse(s.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return s.fieldErr("endpoint", "want the apiserver URL, e.g. https://10.0.0.1:6443, got %q", s.Endpoint)
		}
	}
	if s.KubeContext != "" && s.Kubeconfig == "" {
		return s.fieldErr("context", "needs a kubeconfig")
	}
	return s.validateTLSFiles()
}

// KubeName reports whether v is a valid namespace or Service name (Kubernetes'
// DNS-1123 label rule); the policy format's kubernetes: nodes use it too.
func KubeName(v string) bool {
	if v == "" || len(v) > 63 || v[0] == '-' || v[len(v)-1] == '-' {
		return false
	}
	for _, r := range v {
		if r != '-' && (r < '0' || r > '9') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

// KubePort reports whether p is a Service port: a number, or a name as
// Kubernetes validates port names (an IANA service name: at most 15 characters,
// at least one letter, no '--').
func KubePort(p string) bool {
	if n, err := strconv.Atoi(p); err == nil {
		return n >= 1 && n <= 65535
	}
	if len(p) > 15 || !KubeName(p) || strings.Contains(p, "--") {
		return false
	}
	return strings.ContainsAny(p, "abcdefghijklmnopqrstuvwxyz")
}

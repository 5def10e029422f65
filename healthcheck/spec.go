// Package healthcheck probes endpoints in the background and keeps, for every check,
// an immutable state snapshot that the DNS hot path reads with one atomic load.
//
// It never imports CoreDNS: plugin/healthcheck is the glue. Checks are described by
// Spec values (decoded from the coretraffic data format, see FORMAT.md), registered
// with an Engine as a Set, and read through Handles.
package healthcheck

import (
	"time"
)

// Type is the kind of probe a check runs.
type Type string

// The check types.
const (
	TypeHTTP       Type = "http"
	TypeHTTPS      Type = "https"
	TypeTCP        Type = "tcp"
	TypeDNS        Type = "dns"
	TypeGRPC       Type = "grpc"
	TypeCalculated Type = "calculated"
	// TypeKubernetes is event-driven: a Source registered with the Engine
	// (healthcheck/kube) watches a Service's EndpointSlices and pushes its state.
	TypeKubernetes Type = "kubernetes"
)

// Initial is the state a check has before its first result.
type Initial string

// Initial states: healthy until proven otherwise (Route 53), or unhealthy until the
// first success.
const (
	InitialHealthy   Initial = "healthy"
	InitialUnhealthy Initial = "unhealthy"
)

// Defaults and limits. Route 53 uses a 10 s or 30 s interval, a failure threshold of
// 3 and matches in the first 5120 bytes of the body.
const (
	DefaultInterval   = 10 * time.Second
	DefaultTimeout    = 2 * time.Second
	MinInterval       = time.Second
	DefaultRise       = 3
	DefaultFall       = 3
	MaxThreshold      = 100
	DefaultMatchLimit = 5120
	MaxMatchLimit     = 1 << 20
	DefaultMinReady   = 1
	MaxMinReady       = 1 << 20
)

// Header is one extra HTTP request header.
type Header struct {
	Name, Value string
}

// StatusRange is an inclusive range of accepted HTTP status codes.
type StatusRange struct {
	Lo, Hi int
}

// Pos says where a Spec was defined; Fields maps a field name to its line.
type Pos struct {
	File   string
	Line   int
	Fields map[string]int
}

// line returns the line of field, or the line of the check itself.
func (p Pos) line(field string) int {
	if l, ok := p.Fields[field]; ok {
		return l
	}
	return p.Line
}

// Spec describes one check. Zero values mean "default"; call Normalize (done by the
// decoders) to fill them in, then Validate.
type Spec struct {
	Name string
	Type Type

	Interval       time.Duration
	Timeout        time.Duration // whole probe, must be shorter than Interval
	ConnectTimeout time.Duration // TCP connect (+TLS handshake for https/grpc), <= Timeout
	Rise           int           // consecutive successes to go up
	Fall           int           // consecutive failures to go down
	Initial        Initial
	Invert         bool
	Disabled       bool // a disabled check is healthy and never probed

	// http, https
	URL        string // http://host[:port]/path
	Address    string // optional host or IP to dial instead of the URL's host
	Method     string
	Host       string // Host header override
	Headers    []Header
	Expect     []StatusRange
	Match      string // substring that must appear in the first MatchLimit bytes
	MatchLimit int
	KeepAlive  bool // reuse the connection between probes (off: a new one per probe)

	// TLS (https, grpc with TLS)
	TLS           bool // grpc only: use TLS
	SNI           string
	TLSSkipVerify bool
	CA            string // PEM file of roots to trust instead of the system pool
	ClientCert    string // PEM files of a client certificate and key
	ClientKey     string

	// tcp, dns, grpc
	Target string // host:port

	// dns
	QName  string
	QType  uint16
	RCode  int
	Answer string // rdata one answer of type QType must have, e.g. "192.0.2.1"
	Proto  string // udp or tcp

	// grpc: the gRPC service name; kubernetes: the Service as namespace/name
	Service string

	// kubernetes
	Port        string // the Service port (name or number) whose endpoints count; "" for any
	MinReady    int    // ready endpoints needed to be healthy
	Kubeconfig  string // kubeconfig file; "" for the in-cluster configuration
	KubeContext string // context in Kubeconfig; "" for its current context
	Endpoint    string // apiserver URL, overriding the kubeconfig's or in-cluster one

	// calculated
	Children   []string
	MinHealthy int

	Pos Pos
}

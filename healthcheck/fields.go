package healthcheck

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// kind is the shape a field's value has.
type kind int

const (
	kindScalar kind = iota
	kindList
	kindMap
)

// value is a field value as read from YAML or a Corefile line.
type value struct {
	s     string
	list  []string
	pairs []Header
}

// field is one settable Spec field: its shape, the check types it applies to (nil:
// every probed type) and how it is set. The decoders for YAML and the Corefile share
// this table, so both accept exactly the same vocabulary.
type field struct {
	kind  kind
	types []Type
	set   func(s *Spec, v value) error
}

var (
	probed   = []Type{TypeHTTP, TypeHTTPS, TypeTCP, TypeDNS, TypeGRPC}
	httpOnly = []Type{TypeHTTP, TypeHTTPS}
	withTLS  = []Type{TypeHTTPS, TypeGRPC}
	withCA   = []Type{TypeHTTPS, TypeGRPC, TypeKubernetes} // TLS files and skip-verify
	withAddr = []Type{TypeTCP, TypeDNS, TypeGRPC}
	kube     = []Type{TypeKubernetes}
	allTypes = []Type{TypeHTTP, TypeHTTPS, TypeTCP, TypeDNS, TypeGRPC, TypeCalculated, TypeKubernetes}
)

// fields is the vocabulary of a check definition (read-only).
var fields = map[string]field{
	"interval":        {kindScalar, probed, func(s *Spec, v value) error { return setDur(&s.Interval, v.s) }},
	"timeout":         {kindScalar, probed, func(s *Spec, v value) error { return setDur(&s.Timeout, v.s) }},
	"connect_timeout": {kindScalar, probed, func(s *Spec, v value) error { return setDur(&s.ConnectTimeout, v.s) }},
	"rise":            {kindScalar, probed, func(s *Spec, v value) error { return setThreshold(&s.Rise, v.s) }},
	"fall":            {kindScalar, probed, func(s *Spec, v value) error { return setThreshold(&s.Fall, v.s) }},
	"initial":         {kindScalar, allTypes, setInitial},
	"invert":          {kindScalar, allTypes, func(s *Spec, v value) error { return setBool(&s.Invert, v.s) }},
	"disabled":        {kindScalar, allTypes, func(s *Spec, v value) error { return setBool(&s.Disabled, v.s) }},

	"url":         {kindScalar, httpOnly, func(s *Spec, v value) error { s.URL = v.s; return nil }},
	"address":     {kindScalar, httpOnly, func(s *Spec, v value) error { s.Address = v.s; return nil }},
	"method":      {kindScalar, httpOnly, setMethod},
	"host":        {kindScalar, httpOnly, func(s *Spec, v value) error { s.Host = v.s; return nil }},
	"headers":     {kindMap, httpOnly, setHeaders},
	"expect":      {kindList, httpOnly, setExpect},
	"match":       {kindScalar, httpOnly, func(s *Spec, v value) error { s.Match = v.s; return nil }},
	"match_limit": {kindScalar, httpOnly, setMatchLimit},
	"keepalive":   {kindScalar, httpOnly, func(s *Spec, v value) error { return setBool(&s.KeepAlive, v.s) }},

	"tls":             {kindScalar, []Type{TypeGRPC}, func(s *Spec, v value) error { return setBool(&s.TLS, v.s) }},
	"sni":             {kindScalar, withTLS, func(s *Spec, v value) error { s.SNI = v.s; return nil }},
	"tls_skip_verify": {kindScalar, withCA, func(s *Spec, v value) error { return setBool(&s.TLSSkipVerify, v.s) }},
	"ca":              {kindScalar, withCA, func(s *Spec, v value) error { s.CA = v.s; return nil }},
	"client_cert":     {kindScalar, withCA, func(s *Spec, v value) error { s.ClientCert = v.s; return nil }},
	"client_key":      {kindScalar, withCA, func(s *Spec, v value) error { s.ClientKey = v.s; return nil }},

	"target":  {kindScalar, withAddr, func(s *Spec, v value) error { s.Target = v.s; return nil }},
	"name":    {kindScalar, []Type{TypeDNS}, setQName},
	"qtype":   {kindScalar, []Type{TypeDNS}, setQType},
	"rcode":   {kindScalar, []Type{TypeDNS}, setRCode},
	"answer":  {kindScalar, []Type{TypeDNS}, func(s *Spec, v value) error { s.Answer = v.s; return nil }},
	"proto":   {kindScalar, []Type{TypeDNS}, setProto},
	"service": {kindScalar, []Type{TypeGRPC, TypeKubernetes}, func(s *Spec, v value) error { s.Service = v.s; return nil }},

	"port":       {kindScalar, kube, func(s *Spec, v value) error { s.Port = v.s; return nil }},
	"min_ready":  {kindScalar, kube, func(s *Spec, v value) error { return setInt(&s.MinReady, v.s, 1, MaxMinReady) }},
	"kubeconfig": {kindScalar, kube, func(s *Spec, v value) error { s.Kubeconfig = v.s; return nil }},
	"context":    {kindScalar, kube, func(s *Spec, v value) error { s.KubeContext = v.s; return nil }},
	"endpoint":   {kindScalar, kube, func(s *Spec, v value) error { s.Endpoint = v.s; return nil }},

	"children":    {kindList, []Type{TypeCalculated}, setChildren},
	"min_healthy": {kindScalar, []Type{TypeCalculated}, setMinHealthy},
}

// positional is the field an inline Corefile check's third argument sets.
var positional = map[Type]string{
	TypeHTTP: "url", TypeHTTPS: "url", TypeTCP: "target", TypeDNS: "target",
	TypeGRPC: "target", TypeCalculated: "children", TypeKubernetes: "service",
}

// FieldNames returns every field name a check of type t accepts, sorted.
func FieldNames(t Type) []string {
	var out []string
	for name, f := range fields {
		if slices.Contains(f.types, t) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// ParseType returns the Type named s.
func ParseType(s string) (Type, error) {
	t := Type(strings.ToLower(s))
	if !slices.Contains(allTypes, t) {
		return "", fmt.Errorf("unknown type %q (want %s)", s, typeList)
	}
	return t, nil
}

// typeList names the types for error messages.
const typeList = "http, https, tcp, dns, grpc, kubernetes or calculated"

// setField sets the field called name on s, checking that it applies to s.Type.
func setField(s *Spec, name string, v value) error {
	f, ok := fields[name]
	if !ok {
		return fmt.Errorf("unknown field")
	}
	if !slices.Contains(f.types, s.Type) {
		return fmt.Errorf("not valid for type %s", s.Type)
	}
	return f.set(s, v)
}

func setDur(d *time.Duration, s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q", s)
	}
	if v <= 0 {
		return fmt.Errorf("must be positive, got %s", s)
	}
	*d = v
	return nil
}

func setInt(i *int, s string, lo, hi int) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("bad integer %q", s)
	}
	if v < lo || v > hi {
		return fmt.Errorf("must be between %d and %d, got %d", lo, hi, v)
	}
	*i = v
	return nil
}

func setThreshold(i *int, s string) error { return setInt(i, s, 1, MaxThreshold) }

func setMatchLimit(s *Spec, v value) error { return setInt(&s.MatchLimit, v.s, 1, MaxMatchLimit) }

func setMinHealthy(s *Spec, v value) error { return setInt(&s.MinHealthy, v.s, 0, 1<<20) }

func setBool(b *bool, s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("bad boolean %q", s)
	}
	*b = v
	return nil
}

func setInitial(s *Spec, v value) error {
	switch Initial(strings.ToLower(v.s)) {
	case InitialHealthy:
		s.Initial = InitialHealthy
	case InitialUnhealthy:
		s.Initial = InitialUnhealthy
	default:
		return fmt.Errorf("want healthy or unhealthy, got %q", v.s)
	}
	return nil
}

func setMethod(s *Spec, v value) error {
	m := strings.ToUpper(v.s)
	if m != http.MethodGet && m != http.MethodHead && m != http.MethodPost && m != http.MethodOptions {
		return fmt.Errorf("want GET, HEAD, POST or OPTIONS, got %q", v.s)
	}
	s.Method = m
	return nil
}

func setHeaders(s *Spec, v value) error {
	for _, h := range v.pairs {
		if h.Name == "" || strings.ContainsAny(h.Name, " \t\r\n:") || strings.ContainsAny(h.Value, "\r\n") {
			return fmt.Errorf("bad header %q", h.Name)
		}
		s.Headers = append(s.Headers, Header{Name: http.CanonicalHeaderKey(h.Name), Value: h.Value})
	}
	slices.SortFunc(s.Headers, func(a, b Header) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

func setExpect(s *Spec, v value) error {
	for _, e := range v.list {
		lo, hi, isRange := strings.Cut(e, "-")
		if !isRange {
			hi = lo
		}
		l, err1 := strconv.Atoi(strings.TrimSpace(lo))
		h, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || l < 100 || h > 599 || l > h {
			return fmt.Errorf("bad status code or range %q (want e.g. 200 or 200-399)", e)
		}
		s.Expect = append(s.Expect, StatusRange{l, h})
	}
	return nil
}

func setQName(s *Spec, v value) error {
	if _, ok := dns.IsDomainName(v.s); !ok || v.s == "" {
		return fmt.Errorf("bad domain name %q", v.s)
	}
	s.QName = dns.Fqdn(v.s)
	return nil
}

func setQType(s *Spec, v value) error {
	t, ok := dns.StringToType[strings.ToUpper(v.s)]
	if !ok {
		return fmt.Errorf("unknown query type %q", v.s)
	}
	s.QType = t
	return nil
}

func setRCode(s *Spec, v value) error {
	r, ok := dns.StringToRcode[strings.ToUpper(v.s)]
	if !ok {
		return fmt.Errorf("unknown rcode %q", v.s)
	}
	s.RCode = r
	return nil
}

func setProto(s *Spec, v value) error {
	p := strings.ToLower(v.s)
	if p != "udp" && p != "tcp" {
		return fmt.Errorf("want udp or tcp, got %q", v.s)
	}
	s.Proto = p
	return nil
}

func setChildren(s *Spec, v value) error {
	for _, c := range v.list {
		if c == "" {
			return fmt.Errorf("empty child name")
		}
		if slices.Contains(s.Children, c) {
			return fmt.Errorf("child %q listed twice", c)
		}
		s.Children = append(s.Children, c)
	}
	return nil
}

package healthcheck

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Error is a check definition error: where it is and which field is wrong.
type Error struct {
	File string
	Line int
	Path string // e.g. checks.web-eu.timeout
	Msg  string
}

func (e *Error) Error() string {
	loc := ""
	switch {
	case e.File != "" && e.Line > 0:
		loc = e.File + ":" + strconv.Itoa(e.Line) + ": "
	case e.File != "":
		loc = e.File + ": "
	case e.Line > 0:
		loc = "line " + strconv.Itoa(e.Line) + ": "
	}
	if e.Path == "" {
		return loc + e.Msg
	}
	return loc + e.Path + ": " + e.Msg
}

// fieldErr builds an Error for field of s (field "" means the check itself).
func (s *Spec) fieldErr(field, format string, args ...any) *Error {
	path := "checks." + s.Name
	if field != "" {
		path += "." + field
	}
	return &Error{File: s.Pos.File, Line: s.Pos.line(field), Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Normalize fills in defaults for every field left at its zero value.
func (s *Spec) Normalize() {
	if s.Type == TypeKubernetes {
		s.normalizeKube()
		return
	}
	if s.Type == TypeCalculated {
		if s.MinHealthy == 0 {
			s.MinHealthy = 1
		}
		if s.Initial == "" {
			s.Initial = InitialHealthy
		}
		return
	}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.Timeout == 0 {
		s.Timeout = min(DefaultTimeout, s.Interval/2)
	}
	if s.ConnectTimeout == 0 {
		s.ConnectTimeout = s.Timeout
	}
	if s.Rise == 0 {
		s.Rise = DefaultRise
	}
	if s.Fall == 0 {
		s.Fall = DefaultFall
	}
	if s.Initial == "" {
		s.Initial = InitialHealthy
	}
	switch s.Type {
	case TypeHTTP, TypeHTTPS:
		if s.Method == "" {
			s.Method = "GET"
		}
		if len(s.Expect) == 0 {
			s.Expect = []StatusRange{{200, 399}}
		}
		if s.MatchLimit == 0 {
			s.MatchLimit = DefaultMatchLimit
		}
	case TypeDNS:
		if s.QType == 0 {
			s.QType = 1 // A
		}
		if s.Proto == "" {
			s.Proto = "udp"
		}
		if _, _, err := net.SplitHostPort(s.Target); err != nil && s.Target != "" {
			s.Target = net.JoinHostPort(s.Target, "53")
		}
	}
}

// Validate checks one normalized Spec on its own; ValidateSet checks references.
// Errors are *Error values with the file, line and field.
func (s Spec) Validate() error {
	if !ValidName(s.Name) {
		return s.fieldErr("", "bad check name %q (letters, digits, '-', '_', '.')", s.Name)
	}
	if _, err := ParseType(string(s.Type)); err != nil {
		return s.fieldErr("type", "%v", err)
	}
	if s.Type == TypeCalculated {
		if len(s.Children) == 0 {
			return s.fieldErr("children", "a calculated check needs at least one child")
		}
		if s.MinHealthy > len(s.Children) {
			return s.fieldErr("min_healthy", "%d is more than the %d children", s.MinHealthy, len(s.Children))
		}
		return nil
	}
	if s.Type == TypeKubernetes {
		return s.validateKube()
	}
	if err := s.validateTiming(); err != nil {
		return err
	}
	switch s.Type {
	case TypeHTTP, TypeHTTPS:
		return s.validateHTTP()
	case TypeDNS:
		if s.QName == "" {
			return s.fieldErr("name", "a dns check needs the name to query")
		}
	}
	if s.Type != TypeHTTP && s.Type != TypeHTTPS {
		if err := validHostPort(s.Target); err != nil {
			return s.fieldErr("target", "%v", err)
		}
	}
	return s.validateTLSFiles()
}

func (s *Spec) validateTiming() error {
	if s.Interval < MinInterval {
		return s.fieldErr("interval", "must be at least %s, got %s", MinInterval, s.Interval)
	}
	if s.Timeout >= s.Interval {
		return s.fieldErr("timeout", "must be shorter than interval %s", s.Interval)
	}
	if s.ConnectTimeout > s.Timeout {
		return s.fieldErr("connect_timeout", "must not be longer than timeout %s", s.Timeout)
	}
	return nil
}

func (s *Spec) validateHTTP() error {
	u, err := url.Parse(s.URL)
	if err != nil || s.URL == "" {
		return s.fieldErr("url", "bad URL %q", s.URL)
	}
	if u.Scheme != string(s.Type) {
		return s.fieldErr("url", "a %s check needs a %s:// URL, got %q", s.Type, s.Type, s.URL)
	}
	if u.Hostname() == "" {
		return s.fieldErr("url", "no host in URL %q", s.URL)
	}
	if u.User != nil {
		return s.fieldErr("url", "credentials in the URL are not supported, use headers")
	}
	if s.Type == TypeHTTP && (s.SNI != "" || s.TLSSkipVerify || s.CA != "" || s.ClientCert != "") {
		return s.fieldErr("url", "TLS fields need an https check")
	}
	return s.validateTLSFiles()
}

func (s *Spec) validateTLSFiles() error {
	if (s.ClientCert == "") != (s.ClientKey == "") {
		return s.fieldErr("client_cert", "client_cert and client_key go together")
	}
	if s.Type == TypeGRPC && !s.TLS && (s.SNI != "" || s.TLSSkipVerify || s.CA != "" || s.ClientCert != "") {
		return s.fieldErr("tls", "TLS fields need tls: true")
	}
	return nil
}

func validHostPort(hp string) error {
	if hp == "" {
		return errors.New("missing host:port")
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil || host == "" {
		return fmt.Errorf("bad host:port %q", hp)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("bad port in %q", hp)
	}
	return nil
}

// ValidName reports whether n can name a health check: 1 to 253 letters, digits,
// "-", "_" and ".".
func ValidName(n string) bool {
	if n == "" || len(n) > 253 {
		return false
	}
	for _, r := range n {
		ok := r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// ValidateSet validates every spec and the references between them: unique names,
// children that exist, no cycles among calculated checks.
func ValidateSet(specs []Spec) error {
	byName := make(map[string]*Spec, len(specs))
	for i := range specs {
		s := &specs[i]
		if err := s.Validate(); err != nil {
			return err
		}
		if prev, dup := byName[s.Name]; dup {
			return s.fieldErr("", "defined twice (first at %s:%d)", prev.Pos.File, prev.Pos.Line)
		}
		byName[s.Name] = s
	}
	for i := range specs {
		s := &specs[i]
		for _, c := range s.Children {
			if _, ok := byName[c]; !ok {
				return s.fieldErr("children", "unknown check %q", c)
			}
		}
	}
	_, err := topoOrder(specs, byName)
	return err
}

// topoOrder returns indexes of specs with every child before its parents, or an
// error naming a cycle.
func topoOrder(specs []Spec, byName map[string]*Spec) ([]int, error) {
	const (
		unseen = iota
		active
		done
	)
	index := make(map[string]int, len(specs))
	for i := range specs {
		index[specs[i].Name] = i
	}
	mark := make([]int, len(specs))
	order := make([]int, 0, len(specs))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch mark[i] {
		case done:
			return nil
		case active:
			s := &specs[i]
			return s.fieldErr("children", "cycle: %v", append(path, s.Name))
		}
		mark[i] = active
		for _, c := range specs[i].Children {
			if _, ok := byName[c]; !ok {
				continue
			}
			if err := visit(index[c], append(path, specs[i].Name)); err != nil {
				return err
			}
		}
		mark[i] = done
		order = append(order, i)
		return nil
	}
	for i := range specs {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

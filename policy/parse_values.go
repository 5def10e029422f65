package policy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"go.yaml.in/yaml/v3"
)

// recordTypes are the record types a record set may have.
var recordTypes = map[string]uint16{
	"A": dns.TypeA, "AAAA": dns.TypeAAAA, "CNAME": dns.TypeCNAME, "MX": dns.TypeMX,
	"TXT": dns.TypeTXT, "SRV": dns.TypeSRV, "CAA": dns.TypeCAA, "NS": dns.TypeNS,
	"PTR": dns.TypePTR, "SVCB": dns.TypeSVCB, "HTTPS": dns.TypeHTTPS,
	"NAPTR": dns.TypeNAPTR, "SPF": dns.TypeSPF, "DS": dns.TypeDS, "TLSA": dns.TypeTLSA, "SSHFP": dns.TypeSSHFP,
}

// recordTypeNames lists recordTypes in the order the format documents them.
var recordTypeNames = []string{"A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS", "PTR", "SVCB", "HTTPS",
	"NAPTR", "SPF", "DS", "TLSA", "SSHFP"}

const cnameType = dns.TypeCNAME

// RecordType is the type named name (case-insensitive) if a record set may have it:
// the one list for data files and the Corefile's compact records.
func RecordType(name string) (uint16, bool) {
	t, ok := recordTypes[strings.ToUpper(name)]
	return t, ok
}

// RecordTypeNames lists the types RecordType accepts, as the format documents them.
func RecordTypeNames() []string { return slices.Clone(recordTypeNames) }

// CheckRdata checks that value is RDATA of type typ for owner as a data file's value
// is checked: the one check for the Corefile's compact records too.
func CheckRdata(owner string, typ uint16, value string) error {
	if _, ok := addrRdata(typ, value); ok {
		return nil
	}
	return checkRdata(owner, typ, value)
}

func typeName(t uint16) string { return dns.TypeToString[t] }

// scalar returns the string value of n, which must be a non-null scalar.
func (p *parser) scalar(n *yaml.Node, path, want string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n.Line, path, "want %s", want)
	}
	return n.Value, nil
}

// text is a non-empty string scalar.
func (p *parser) text(n *yaml.Node, path, what string) (string, error) {
	s, err := p.scalar(n, path, what)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", p.errf(n.Line, path, "want %s, not an empty string", what)
	}
	return strings.TrimSpace(s), nil
}

// integer is an integer scalar in lo..hi.
func (p *parser) integer(n *yaml.Node, path string, lo, hi int64) (int64, error) {
	s, err := p.scalar(n, path, fmt.Sprintf("an integer %d..%d", lo, hi))
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, p.errf(n.Line, path, "must be %d..%d, not %q", lo, hi, s)
	}
	return v, nil
}

func (p *parser) uint32(n *yaml.Node, path string) (uint32, error) {
	v, err := p.integer(n, path, 0, math.MaxUint32)
	return uint32(v), err
}

// ttl is seconds (an integer) or a Go duration ("30s", "5m") in 0..MaxTTL seconds.
func (p *parser) ttl(n *yaml.Node, path string) (uint32, error) {
	const want = "a TTL: seconds 0..2147483647 or a duration like 30s or 5m"
	s, err := p.scalar(n, path, want)
	if err != nil {
		return 0, err
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		if v < 0 || v > MaxTTL {
			return 0, p.errf(n.Line, path, "must be 0..%d seconds, not %s", MaxTTL, s)
		}
		return uint32(v), nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, p.errf(n.Line, path, "want %s, not %q", want, s)
	case d < 0 || d > MaxTTL*time.Second:
		return 0, p.errf(n.Line, path, "must be 0..%d seconds, not %s", MaxTTL, s)
	case d%time.Second != 0:
		return 0, p.errf(n.Line, path, "must be whole seconds, not %s", s)
	}
	return uint32(d / time.Second), nil
}

// boolean is true or false.
func (p *parser) boolean(n *yaml.Node, path string) (bool, error) {
	s, err := p.scalar(n, path, "true or false")
	if err != nil {
		return false, err
	}
	if n.Tag != "!!bool" {
		return false, p.errf(n.Line, path, "want true or false, not %q", s)
	}
	return strconv.ParseBool(strings.ToLower(s))
}

// domainName is an absolute name (a trailing dot is added), stored lower-case.
func (p *parser) domainName(n *yaml.Node, path string) (string, error) {
	s, err := p.text(n, path, "a domain name")
	if err != nil {
		return "", err
	}
	if _, ok := dns.IsDomainName(s); !ok {
		return "", p.errf(n.Line, path, "%q is not a valid domain name", s)
	}
	return dns.CanonicalName(s), nil
}

// zoneOrigin turns a zones: key into a lower-case FQDN.
func zoneOrigin(key string) (string, error) {
	s := strings.TrimSpace(key)
	if s == "" {
		return "", errors.New("empty zone origin")
	}
	if _, ok := dns.IsDomainName(s); !ok || strings.Contains(s, "*") || !hostChars(s) {
		return "", fmt.Errorf("%q is not a valid zone origin", key)
	}
	return dns.CanonicalName(s), nil
}

// OwnerName resolves an owner name of records against origin: "@" is the origin,
// relative names are under it, absolute names (with a trailing dot) must be inside
// it and "*" may be the leftmost label (a wildcard). It is the one check of owner
// names, for data files and for the Corefile's compact records alike.
func OwnerName(owner, origin string) (string, error) {
	name := owner
	switch {
	case name == "":
		return "", errors.New("empty owner name (use \"@\" for the origin)")
	case name == "@":
		return origin, nil
	case !dns.IsFqdn(name) && origin == ".":
		name += "."
	case !dns.IsFqdn(name):
		name += "." + origin
	}
	if _, ok := dns.IsDomainName(name); !ok || !hostChars(name) {
		return "", fmt.Errorf("%q is not a valid owner name (letters, digits, \"-\", \"_\", \"/\", a leading \"*\")", owner)
	}
	name = strings.ToLower(name)
	for i, label := range dns.SplitDomainName(name) {
		if strings.Contains(label, "*") && (i > 0 || label != "*") {
			return "", fmt.Errorf("%q: a wildcard is \"*\" as the leftmost label only", owner)
		}
	}
	if !dns.IsSubDomain(origin, name) {
		return "", fmt.Errorf("%s is not inside the zone %s", name, origin)
	}
	return name, nil
}

// hostChars reports whether name holds only letters, digits, "-", "_", "/" (RFC 2317
// reverse zones), "*" and dots: no escapes, spaces or zone file syntax.
func hostChars(name string) bool {
	return !strings.ContainsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_/*.", r))
	})
}

// checkRdata checks that value is RDATA of type typ for owner: one line that
// dns.NewRR accepts, not empty, with absolute names only and, for TXT, quoted text
// when it has spaces.
func checkRdata(owner string, typ uint16, value string) error {
	tn := typeName(typ)
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("empty %s RDATA", tn)
	}
	if strings.ContainsAny(value, "\n\r") {
		return fmt.Errorf("%s RDATA must be on one line", tn)
	}
	line := owner + " 3600 IN " + tn + " " + value
	rr, err := dns.NewRR(line)
	if err != nil {
		msg, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "dns: "), " at line: ")
		return fmt.Errorf("not valid %s RDATA %q: %s", tn, value, msg)
	}
	if rr == nil || rr.Header().Rrtype != typ {
		return fmt.Errorf("not valid %s RDATA %q", tn, value)
	}
	if err := CheckHexRdata(rr); err != nil {
		return fmt.Errorf("not valid %s RDATA %q: %v", tn, value, err)
	}
	if empty, err := emptyRdata(rr); err != nil || empty {
		return fmt.Errorf("not valid %s RDATA %q: empty or unpackable", tn, value)
	}
	zp := dns.NewZoneParser(strings.NewReader(line), "relative.invalid.", "")
	if rel, ok := zp.Next(); !ok || rel.String() != rr.String() {
		return fmt.Errorf("%s RDATA %q has a relative name: end names with \".\"", tn, value)
	}
	if txt := textStrings(rr); len(txt) > 1 && !strings.Contains(value, `"`) {
		return fmt.Errorf("%s text with spaces must be quoted (RFC 1035): '\"%s\"'", tn, value)
	}
	return nil
}

// textStrings is the character strings of a TXT or SPF record (RFC 7208 §3.3: SPF
// has TXT's RDATA), nil for other types.
func textStrings(rr dns.RR) []string {
	switch t := rr.(type) {
	case *dns.TXT:
		return t.Txt
	case *dns.SPF:
		return t.Txt
	}
	return nil
}

func emptyRdata(rr dns.RR) (bool, error) {
	buf := make([]byte, dns.Len(rr)+1)
	if _, err := dns.PackRR(rr, buf, 0, nil, false); err != nil {
		return false, err
	}
	return rr.Header().Rdlength == 0, nil
}

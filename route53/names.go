package route53

import (
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Name limits of DNS (RFC 1035 §2.3.4), as Route 53 applies them.
const (
	maxNameLen  = 255 // wire octets
	maxLabelLen = 63
)

// NormalizeName returns name as Route 53 stores and lists it: lower-case, with a
// trailing dot, every octet other than a-z, 0-9, "-" and "_" written as a
// three-digit octal escape ("*" is "\052"). The input may use the same escapes, or
// "\" before any other character for that character. ok is false for an empty
// label, a label over 63 octets, a name over 255 octets or a broken escape.
func NormalizeName(name string) (string, bool) {
	labels, ok := splitName(name)
	if !ok {
		return "", false
	}
	return joinLabels(labels), true
}

// splitName decodes name into its labels (raw octets, lower-cased); the root is no
// label.
func splitName(name string) ([]string, bool) {
	if name == "" {
		return nil, false
	}
	if name == "." {
		return nil, true
	}
	var labels []string
	var cur []byte
	wire := 1
	end := func() bool {
		if len(cur) == 0 || len(cur) > maxLabelLen {
			return false
		}
		labels = append(labels, string(cur))
		wire += 1 + len(cur)
		cur = cur[:0]
		return true
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if !end() {
				return nil, false
			}
			continue
		case c == '\\' && i+3 < len(name) && isOctal(name[i+1]) && isOctal(name[i+2]) && isOctal(name[i+3]):
			v := int(name[i+1]-'0')<<6 | int(name[i+2]-'0')<<3 | int(name[i+3]-'0')
			if v > 255 {
				return nil, false
			}
			c = byte(v)
			i += 3
		case c == '\\' && i+1 < len(name) && !isOctal(name[i+1]):
			i++
			c = name[i]
		case c == '\\':
			return nil, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		cur = append(cur, c)
	}
	if len(cur) > 0 && !end() {
		return nil, false
	}
	if wire > maxNameLen {
		return nil, false
	}
	return labels, true
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// joinLabels writes labels in Route 53's listed form.
func joinLabels(labels []string) string {
	if len(labels) == 0 {
		return "."
	}
	var b strings.Builder
	for _, l := range labels {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
				b.WriteByte(c)
				continue
			}
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		}
		b.WriteByte('.')
	}
	return b.String()
}

// labelsOf splits a normalized name into its labels, still escaped.
func labelsOf(name string) []string {
	if name == "." {
		return nil
	}
	return strings.Split(strings.TrimSuffix(name, "."), ".")
}

// inZone reports whether the normalized name is zone or under it.
func inZone(name, zone string) bool {
	return name == zone || zone == "." || strings.HasSuffix(name, "."+zone)
}

// sortKey is a normalized name as Route 53 sorts it in ListResourceRecordSets: its
// labels (unescaped octets) reversed and joined with dots, with a trailing dot
// ("com.example.www."). Route 53 documents that the dots take part in the
// comparison, so "a-b.example.com." ("-" is below ".") sorts before "a.example.com.".
func sortKey(name string) string {
	labels, _ := splitName(name)
	var b strings.Builder
	for i := len(labels) - 1; i >= 0; i-- {
		b.WriteString(labels[i])
		b.WriteByte('.')
	}
	return b.String()
}

// dnsName is a normalized name in miekg/dns presentation form: decimal escapes, a
// leading "*" label as the wildcard. Only octets the policy format allows in owner
// names are left bare; the others keep an escape (and the policy parser refuses
// them).
func dnsName(name string) string {
	labels, _ := splitName(name)
	if len(labels) == 0 {
		return "."
	}
	var b strings.Builder
	for _, l := range labels {
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '/', c == '*':
				b.WriteByte(c)
			default:
				b.WriteByte('\\')
				b.WriteByte('0' + c/100)
				b.WriteByte('0' + c/10%10)
				b.WriteByte('0' + c%10)
			}
		}
		b.WriteByte('.')
	}
	return b.String()
}

// fromDNSName turns a miekg/dns presentation name (decimal escapes) into Route 53's
// normalized form.
func fromDNSName(name string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '\\' && i+3 < len(name) && isDigit(name[i+1]) && isDigit(name[i+2]) && isDigit(name[i+3]) {
			v := int(name[i+1]-'0')*100 + int(name[i+2]-'0')*10 + int(name[i+3]-'0')
			if v > 255 {
				return "", false
			}
			b.WriteByte('\\')
			b.WriteByte('0' + byte(v>>6))
			b.WriteByte('0' + byte(v>>3&7))
			b.WriteByte('0' + byte(v&7))
			i += 3
			continue
		}
		b.WriteByte(c)
	}
	if !strings.HasSuffix(b.String(), ".") {
		b.WriteByte('.')
	}
	return NormalizeName(b.String())
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkDomainName normalizes a hosted zone name, or fails with InvalidDomainName.
func checkDomainName(name string) (string, *apierr.Error) {
	n, ok := NormalizeName(name)
	if !ok || n == "." {
		return "", apierr.New("InvalidDomainName", 400, "%s is not a valid domain name", name)
	}
	return n, nil
}

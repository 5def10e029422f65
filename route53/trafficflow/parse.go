package trafficflow

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// Parse reads and validates a traffic policy document. A refused document is a
// *DocError listing every fault with its JSON path.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, &DocError{Problems: []Problem{{Path: rootPath, Msg: fmt.Sprintf("%d bytes, at most %d", len(data), MaxDocumentSize)}}}
	}
	if !utf8.Valid(data) {
		return nil, &DocError{Problems: []Problem{{Path: rootPath, Msg: "not UTF-8 text"}}}
	}
	root, p := decodeJSON(data)
	if p != nil {
		return nil, &DocError{Problems: []Problem{*p}}
	}
	ps := &parser{}
	doc := ps.document(root)
	if len(ps.problems) == 0 {
		ps.problems = doc.check()
	}
	if len(ps.problems) > 0 {
		return nil, &DocError{Problems: ps.problems}
	}
	doc.parsed = true
	return doc, nil
}

// parser turns the JSON tree into a Document, collecting problems as it goes.
type parser struct {
	problems []Problem
	version  string
}

func (p *parser) fail(path, format string, args ...any) {
	p.problems = append(p.problems, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// object checks that v is an object whose keys are all in allowed; it reports
// unknown keys and returns false when v is not an object.
func (p *parser) object(v *jval, what string, allowed ...string) bool {
	if !p.isObject(v, what) {
		return false
	}
	for i, k := range v.keys {
		known := false
		for _, a := range allowed {
			known = known || k == a
		}
		if !known {
			p.fail(v.vals[i].path, "unknown key (%s has %s)", what, strings.Join(allowed, ", "))
		}
	}
	return true
}

// isObject checks that v is an object, whatever its keys.
func (p *parser) isObject(v *jval, what string) bool {
	if v.kind != jObject {
		p.fail(v.path, "must be %s (an object), not %s", what, jkindNames[v.kind])
		return false
	}
	return true
}

var documentKeys = []string{"AWSPolicyFormatVersion", "RecordType", "StartEndpoint", "StartRule", "Endpoints", "Rules"}

// servedTypes are the record types a traffic policy may have here: Route 53's that
// coretraffic's policy format serves, less NS (a delegation is not routed).
// Route 53's traffic policy document format lists A AAAA CAA CNAME MX NAPTR PTR
// SPF SRV TXT: DS, TLSA and SSHFP are not routed by traffic policies there.
var servedTypes = []string{"A", "AAAA", "CAA", "CNAME", "HTTPS", "MX", "NAPTR", "PTR", "SPF", "SRV", "SVCB", "TXT"}

func (p *parser) document(root *jval) *Document {
	doc := &Document{Endpoints: map[string]*Endpoint{}, Rules: map[string]*Rule{}}
	if !p.object(root, "a traffic policy document", documentKeys...) {
		return doc
	}
	if v := p.required(root, "AWSPolicyFormatVersion"); v != nil {
		if s, ok := p.str(v); ok && s != Version20151001 && s != Version20230509 {
			p.fail(v.path, "must be %q or %q, not %q", Version20151001, Version20230509, s)
		} else {
			doc.FormatVersion = s
		}
	}
	p.version = doc.FormatVersion
	if v := p.required(root, "RecordType"); v != nil {
		if s, ok := p.str(v); ok {
			doc.RecordType = strings.ToUpper(s)
			if !contains(servedTypes, doc.RecordType) {
				p.fail(v.path, "%q is not a record type coretraffic serves from a traffic policy (%s)", s, strings.Join(servedTypes, " "))
			}
			doc.RRType = dns.StringToType[doc.RecordType]
		}
	}
	se, sr := root.field("StartEndpoint"), root.field("StartRule")
	switch {
	case se != nil && sr != nil:
		p.fail(sr.path, "a document has StartEndpoint or StartRule, not both")
	case se == nil && sr == nil:
		p.fail(rootPath, "missing StartEndpoint or StartRule")
	case se != nil:
		doc.StartEndpoint, _ = p.id(se)
	default:
		doc.StartRule, _ = p.id(sr)
	}
	if v := root.field("Endpoints"); v != nil && p.isObject(v, "the endpoints by ID") {
		for i, id := range v.keys {
			if p.idOK(v.vals[i].path, id) {
				doc.Endpoints[id] = p.endpoint(v.vals[i], doc)
				doc.Order = append(doc.Order, "Endpoints."+id)
			}
		}
	}
	if v := root.field("Rules"); v != nil && p.isObject(v, "the rules by ID") {
		for i, id := range v.keys {
			if p.idOK(v.vals[i].path, id) {
				doc.Rules[id] = p.rule(v.vals[i])
				doc.Order = append(doc.Order, "Rules."+id)
			}
		}
	}
	return doc
}

func (p *parser) required(obj *jval, key string) *jval {
	v := obj.field(key)
	if v == nil {
		p.fail(joinPath(obj.path, key), "missing")
	}
	return v
}

// maxIDLength bounds endpoint and rule IDs.
const maxIDLength = 255

// idOK checks an endpoint or rule ID: non-empty printable text.
func (p *parser) idOK(path, id string) bool {
	switch {
	case strings.TrimSpace(id) == "":
		p.fail(path, "an ID must not be empty")
	case len(id) > maxIDLength:
		p.fail(path, "an ID has at most %d characters", maxIDLength)
	case strings.ContainsFunc(id, func(r rune) bool { return r < ' ' || r == 0x7f }):
		p.fail(path, "an ID must not hold control characters")
	default:
		return true
	}
	return false
}

// id reads a reference to an endpoint or rule ID.
func (p *parser) id(v *jval) (string, bool) {
	s, ok := p.str(v)
	return s, ok && p.idOK(v.path, s)
}

var endpointTypes = []string{TypeValue, TypeCloudFront, TypeApplicationLoadBalancer, TypeElasticLoadBalancer,
	TypeNetworkLoadBalancer, TypeElasticBeanstalk, TypeS3Website}

func (p *parser) endpoint(v *jval, doc *Document) *Endpoint {
	e := &Endpoint{}
	if !p.object(v, "an endpoint", "Type", "Region", "Value") {
		return e
	}
	if t := p.required(v, "Type"); t != nil {
		e.Type, _ = p.str(t)
		switch {
		case e.Type == TypeValue:
		case contains(endpointTypes, e.Type):
			p.fail(t.path, "%q endpoints name an AWS resource that only AWS resolves; coretraffic serves \"value\" endpoints only (write the resource's addresses as value endpoints)", e.Type)
		default:
			p.fail(t.path, "unknown endpoint type %q (%s)", e.Type, strings.Join(endpointTypes, ", "))
		}
	}
	if r := v.field("Region"); r != nil {
		e.Region, _ = p.str(r)
		if e.Type == TypeValue {
			p.fail(r.path, "only s3-website endpoints have a Region")
		}
	}
	if val := p.required(v, "Value"); val != nil {
		e.Value, _ = p.str(val)
		if e.Type == TypeValue && doc.RRType != 0 {
			if msg := checkValue(doc.RRType, e.Value); msg != "" {
				p.fail(val.path, "%s", msg)
			}
		}
	}
	return e
}

// checkValue says what is wrong with value as RDATA of type t, or "". It parses as
// the policy compiler will, so an accepted value always compiles.
func checkValue(t uint16, value string) string {
	typ := dns.TypeToString[t]
	if strings.TrimSpace(value) == "" {
		return "empty value"
	}
	if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Sprintf("%q is not one line of %s data", value, typ)
	}
	rr, err := dns.NewRR("v.traffic.policy. 60 IN " + typ + " " + value)
	if err != nil || rr == nil {
		return fmt.Sprintf("%q is not %s data", value, typ)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

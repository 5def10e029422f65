package trafficflow

import (
	"strings"
)

var ruleTypes = []string{RuleFailover, RuleGeo, RuleLatency, RuleGeoproximity, RuleWeighted, RuleMultivalue}

// ruleLists are the keys that hold a rule's references, by rule type.
var ruleLists = map[string][]string{
	RuleFailover:     {"Primary", "Secondary"},
	RuleGeo:          {"Locations"},
	RuleLatency:      {"Regions"},
	RuleGeoproximity: {"GeoproximityLocations"},
	RuleWeighted:     {"Items"},
	RuleMultivalue:   {"Items"},
}

// refKeys are the keys of every reference; refExtra those of each rule type.
var (
	refKeys  = []string{"EndpointReference", "RuleReference", "EvaluateTargetHealth", "HealthCheck"}
	refExtra = map[string][]string{
		RuleGeo:          {"IsDefault", "Continent", "Country", "Subdivision"},
		RuleLatency:      {"Region"},
		RuleGeoproximity: {"Region", "Latitude", "Longitude", "Location", "Bias"},
		RuleWeighted:     {"Weight"},
	}
)

func (p *parser) rule(v *jval) *Rule {
	r := &Rule{}
	if v.kind != jObject {
		p.object(v, "a rule")
		return r
	}
	t := p.required(v, "RuleType")
	if t == nil {
		return r
	}
	r.Type, _ = p.str(t)
	lists, ok := ruleLists[r.Type]
	if !ok {
		if t.kind == jString {
			p.fail(t.path, "unknown rule type %q (%s)", r.Type, strings.Join(ruleTypes, ", "))
		}
		return r
	}
	if !p.object(v, "a "+r.Type+" rule", append([]string{"RuleType"}, lists...)...) {
		return r
	}
	if r.Type == RuleFailover {
		if pv := p.required(v, "Primary"); pv != nil {
			r.Primary = p.ref(pv, r.Type)
		}
		if sv := p.required(v, "Secondary"); sv != nil {
			r.Secondary = p.ref(sv, r.Type)
		}
		return r
	}
	lv := p.required(v, lists[0])
	if lv == nil {
		return r
	}
	if lv.kind != jArray {
		p.fail(lv.path, "must be a list, not %s", jkindNames[lv.kind])
		return r
	}
	if len(lv.vals) == 0 {
		p.fail(lv.path, "must not be empty")
	}
	refs := make([]*Ref, 0, len(lv.vals))
	for _, item := range lv.vals {
		refs = append(refs, p.ref(item, r.Type))
	}
	switch r.Type {
	case RuleGeo:
		r.Locations = refs
	case RuleLatency:
		r.Regions = refs
	case RuleGeoproximity:
		r.GeoproximityLocations = refs
	default:
		r.Items = refs
	}
	return r
}

// ref reads one reference of a rule of type rt.
func (p *parser) ref(v *jval, rt string) *Ref {
	ref := &Ref{EvaluateTargetHealth: true}
	if !p.object(v, "a "+rt+" reference", append(append([]string(nil), refKeys...), refExtra[rt]...)...) {
		return ref
	}
	ev, rv := v.field("EndpointReference"), v.field("RuleReference")
	switch {
	case ev != nil && rv != nil:
		p.fail(rv.path, "a reference has EndpointReference or RuleReference, not both")
	case ev == nil && rv == nil:
		p.fail(v.path, "missing EndpointReference or RuleReference")
	case ev != nil:
		ref.Endpoint, _ = p.id(ev)
	case rt == RuleMultivalue:
		p.fail(rv.path, "multivalue items name endpoints only (EndpointReference)")
	default:
		ref.Rule, _ = p.id(rv)
	}
	if e := v.field("EvaluateTargetHealth"); e != nil {
		ref.EvaluateTargetHealth, _ = p.boolean(e)
	}
	if h := v.field("HealthCheck"); h != nil {
		if s, ok := p.str(h); ok {
			if healthCheckID.MatchString(s) {
				ref.HealthCheck = s
			} else {
				p.fail(h.path, "%q is not a health check ID (letters, digits and \"-\", at most 64)", s)
			}
		}
	}
	switch rt {
	case RuleGeo:
		p.geoLocation(v, ref)
	case RuleLatency:
		if r := p.required(v, "Region"); r != nil {
			if s, ok := p.str(r); ok {
				if _, known := RegionByCode(s); known {
					ref.Region = s
				} else {
					p.fail(r.path, "unknown AWS region %q", s)
				}
			}
		}
	case RuleGeoproximity:
		p.geoproximity(v, ref)
	case RuleWeighted:
		if w := p.required(v, "Weight"); w != nil {
			ref.Weight, _ = p.integer(w, 0, 255)
		}
	}
	return ref
}

// geoLocation reads the match of a geo location: IsDefault (or Country "*"), a
// continent, a country, or US and one of its subdivisions.
func (p *parser) geoLocation(v *jval, ref *Ref) {
	if d := v.field("IsDefault"); d != nil {
		ref.IsDefault, _ = p.boolean(d)
	}
	cont, ctry, sub := v.field("Continent"), v.field("Country"), v.field("Subdivision")
	if cont != nil {
		if s, ok := p.str(cont); ok {
			if ref.Continent = strings.ToUpper(s); ContinentName(ref.Continent) == "" {
				p.fail(cont.path, "unknown continent %q (AF AN AS EU NA OC SA)", s)
			}
		}
	}
	if ctry != nil {
		if s, ok := p.str(ctry); ok {
			switch ref.Country = strings.ToUpper(s); {
			case s == "*":
				ref.Country, ref.IsDefault = "", true
			case !IsCountry(ref.Country):
				p.fail(ctry.path, "unknown country %q (ISO 3166-1 alpha-2, or \"*\" for the default)", s)
			}
		}
	}
	if sub != nil {
		if s, ok := p.str(sub); ok {
			switch ref.Subdivision = strings.ToUpper(s); {
			case ref.Country != "US":
				p.fail(sub.path, "a Subdivision needs Country \"US\" (Route 53 knows subdivisions of the United States only)")
			case !IsUSSubdivision(ref.Subdivision):
				p.fail(sub.path, "unknown subdivision %q of the United States (two-letter USPS code)", s)
			}
		}
	}
	switch {
	case cont != nil && (ctry != nil || sub != nil):
		p.fail(cont.path, "a location has Continent or Country, not both")
	case ref.IsDefault && (ref.Continent != "" || ref.Country != ""):
		p.fail(v.path, "the default location (IsDefault true or Country \"*\") has no Continent, Country or Subdivision")
	case !ref.IsDefault && cont == nil && ctry == nil:
		p.fail(v.path, "a location needs Continent, Country (\"*\" for the default) or IsDefault true")
	}
}

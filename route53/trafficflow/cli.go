package trafficflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The JSON the aws CLI prints for traffic policies and instances, read for import
// and written for export: get-traffic-policy (and the create-…, update-…-comment
// commands) print {"TrafficPolicy": {…}}, list-traffic-policy-versions prints
// {"TrafficPolicies": […], …}, get-traffic-policy-instance {"TrafficPolicyInstance":
// {…}} and list-traffic-policy-instances {"TrafficPolicyInstances": […], …}.

// cliOutput is any of those outputs; the paging fields are accepted and ignored.
type cliOutput struct {
	TrafficPolicy                   *TrafficPolicy          `json:"TrafficPolicy,omitempty"`
	TrafficPolicies                 []TrafficPolicy         `json:"TrafficPolicies,omitempty"`
	TrafficPolicyInstance           *TrafficPolicyInstance  `json:"TrafficPolicyInstance,omitempty"`
	TrafficPolicyInstances          []TrafficPolicyInstance `json:"TrafficPolicyInstances,omitempty"`
	Location                        string                  `json:"Location,omitempty"`
	IsTruncated                     *bool                   `json:"IsTruncated,omitempty"`
	TrafficPolicyVersionMarker      *string                 `json:"TrafficPolicyVersionMarker,omitempty"`
	HostedZoneIdMarker              *string                 `json:"HostedZoneIdMarker,omitempty"`
	TrafficPolicyInstanceNameMarker *string                 `json:"TrafficPolicyInstanceNameMarker,omitempty"`
	TrafficPolicyInstanceTypeMarker *string                 `json:"TrafficPolicyInstanceTypeMarker,omitempty"`
	MaxItems                        *string                 `json:"MaxItems,omitempty"`
}

// decodeCLI reads one output, or a JSON array of outputs (several commands' output
// gathered with jq -s), refusing unknown fields.
func decodeCLI(data []byte) ([]cliOutput, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var raws []json.RawMessage
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, err
		}
		var outs []cliOutput
		for i, r := range raws {
			o, err := decodeOne(r)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			outs = append(outs, o)
		}
		return outs, nil
	}
	o, err := decodeOne(trimmed)
	return []cliOutput{o}, err
}

func decodeOne(data []byte) (cliOutput, error) {
	var o cliOutput
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&o); err != nil {
		return o, err
	}
	if d.More() {
		return o, errors.New("data after the JSON document")
	}
	return o, nil
}

// ParseCLIPolicies reads traffic policy versions from the aws CLI's JSON and groups
// them into policies, in the order their IDs first appear, versions ascending. Each
// version's Document is parsed; its Type must be the document's RecordType. Deleted
// versions are not in the CLI's output: their numbers are gaps.
func ParseCLIPolicies(data []byte) ([]*Policy, error) {
	outs, err := decodeCLI(data)
	if err != nil {
		return nil, fmt.Errorf("traffic policy JSON: %w", err)
	}
	var tps []TrafficPolicy
	for _, o := range outs {
		if o.TrafficPolicy != nil {
			tps = append(tps, *o.TrafficPolicy)
		}
		tps = append(tps, o.TrafficPolicies...)
	}
	if len(tps) == 0 {
		return nil, errors.New("traffic policy JSON: no TrafficPolicy or TrafficPolicies")
	}
	var out []*Policy
	byID := map[string]*Policy{}
	for i, tp := range tps {
		where := fmt.Sprintf("traffic policy %d (%s version %d)", i+1, tp.Id, tp.Version)
		if err := checkCLIPolicy(tp); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		p := byID[tp.Id]
		if p == nil {
			p = &Policy{Id: tp.Id, Name: tp.Name}
			byID[tp.Id] = p
			out = append(out, p)
		}
		if p.Name != tp.Name {
			return nil, fmt.Errorf("%s: Name %q, but version %d is named %q", where, tp.Name, p.Versions[0].Version, p.Name)
		}
		if old := p.version(tp.Version); old != nil {
			if old.Document != tp.Document || old.Comment != tp.Comment {
				return nil, fmt.Errorf("%s: the version twice, differently", where)
			}
			continue
		}
		p.Versions = append(p.Versions, PolicyVersion{Version: tp.Version, Type: tp.Type, Document: tp.Document, Comment: tp.Comment})
	}
	names := map[string]string{}
	for _, p := range out {
		if other, dup := names[p.Name]; dup {
			return nil, fmt.Errorf("traffic policies %s and %s are both named %q", other, p.Id, p.Name)
		}
		names[p.Name] = p.Id
		slices.SortFunc(p.Versions, func(a, b PolicyVersion) int { return a.Version - b.Version })
	}
	return out, nil
}

func checkCLIPolicy(tp TrafficPolicy) error {
	switch {
	case tp.Id == "" || len(tp.Id) > maxIDLen:
		return fmt.Errorf("Id must be 1 to %d characters", maxIDLen)
	case tp.Version < 1 || tp.Version > 1000:
		return errors.New("Version must be 1..1000")
	case strings.TrimSpace(tp.Name) == "" || len(tp.Name) > maxNameLen:
		return fmt.Errorf("Name must be 1 to %d characters", maxNameLen)
	case len(tp.Comment) > maxCommentLen:
		return fmt.Errorf("Comment has at most %d characters", maxCommentLen)
	}
	d, err := Parse([]byte(tp.Document))
	if err != nil {
		return fmt.Errorf("Document: %w", err)
	}
	if d.RecordType != tp.Type {
		return fmt.Errorf("Type %q, but the document's RecordType is %q", tp.Type, d.RecordType)
	}
	return nil
}

// ParseCLIInstances reads traffic policy instances from the aws CLI's JSON. Names
// are stored as lower-case FQDNs; the hosted zones and policies they name are the
// importer's to check (CreateTrafficPolicyInstance does, given them).
func ParseCLIInstances(data []byte) ([]*TrafficPolicyInstance, error) {
	outs, err := decodeCLI(data)
	if err != nil {
		return nil, fmt.Errorf("traffic policy instance JSON: %w", err)
	}
	var out []*TrafficPolicyInstance
	seen := map[string]bool{}
	for _, o := range outs {
		list := o.TrafficPolicyInstances
		if o.TrafficPolicyInstance != nil {
			list = append([]TrafficPolicyInstance{*o.TrafficPolicyInstance}, list...)
		}
		for _, in := range list {
			in.HostedZoneId = strings.TrimPrefix(in.HostedZoneId, "/hostedzone/")
			if rest, ok := strings.CutPrefix(in.Name, `\052`); ok {
				in.Name = "*" + rest
			}
			in.Name = strings.ToLower(strings.TrimSuffix(in.Name, ".") + ".")
			switch {
			case in.Id == "" || len(in.Id) > maxIDLen || in.HostedZoneId == "" || in.TrafficPolicyId == "":
				return nil, fmt.Errorf("traffic policy instance %q: Id, HostedZoneId and TrafficPolicyId are required", in.Id)
			case seen[in.Id]:
				return nil, fmt.Errorf("traffic policy instance %s twice", in.Id)
			case in.TTL < 0 || in.TTL > maxTTL:
				return nil, fmt.Errorf("traffic policy instance %s: TTL %d out of range", in.Id, in.TTL)
			}
			seen[in.Id] = true
			out = append(out, &in)
		}
	}
	if len(out) == 0 && !hasInstanceKey(outs) {
		return nil, errors.New("traffic policy instance JSON: no TrafficPolicyInstance or TrafficPolicyInstances")
	}
	return out, nil
}

func hasInstanceKey(outs []cliOutput) bool {
	for _, o := range outs {
		if o.TrafficPolicyInstances != nil || o.TrafficPolicyInstance != nil {
			return true
		}
	}
	return false
}

// MarshalCLIPolicy writes version v of p as get-traffic-policy prints it.
func MarshalCLIPolicy(p *Policy, v int) ([]byte, error) {
	pv := p.version(v)
	if pv == nil {
		return nil, fmt.Errorf("traffic policy %s has no version %d", p.Id, v)
	}
	return marshalCLI(struct{ TrafficPolicy TrafficPolicy }{p.wire(pv)})
}

// MarshalCLIVersions writes p's versions that are not deleted as
// list-traffic-policy-versions prints them (one page, complete).
func MarshalCLIVersions(p *Policy) ([]byte, error) {
	o := struct {
		TrafficPolicies            []TrafficPolicy
		IsTruncated                bool
		TrafficPolicyVersionMarker string
		MaxItems                   string
	}{TrafficPolicies: []TrafficPolicy{}, MaxItems: "100"}
	for _, v := range p.live() {
		o.TrafficPolicies = append(o.TrafficPolicies, p.wire(&v))
	}
	return marshalCLI(o)
}

// MarshalCLIInstances writes instances as list-traffic-policy-instances prints them.
func MarshalCLIInstances(list []*TrafficPolicyInstance) ([]byte, error) {
	o := struct {
		TrafficPolicyInstances []TrafficPolicyInstance
		IsTruncated            bool
		MaxItems               string
	}{TrafficPolicyInstances: []TrafficPolicyInstance{}, MaxItems: "100"}
	for _, in := range list {
		o.TrafficPolicyInstances = append(o.TrafficPolicyInstances, *in)
	}
	return marshalCLI(o)
}

// marshalCLI indents as the aws CLI does: four spaces, no HTML escaping.
func marshalCLI(o any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "    ")
	if err := e.Encode(o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

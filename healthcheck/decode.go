package healthcheck

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseFile reads a coretraffic data file whose only top-level key is checks: and
// returns its checks, normalized and validated as a set.
func ParseFile(path string) ([]Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, bytes.NewReader(b))
}

// Parse is ParseFile on a reader; file is used in error messages only.
func Parse(file string, r io.Reader) ([]Spec, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line, Msg: "the top level must be a mapping with a checks: key"}
	}
	var specs []Spec
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "checks" {
			return nil, &Error{File: file, Line: k.Line, Path: k.Value, Msg: "unknown top-level key (a checks file has only checks:)"}
		}
		s, err := DecodeChecks(file, v)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s...)
	}
	if err := ValidateSet(specs); err != nil {
		return nil, err
	}
	return specs, nil
}

// DecodeChecks decodes the value node of a checks: key — a mapping from check name to
// definition — into normalized Specs, each validated on its own. Cross-references
// (calculated children) are checked by ValidateSet once every check is known.
func DecodeChecks(file string, node *yaml.Node) ([]Spec, error) {
	node = deref(node)
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil, nil
	}
	if node.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: node.Line, Path: "checks", Msg: "must be a mapping of check name to definition"}
	}
	specs := make([]Spec, 0, len(node.Content)/2)
	seen := make(map[string]int)
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], deref(node.Content[i+1])
		if l, dup := seen[k.Value]; dup {
			return nil, &Error{File: file, Line: k.Line, Path: "checks." + k.Value, Msg: fmt.Sprintf("defined twice (first at line %d)", l)}
		}
		seen[k.Value] = k.Line
		s, err := decodeCheck(file, k, v)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

func decodeCheck(file string, k, v *yaml.Node) (Spec, error) {
	s := Spec{Name: k.Value, Pos: Pos{File: file, Line: k.Line, Fields: map[string]int{}}}
	if v.Kind != yaml.MappingNode {
		return s, s.fieldErr("", "must be a mapping of fields")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "type" {
			s.Pos.Fields["type"] = v.Content[i].Line
			t, err := ParseType(deref(v.Content[i+1]).Value)
			if err != nil {
				return s, s.fieldErr("type", "%v", err)
			}
			s.Type = t
		}
	}
	if s.Type == "" {
		return s, s.fieldErr("type", "missing (want %s)", typeList)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		fk, fv := v.Content[i], deref(v.Content[i+1])
		name := fk.Value
		if name == "type" {
			continue
		}
		if _, dup := s.Pos.Fields[name]; dup {
			return s, &Error{File: file, Line: fk.Line, Path: "checks." + s.Name + "." + name, Msg: "set twice"}
		}
		s.Pos.Fields[name] = fk.Line
		val, err := nodeValue(name, fv)
		if err == nil {
			err = setField(&s, name, val)
		}
		if err != nil {
			return s, s.fieldErr(name, "%v", err)
		}
	}
	s.Normalize()
	return s, s.Validate()
}

// nodeValue converts a YAML node into a field value of the shape field name wants.
func nodeValue(name string, n *yaml.Node) (value, error) {
	f, ok := fields[name]
	if !ok {
		return value{}, fmt.Errorf("unknown field")
	}
	switch f.kind {
	case kindList:
		if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			return value{list: []string{n.Value}}, nil
		}
		if n.Kind != yaml.SequenceNode {
			return value{}, fmt.Errorf("want a list")
		}
		var v value
		for _, c := range n.Content {
			c = deref(c)
			if c.Kind != yaml.ScalarNode {
				return value{}, fmt.Errorf("want a list of scalars")
			}
			v.list = append(v.list, c.Value)
		}
		return v, nil
	case kindMap:
		if n.Kind != yaml.MappingNode {
			return value{}, fmt.Errorf("want a mapping")
		}
		var v value
		for i := 0; i+1 < len(n.Content); i += 2 {
			hv := deref(n.Content[i+1])
			if hv.Kind != yaml.ScalarNode {
				return value{}, fmt.Errorf("want a mapping of strings")
			}
			v.pairs = append(v.pairs, Header{Name: n.Content[i].Value, Value: hv.Value})
		}
		return v, nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return value{}, fmt.Errorf("want a single value")
	}
	return value{s: n.Value}, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Inline builds a Spec from a Corefile-style line:
//
//	NAME TYPE [POSITIONAL] [FIELD=VALUE...]
//
// POSITIONAL is the url (http, https), target (tcp, dns, grpc) or the children
// (calculated). List values are comma-separated; headers are header=Name:Value,
// repeatable. file and line go into errors. The result is normalized and validated
// on its own.
func Inline(file string, line int, args []string) (Spec, error) {
	s := Spec{Pos: Pos{File: file, Line: line, Fields: map[string]int{}}}
	if len(args) < 2 {
		return s, &Error{File: file, Line: line, Msg: "want: check NAME TYPE [TARGET] [field=value...]"}
	}
	s.Name = args[0]
	t, err := ParseType(args[1])
	if err != nil {
		return s, s.fieldErr("type", "%v", err)
	}
	s.Type = t
	rest := args[2:]
	if len(rest) > 0 && !isFieldArg(rest[0]) {
		rest = append([]string{positional[t] + "=" + rest[0]}, rest[1:]...)
	}
	var headers []Header
	for _, kv := range rest {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return s, s.fieldErr("", "want field=value, got %q", kv)
		}
		if name == "header" || name == "headers" {
			hn, hv, _ := strings.Cut(val, ":")
			headers = append(headers, Header{Name: strings.TrimSpace(hn), Value: strings.TrimSpace(hv)})
			continue
		}
		if _, dup := s.Pos.Fields[name]; dup {
			return s, s.fieldErr(name, "set twice")
		}
		s.Pos.Fields[name] = line
		if err := setField(&s, name, inlineValue(name, val)); err != nil {
			return s, s.fieldErr(name, "%v", err)
		}
	}
	if len(headers) > 0 {
		if err := setField(&s, "headers", value{pairs: headers}); err != nil {
			return s, s.fieldErr("headers", "%v", err)
		}
	}
	s.Normalize()
	return s, s.Validate()
}

func inlineValue(name, val string) value {
	if f, ok := fields[name]; ok && f.kind == kindList {
		return value{list: strings.Split(val, ",")}
	}
	return value{s: val}
}

// isFieldArg reports whether arg is field=value for a known field (or header=).
func isFieldArg(arg string) bool {
	name, _, ok := strings.Cut(arg, "=")
	if !ok {
		return false
	}
	_, known := fields[name]
	return known || name == "header"
}

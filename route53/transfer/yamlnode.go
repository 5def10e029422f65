package transfer

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Helpers to build a YAML document in key order, with the encoder quoting what
// needs it (a "*" location, a "10 mail." value).

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func seq() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode} }

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func integer(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}

func float(f float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// add appends key: value to a mapping.
func add(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, str(key), value)
}

// flow makes a mapping or sequence print on one line ({value: …, check: …}).
func flow(n *yaml.Node) *yaml.Node {
	n.Style = yaml.FlowStyle
	return n
}

package policy

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Field paths name what an error is about the way the data format writes it:
// zones.example.net.records.www.A.weighted[0].check. The parser builds them from
// the keys it reads; the compiler, which sees record sets rather than keys, builds
// the same from the zone, owner and type (FieldPath), so that every error of a
// load — parse or compile — names a node in one style, with that node's line.

// FieldPath is the field path of the record set of type t at owner in the zone
// origin: the zone without its trailing dot, the owner relative to it ("@" for the
// apex). origin "" (a record set compiled on its own) gives the owner in full.
func FieldPath(origin, owner string, t uint16) string {
	typ := dns.TypeToString[t]
	if typ == "" {
		typ = fmt.Sprintf("TYPE%d", t)
	}
	if origin == "" {
		return "records." + trimDot(owner) + "." + typ
	}
	return "zones." + trimDot(origin) + ".records." + relativeOwner(owner, origin) + "." + typ
}

// relativeOwner is owner as written under records: of origin's zone.
func relativeOwner(owner, origin string) string {
	switch {
	case owner == origin:
		return "@"
	case origin == ".":
		return trimDot(owner)
	case strings.HasSuffix(owner, "."+origin):
		return strings.TrimSuffix(owner, "."+origin)
	}
	return owner
}

// trimDot is a name without its trailing dot, as zone keys are usually written;
// the root stays ".".
func trimDot(name string) string {
	if name == "." {
		return name
	}
	return strings.TrimSuffix(name, ".")
}

// ruleKey is the key a node's children are written under: its rule's name, or
// values for the shorthand.
func ruleKey(n *Node) string {
	if n.Rule == RuleSimple && len(n.Children) > 0 && n.Children[0].Listed {
		return "values"
	}
	return n.Rule.String()
}

// leafPath is the field path of a leaf's value: fpath itself for an item of
// values:, fpath.value for a value: node.
func leafPath(n *Node, fpath string) string {
	if n.Listed {
		return fpath
	}
	return join(fpath, "value")
}

// posErr is an error at pos about the field at path.
func posErr(pos Pos, path, format string, args ...any) error {
	return &ParseError{File: pos.File, Line: pos.Line, Path: path, Msg: fmt.Sprintf(format, args...)}
}

package policy

import (
	"fmt"
	"strconv"
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
// values for the shorthand, or kubernetes for a Service's addresses.
func ruleKey(n *Node) string {
	if n.Kube != nil {
		return "kubernetes"
	}
	if n.Rule == RuleSimple && len(n.Children) > 0 && n.Children[0].Listed {
		return "values"
	}
	return n.Rule.String()
}

// fieldPath turns a tree path of the set being compiled (www.example.net./A/0/1,
// which labels nodes) into the field path of the same node, following aliases
// into their targets as the compiler inlines them: a node inside an alias target
// is named by the target's own path, so that line and path of an error are those
// of one node. It runs only for an error.
func (c *treeCompiler) fieldPath(path string) string {
	_, fp := c.walk(path)
	return fp
}

// valuePath is the field path of the value of the node at tree path path (with
// "/all_down": its fallback): the node's path itself for an item of values:.
func (c *treeCompiler) valuePath(path string) string {
	if p, ok := strings.CutSuffix(path, "/all_down"); ok {
		return join(c.fieldPath(p), "all_down.value")
	}
	n, fp := c.walk(path)
	if n != nil && n.Listed {
		return fp
	}
	return join(fp, "value")
}

// walk follows tree path path from the set's root to its node and field path; it
// stops at the last node it can reach.
func (c *treeCompiler) walk(path string) (*Node, string) {
	rest := strings.TrimPrefix(path, c.rs.Name+"/"+dns.TypeToString[c.rs.Type])
	n, fp := c.rs.Root, FieldPath(c.origin, c.rs.Name, c.rs.Type)
	for _, step := range strings.Split(rest, "/")[1:] {
		j, err := strconv.Atoi(step)
		if err != nil || n == nil {
			break
		}
		if n.Rule == RuleAlias {
			var t *RecordSet
			if c.lookup != nil {
				t = c.lookup(n.Alias, c.rs.Type)
			}
			if t == nil {
				break
			}
			n, fp = t.Root, FieldPath(c.origin, t.Name, t.Type)
			continue
		}
		if j >= len(n.Children) {
			break
		}
		fp, n = index(join(fp, ruleKey(n)), j), n.Children[j]
	}
	return n, fp
}

// posErr is an error at pos about the field at path.
func posErr(pos Pos, path, format string, args ...any) error {
	return &ParseError{File: pos.File, Line: pos.Line, Path: path, Msg: fmt.Sprintf(format, args...)}
}

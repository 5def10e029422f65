package checks

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Bounds of a request document: Route 53 health check requests are a few dozen
// elements (256 children at most), so anything far larger is refused unread.
const (
	maxDepth = 6
	maxNodes = 1024
)

// node is one element of a request document: its local name, its text (for leaves)
// and its child elements in order.
type node struct {
	name string
	text string
	kids []*node
}

// parseTree reads one XML document whose every element is in Route 53's namespace.
// Attributes other than xmlns are refused, mixed content is refused, and so is
// anything after the root element.
func parseTree(r io.Reader, root string) (*node, *apierr.Error) {
	d := xml.NewDecoder(r)
	var stack []*node
	var top *node
	count := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apierr.InvalidInput("Could not parse the request XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if top != nil && len(stack) == 0 {
				return nil, apierr.InvalidInput("Unexpected element %s after the %s document", t.Name.Local, root)
			}
			if t.Name.Space != apierr.Namespace {
				return nil, apierr.InvalidInput("Element %s is not in the namespace %s", t.Name.Local, apierr.Namespace)
			}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
					return nil, apierr.InvalidInput("Unexpected attribute %s on %s", a.Name.Local, t.Name.Local)
				}
			}
			if count++; count > maxNodes || len(stack) >= maxDepth {
				return nil, apierr.InvalidInput("The request document is too large or too deeply nested")
			}
			n := &node{name: t.Name.Local}
			if len(stack) == 0 {
				if n.name != root {
					return nil, apierr.InvalidInput("The root element must be %s, not %s", root, n.name)
				}
				top = n
			} else {
				parent := stack[len(stack)-1]
				if strings.TrimSpace(parent.text) != "" {
					return nil, apierr.InvalidInput("Element %s has both text and elements", parent.name)
				}
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(t)) != "" {
					return nil, apierr.InvalidInput("Text outside the %s element", root)
				}
				continue
			}
			n := stack[len(stack)-1]
			if len(n.kids) > 0 && strings.TrimSpace(string(t)) != "" {
				return nil, apierr.InvalidInput("Element %s has both text and elements", n.name)
			}
			n.text += string(t)
		}
	}
	if top == nil {
		return nil, apierr.InvalidInput("The request has no %s document", root)
	}
	return top, nil
}

// fields checks that n's children are among allowed, each at most once, and
// returns them by name. Text is kept as sent (a SearchString may start with a
// space); numbers and booleans are trimmed where they are parsed.
func (n *node) fields(allowed ...string) (map[string]*node, *apierr.Error) {
	out := make(map[string]*node, len(n.kids))
	for _, k := range n.kids {
		ok := false
		for _, a := range allowed {
			if k.name == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, apierr.InvalidInput("Unknown element %s in %s", k.name, n.name)
		}
		if _, dup := out[k.name]; dup {
			return nil, apierr.InvalidInput("Element %s appears twice in %s", k.name, n.name)
		}
		out[k.name] = k
	}
	return out, nil
}

// list returns the texts of n's children, which must all be called item.
func (n *node) list(item string) ([]string, *apierr.Error) {
	out := make([]string, 0, len(n.kids))
	for _, k := range n.kids {
		if k.name != item {
			return nil, apierr.InvalidInput("Unknown element %s in %s, expected %s", k.name, n.name, item)
		}
		if len(k.kids) > 0 {
			return nil, apierr.InvalidInput("Element %s must hold text", item)
		}
		out = append(out, k.text)
	}
	return out, nil
}

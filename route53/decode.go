package route53

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// MaxRequestBody caps a request document: Route 53's change batch limits (1,000
// records, 32,000 characters of values) fit well within it.
const MaxRequestBody = 1 << 20

// Decode reads one request document into v (a pointer to a *Request type of this
// package) strictly, as Route 53's schema validation does: the root element must be
// v's, every element must be in Route 53's namespace, unknown elements, text where
// elements belong, and repeated single elements are refused, and numbers and
// booleans must parse. Every refusal is InvalidInput (400), the code Route 53
// answers malformed documents with and the SDKs parse as *types.InvalidInput.
func Decode(r io.Reader, v any) *apierr.Error {
	body, err := io.ReadAll(io.LimitReader(r, MaxRequestBody+1))
	if err != nil {
		return apierr.InvalidInput("Could not read the request body: %v", err)
	}
	if len(body) > MaxRequestBody {
		return apierr.InvalidInput("The request body is larger than %d bytes", MaxRequestBody)
	}
	rt := reflect.TypeOf(v)
	if rt == nil || rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Struct {
		panic("route53.Decode: v must be a pointer to a struct")
	}
	if e := validateXML(body, rt.Elem()); e != nil {
		return e
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return apierr.InvalidInput("Invalid XML ; %s", xmlErrText(err))
	}
	return nil
}

// xnode is the shape of an element: its allowed children by local name, or a leaf
// holding text.
type xnode struct {
	children map[string]*xchild
}

type xchild struct {
	node     *xnode // nil: a leaf (text only)
	repeated bool
}

var shapes sync.Map // reflect.Type → *xnode

// shapeOf builds the element shape of a struct type from its xml tags: "A" is a
// child A; "A>B" is a child A holding B (a list's members when the field is a slice).
func shapeOf(t reflect.Type) *xnode {
	if s, ok := shapes.Load(t); ok {
		return s.(*xnode)
	}
	n := &xnode{children: map[string]*xchild{}}
	shapes.Store(t, n) // before the fields: a recursive type refers to itself
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("xml")
		if f.Name == "XMLName" || tag == "-" || strings.Contains(tag, ",attr") || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		path := strings.Split(name, ">")
		ft := f.Type
		repeated := false
		if ft.Kind() == reflect.Slice {
			ft, repeated = ft.Elem(), true
		}
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var leaf *xnode
		if ft.Kind() == reflect.Struct {
			leaf = shapeOf(ft)
		}
		cur := n
		for j, p := range path {
			if j == len(path)-1 {
				cur.children[p] = &xchild{node: leaf, repeated: repeated}
				break
			}
			c, ok := cur.children[p]
			if !ok {
				c = &xchild{node: &xnode{children: map[string]*xchild{}}}
				cur.children[p] = c
			}
			cur = c.node
		}
	}
	return n
}

// validateXML walks the document's tokens against the shape of t.
func validateXML(body []byte, t reflect.Type) *apierr.Error {
	root := t.Name()
	if f, ok := t.FieldByName("XMLName"); ok {
		if tag := f.Tag.Get("xml"); tag != "" {
			_, root, _ = strings.Cut(tag, " ")
		}
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	seenRoot := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return apierr.InvalidInput("Invalid XML ; %s", xmlErrText(err))
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if seenRoot {
				return apierr.InvalidInput("Invalid XML ; content is not allowed after the root element")
			}
			seenRoot = true
			if tk.Name.Local != root || tk.Name.Space != Namespace {
				return apierr.InvalidInput("Invalid XML ; cvc-elt.1: Cannot find the declaration of element '%s' in namespace '%s' (want '%s' in '%s')", tk.Name.Local, tk.Name.Space, root, Namespace)
			}
			if e := noAttributes(tk, root); e != nil {
				return e
			}
			if e := walk(d, shapeOf(t), root); e != nil {
				return e
			}
		case xml.CharData:
			if len(bytes.TrimSpace(tk)) > 0 {
				return apierr.InvalidInput("Invalid XML ; content is not allowed outside the root element")
			}
		case xml.Directive:
			return apierr.InvalidInput("Invalid XML ; DOCTYPE is disallowed")
		}
	}
	if !seenRoot {
		return apierr.InvalidInput("Invalid XML ; the document has no root element")
	}
	return nil
}

// walk checks the children of the element just opened, up to its end.
func walk(d *xml.Decoder, n *xnode, path string) *apierr.Error {
	seen := map[string]bool{}
	for {
		tok, err := d.Token()
		if err != nil {
			return apierr.InvalidInput("Invalid XML ; %s", xmlErrText(err))
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			if n != nil && len(bytes.TrimSpace(tk)) > 0 {
				return apierr.InvalidInput("Invalid XML ; cvc-complex-type.2.3: Element '%s' cannot have character [children]", path)
			}
		case xml.Directive:
			return apierr.InvalidInput("Invalid XML ; DOCTYPE is disallowed")
		case xml.StartElement:
			if n == nil {
				return apierr.InvalidInput("Invalid XML ; cvc-type.3.1.2: Element '%s' is a simple type, so it must have no element information item [children]", path)
			}
			c, ok := n.children[tk.Name.Local]
			if !ok || tk.Name.Space != Namespace {
				return apierr.InvalidInput("Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element '%s' in '%s'. One of '{%s}' is expected.", tk.Name.Local, path, strings.Join(childNames(n), ", "))
			}
			if seen[tk.Name.Local] && !c.repeated {
				return apierr.InvalidInput("Invalid XML ; cvc-complex-type.2.4.d: Invalid content was found starting with element '%s' in '%s'. No child element is expected at this point.", tk.Name.Local, path)
			}
			seen[tk.Name.Local] = true
			if e := noAttributes(tk, tk.Name.Local); e != nil {
				return e
			}
			if e := walk(d, c.node, path+"."+tk.Name.Local); e != nil {
				return e
			}
		}
	}
}

// noAttributes refuses attributes other than namespace declarations: Route 53's
// schema has none.
func noAttributes(se xml.StartElement, name string) *apierr.Error {
	for _, a := range se.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		return apierr.InvalidInput("Invalid XML ; cvc-complex-type.3.2.2: Attribute '%s' is not allowed to appear in element '%s'.", a.Name.Local, name)
	}
	return nil
}

func childNames(n *xnode) []string {
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, `"`+Namespace+`":`+k)
	}
	slices.Sort(names)
	return names
}

// xmlErrText is an encoding/xml or strconv error without Go's package prefixes.
func xmlErrText(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	s := err.Error()
	s = strings.TrimPrefix(s, "strconv.ParseInt: ")
	s = strings.TrimPrefix(s, "strconv.ParseBool: ")
	return s
}

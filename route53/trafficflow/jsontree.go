package trafficflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// jkind is the kind of a JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

var jkindNames = [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}

// jval is one decoded JSON value. Objects keep their keys in document order, so
// problems are reported in the order they were written; numbers keep their literal,
// so "51.50" and 51.50 both show how many decimals were written.
type jval struct {
	kind  jkind
	text  string // jString: the string; jNumber: the literal
	b     bool
	keys  []string // jObject
	vals  []*jval  // jObject: by keys; jArray: the items
	path  string   // where the value is, for problems
	bytes int64    // offset just after the value, for syntax problems
}

// field returns an object's value for key, or nil.
func (v *jval) field(key string) *jval {
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// maxJSONDepth bounds nesting: a document needs five levels
// (Rules.id.Locations[i].Location), so anything deep is malformed.
const maxJSONDepth = 16

// decodeJSON decodes one JSON document strictly: a duplicate key, nesting deeper than
// maxJSONDepth and anything after the document are problems, each at its path.
func decodeJSON(data []byte) (*jval, *Problem) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, p := decodeValue(d, rootPath, 0)
	if p != nil {
		return nil, p
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, &Problem{Path: rootPath, Msg: fmt.Sprintf("data after the JSON document, at byte %d", d.InputOffset())}
	}
	return v, nil
}

func decodeValue(d *json.Decoder, path string, depth int) (*jval, *Problem) {
	tok, err := d.Token()
	if err != nil {
		return nil, syntaxProblem(d, path, err)
	}
	v := &jval{path: path}
	switch t := tok.(type) {
	case nil:
		v.kind = jNull
	case bool:
		v.kind, v.b = jBool, t
	case json.Number:
		v.kind, v.text = jNumber, string(t)
	case string:
		v.kind, v.text = jString, t
	case json.Delim:
		if depth >= maxJSONDepth {
			return nil, &Problem{Path: path, Msg: fmt.Sprintf("nested deeper than %d levels", maxJSONDepth)}
		}
		if t == '[' {
			v.kind = jArray
			for i := 0; d.More(); i++ {
				item, p := decodeValue(d, fmt.Sprintf("%s[%d]", path, i), depth+1)
				if p != nil {
					return nil, p
				}
				v.vals = append(v.vals, item)
			}
		} else {
			v.kind = jObject
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, syntaxProblem(d, path, err)
				}
				key := kt.(string) // the decoder only returns string keys inside objects
				kp := joinPath(path, key)
				if v.field(key) != nil {
					return nil, &Problem{Path: kp, Msg: "duplicate key"}
				}
				val, p := decodeValue(d, kp, depth+1)
				if p != nil {
					return nil, p
				}
				v.keys, v.vals = append(v.keys, key), append(v.vals, val)
			}
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return nil, syntaxProblem(d, path, err)
		}
	}
	v.bytes = d.InputOffset()
	return v, nil
}

func syntaxProblem(d *json.Decoder, path string, err error) *Problem {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Problem{Path: path, Msg: "invalid JSON: the document ends early"}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Problem{Path: path, Msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)}
	}
	return &Problem{Path: path, Msg: fmt.Sprintf("invalid JSON at byte %d: %v", d.InputOffset(), err)}
}

// rootPath names the document itself in problems about it as a whole.
const rootPath = "Document"

// plainKey reports whether a key is letters, digits, "_" and "-" only.
func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for _, c := range []byte(key) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// joinPath is path.key; a key that is not plain letters, digits, "_" and "-" is
// written quoted (Rules["a.b"]), so the path reads back unambiguously.
func joinPath(path, key string) string {
	if !plainKey(key) {
		k := `[` + strconv.Quote(key) + `]`
		if path == rootPath {
			return k
		}
		return path + k
	}
	if path == rootPath {
		return key
	}
	return path + "." + key
}

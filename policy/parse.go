package policy

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/healthcheck"

	"go.yaml.in/yaml/v3"
)

// ParseError is an error in a data file: where it is, the path of the field
// (zones.example.net.records.www.A.weighted[0].weight) and what is wrong. It is the
// healthcheck package's Error: one data format, one error type, so a caller tells
// zone and check errors apart by Path alone.
type ParseError = healthcheck.Error

// ParseFile reads the data file at path: zones and checks.
func ParseFile(path string) (*Data, []healthcheck.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return Parse(path, bytes.NewReader(b))
}

// Parse reads a data file: zones and checks. file is used in error messages.
//
// Check names used by leaves are not resolved here; the checks of the file's own
// checks: section are decoded by healthcheck.DecodeChecks and returned, each
// validated on its own (the caller validates them as a set with the checks it
// knows from elsewhere).
func Parse(file string, r io.Reader) (*Data, []healthcheck.Spec, error) {
	p := &parser{file: file}
	root, err := p.document(r)
	if err != nil {
		return nil, nil, err
	}
	if root == nil || root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		// Nothing, or only comments: Where's line 0 says so.
		return &Data{Where: Pos{File: file}}, nil, nil
	}
	top, err := p.mapping(root, "", "the top level must be a mapping with zones:, checks:, regions:, latency: and cidr_collections:")
	if err != nil {
		return nil, nil, err
	}
	d := &Data{Where: Pos{File: file, Line: root.Line}}
	var specs []healthcheck.Spec
	// regions: first, then latency:, wherever they are in the file: latency: names
	// regions, the zones' nodes name both, and collections.
	for _, key := range []string{"regions", "latency", "cidr_collections"} {
		for _, e := range top {
			switch {
			case e.key != key:
			case key == "regions":
				d.Regions, err = p.regionSection(e.v)
			case key == "latency":
				d.Latency, err = p.latencySection(e)
			default:
				d.CIDRCollections, d.Files, err = p.collectionSection(e.v)
			}
			if err != nil {
				return nil, nil, err
			}
		}
	}
	for _, e := range top {
		switch e.key {
		case "regions", "latency", "cidr_collections":
		case "zones":
			d.Where.Line = e.k.Line
			if d.Zones, err = p.zones(e.v); err != nil {
				return nil, nil, err
			}
		case "checks":
			if specs, err = healthcheck.DecodeChecks(p.file, e.v); err != nil {
				return nil, nil, err
			}
			d.Checks = len(specs)
		default:
			return nil, nil, p.errf(e.k.Line, e.key, "unknown top-level key (want %s)", strings.Join(topKeys, ", "))
		}
	}
	return d, specs, nil
}

// parser holds what the parse of one file shares.
type parser struct {
	file    string
	aliased int                        // nodes built from YAML aliases
	rdata   map[string]error           // checkRdata's answers by type and value
	regions map[string]*Region         // the file's regions: by name
	colls   map[string]*CIDRCollection // the file's cidr_collections: by name
	latency *LatencyTable              // the file's latency: section
	origin  string                     // the zone being read: alias targets are relative to it
}

// checkRdata is checkRdata, remembered: aliases repeat values. Addresses are
// checked without the zone parser and not remembered (cheaper than the memo).
func (p *parser) checkRdata(rs *RecordSet, value string) error {
	if _, ok := addrRdata(rs.Type, value); ok {
		return nil
	}
	key := typeName(rs.Type) + " " + value
	err, ok := p.rdata[key]
	if !ok {
		err = checkRdata(rs.Name, rs.Type, value)
		if p.rdata == nil {
			p.rdata = map[string]error{}
		}
		p.rdata[key] = err
	}
	return err
}

func (p *parser) errf(line int, path, format string, args ...any) error {
	return &ParseError{File: p.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)}
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// document decodes the only YAML document of r; nil for an empty file.
func (p *parser) document(r io.Reader) (*yaml.Node, error) {
	start := int64(-1)
	if s, ok := r.(io.Seeker); ok {
		if at, err := s.Seek(0, io.SeekCurrent); err == nil {
			start = at
		}
	}
	cr := &countingReader{r: r}
	dec := yaml.NewDecoder(cr)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, p.decodeErr(err, r, start, cr.n)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil: // a broken second document
		return nil, p.decodeErr(err, r, start, cr.n)
	default:
		return nil, p.errf(max(extra.Line, 1), "", "a data file holds one YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return deref(root), nil
}

// decodeErr is the error for a failed decode of r: at the decoder's line, or
// where unplaced finds it.
func (p *parser) decodeErr(err error, r io.Reader, start, read int64) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return p.errf(line, "", "invalid YAML: %s", m[2])
	}
	return p.unplaced(r, start, read, strings.TrimPrefix(err.Error(), "yaml: "))
}

// unplaced is the error for a decoder error without a line: it finds the byte
// at fault in the read bytes of r when r can seek back to start, and else names
// how far the decoder read.
func (p *parser) unplaced(r io.Reader, start, read int64, msg string) error {
	if s, ok := r.(io.Seeker); ok && start >= 0 {
		if _, err := s.Seek(start, io.SeekStart); err == nil {
			off, line, found := badByte(r, read)
			if found {
				return p.errf(line, "", "invalid YAML: %s at byte offset %d", msg, off)
			}
			return p.errf(line, "", "invalid YAML: %s, at or before byte offset %d", msg, off)
		}
	}
	return p.errf(0, "", "invalid YAML: %s, at or before byte offset %d", msg, read)
}

// pair is one key: value pair of a mapping.
type pair struct {
	key   string
	k, v  *yaml.Node // v is dereferenced
	alias bool       // v was an alias
}

// mapping returns the pairs of n, a mapping (or null: no pairs), after checking
// that every key is a string and none is repeated. notMap is the error for other
// kinds of n.
func (p *parser) mapping(n *yaml.Node, path, notMap string) ([]pair, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n.Line, path, "%s", notMap)
	}
	es := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			return nil, p.errf(k.Line, path, "keys must be strings")
		}
		if k.Tag == "!!merge" {
			return nil, p.errf(k.Line, join(path, k.Value), "merge keys (<<) are not supported")
		}
		if first, dup := seen[k.Value]; dup {
			return nil, p.errf(k.Line, join(path, k.Value), "set twice (first at line %d)", first)
		}
		seen[k.Value] = k.Line
		es = append(es, pair{key: k.Value, k: k, v: v, alias: n.Content[i+1].Kind == yaml.AliasNode})
	}
	return es, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

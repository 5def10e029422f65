package policy

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/policy/cidr"

	"go.yaml.in/yaml/v3"
)

// collectionSection reads cidr_collections:, a mapping of collection name to
// {locations: {location: [CIDR, …]}} or {file: path}. A file path is relative to
// the data file; the files read are returned with the checksums of what was parsed.
func (p *parser) collectionSection(n *yaml.Node) ([]*CIDRCollection, []FileSum, error) {
	es, err := p.mapping(n, "cidr_collections", "must be a mapping of collection name to {locations: …} or {file: …}")
	if err != nil {
		return nil, nil, err
	}
	p.colls = make(map[string]*CIDRCollection, len(es))
	var (
		cs    []*CIDRCollection
		files []FileSum
	)
	for _, e := range es {
		path := join("cidr_collections", e.key)
		if !regionName.MatchString(e.key) {
			return nil, nil, p.errf(e.k.Line, path, "a collection name is letters, digits, \"-\", \"_\" and \".\", not %q", e.key)
		}
		fields, err := p.mapping(e.v, path, "must be a mapping with locations: or file:")
		if err != nil {
			return nil, nil, err
		}
		for _, f := range fields {
			if !slices.Contains(collectionKeys, f.key) {
				return nil, nil, p.errf(f.k.Line, join(path, f.key), "unknown key (a collection has %s)", strings.Join(collectionKeys, " or "))
			}
		}
		if len(fields) != 1 {
			return nil, nil, p.errf(e.k.Line, path, "a collection has locations: (blocks by location) or file: (a collection file), one of them")
		}
		c := &CIDRCollection{Pos: Pos{File: p.file, Line: e.k.Line}, Name: e.key}
		f := fields[0]
		if f.key == "locations" {
			c.Set, err = p.collectionLocations(e.key, f.v, join(path, "locations"))
		} else {
			var sum FileSum
			sum, c.Set, err = p.collectionFile(e.key, f.v, join(path, "file"))
			c.File = sum.Path
			files = append(files, sum)
		}
		if err != nil {
			return nil, nil, err
		}
		locs := c.Set.Locations()
		c.locs = make(map[string]int, len(locs))
		for i, l := range locs {
			c.locs[l] = i
		}
		if _, ok := c.locs[DefaultLocation]; ok {
			return nil, nil, p.errf(f.k.Line, join(path, f.key), "location %q is the default of the ip rule, not a name for blocks (a /0 block does what it would)", DefaultLocation)
		}
		p.colls[c.Name] = c
		cs = append(cs, c)
	}
	return cs, files, nil
}

// collectionLocations reads {location: [CIDR, …]} (a single CIDR may stand alone).
func (p *parser) collectionLocations(name string, n *yaml.Node, path string) (*cidr.Collection, error) {
	locs, err := p.mapping(n, path, "must be a mapping of location name to a list of CIDR blocks")
	if err != nil {
		return nil, err
	}
	b := cidr.NewBuilder(name)
	for _, l := range locs {
		lpath := join(path, l.key)
		if !regionName.MatchString(l.key) {
			return nil, p.errf(l.k.Line, lpath, "a location name is letters, digits, \"-\", \"_\" and \".\", not %q", l.key)
		}
		items := []*yaml.Node{l.v}
		if l.v.Kind == yaml.SequenceNode {
			items = l.v.Content
			if len(items) == 0 {
				return nil, p.errf(l.v.Line, lpath, "want a non-empty list of CIDR blocks")
			}
		}
		for i, item := range items {
			item = deref(item)
			ipath := lpath
			if l.v.Kind == yaml.SequenceNode {
				ipath = index(lpath, i)
			}
			s, err := p.text(item, ipath, "a CIDR block like 203.0.113.0/24")
			if err != nil {
				return nil, err
			}
			if err := b.AddString(strings.TrimSpace(s), l.key, cidr.Pos{File: p.file, Line: item.Line, Path: ipath}); err != nil {
				return nil, err
			}
		}
	}
	return b.Build()
}

// collectionFile reads a collection file named by file: (the cidr package's
// one-block-a-line form).
func (p *parser) collectionFile(name string, n *yaml.Node, path string) (FileSum, *cidr.Collection, error) {
	s, err := p.text(n, path, "a file name")
	if err != nil {
		return FileSum{}, nil, err
	}
	s = resolveFile(p.file, s)
	b, err := os.ReadFile(s)
	if err != nil {
		return FileSum{}, nil, p.errf(n.Line, path, "collection file: %v", err)
	}
	sum := FileSum{Path: s, Sum: sha256.Sum256(b)}
	c, err := cidr.Parse(bytes.NewReader(b), s, name)
	if err != nil {
		// Where the data names the file, then the file's own file:line: field.
		return sum, nil, p.errf(n.Line, path, "%v", err)
	}
	return sum, c, nil
}

// collection resolves the collection an ip node names.
func (p *parser) collection(n *yaml.Node, path string) (*CIDRCollection, error) {
	name, err := p.text(n, path, "a collection name")
	if err != nil {
		return nil, err
	}
	if c, ok := p.colls[name]; ok {
		return c, nil
	}
	if len(p.colls) == 0 {
		return nil, p.errf(n.Line, path, "unknown collection %q: the file has no cidr_collections: section", name)
	}
	names := make([]string, 0, len(p.colls))
	for k := range p.colls {
		names = append(names, k)
	}
	slices.Sort(names)
	return nil, p.errf(n.Line, path, "unknown collection %q (cidr_collections: defines %s)", name, strings.Join(names, ", "))
}

// checkLocations checks an ip node: it names a collection, and each child a
// location of it (or the default), no two the same one.
func (p *parser) checkLocations(nd *Node, path string, re pair) error {
	if nd.Collection == nil {
		return p.errf(nd.Pos.Line, path, "an ip node needs collection: (a collection of cidr_collections:)")
	}
	rpath := join(path, re.key)
	seen := make(map[string]int, len(nd.Children))
	for i, ch := range nd.Children {
		if ch.Location == "" {
			continue // the child's own check reports it
		}
		if _, ok := nd.Collection.locs[ch.Location]; !ok && ch.Location != DefaultLocation {
			return p.errf(ch.Pos.Line, join(index(rpath, i), "location"), "collection %s has no location %q (it has %s; \"*\" is the default)",
				nd.Collection.Name, ch.Location, locationList(nd.Collection))
		}
		if j, dup := seen[ch.Location]; dup {
			return p.errf(ch.Pos.Line, join(index(rpath, i), "location"), "location %q has two children: also %s (line %d)",
				ch.Location, index(rpath, j), nd.Children[j].Pos.Line)
		}
		seen[ch.Location] = i
	}
	return nil
}

// locationList names a collection's locations for an error message, at most ten.
func locationList(c *CIDRCollection) string {
	locs := c.Set.Locations()
	slices.Sort(locs)
	if len(locs) > 10 {
		return strings.Join(locs[:10], ", ") + ", …"
	}
	return strings.Join(locs, ", ")
}

// CollectionFiles lists the collection files that the data file named file, with
// content r, names in cidr_collections:, resolved as Parse resolves them. It reads
// only that section and does not check it: a watcher uses it to know which files to
// watch after a load failed (Data.Files lists them after a load that succeeded).
func CollectionFiles(file string, r io.Reader) []string {
	var doc yaml.Node
	if yaml.NewDecoder(r).Decode(&doc) != nil || len(doc.Content) != 1 {
		return nil
	}
	top := deref(doc.Content[0])
	var out []string
	for i := 0; top.Kind == yaml.MappingNode && i+1 < len(top.Content); i += 2 {
		cs := deref(top.Content[i+1])
		if top.Content[i].Value != "cidr_collections" || cs.Kind != yaml.MappingNode {
			continue
		}
		for j := 1; j < len(cs.Content); j += 2 {
			c := deref(cs.Content[j])
			for k := 0; c.Kind == yaml.MappingNode && k+1 < len(c.Content); k += 2 {
				if v := deref(c.Content[k+1]); c.Content[k].Value == "file" && v.Kind == yaml.ScalarNode && v.Value != "" {
					out = append(out, resolveFile(file, v.Value))
				}
			}
		}
	}
	return out
}

// resolveFile is name relative to the directory of the data file.
func resolveFile(dataFile, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(filepath.Dir(dataFile), name)
}

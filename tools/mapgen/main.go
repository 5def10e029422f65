// Command mapgen writes the console's map (plugin/console/web/map.json): country
// outlines from the npm package world-atlas and US state outlines from us-atlas,
// projected (Natural Earth) into SVG path data keyed by ISO 3166 codes, so the page
// needs no map library and no internet access. The packages' tarballs come from the
// npm registry at pinned versions and are checked against the registry's sha512
// integrity before use; ISO codes come from Debian's iso-codes JSON.
//
//	go run ./tools/mapgen -o plugin/console/web/map.json
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// A pinned npm tarball: where it is and the sha512 the registry lists for it.
type pkg struct {
	name, url, integrity, file string
}

var (
	world = pkg{"world-atlas@2.0.2", "https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz",
		"sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
		"package/countries-110m.json"}
	states = pkg{"us-atlas@3.0.1", "https://registry.npmjs.org/us-atlas/-/us-atlas-3.0.1.tgz",
		"sha512-wEIZCq0ImPvGblTd8gZMqNNCPkQshugMUG/8nkSWXb02+XqNFREg9atHOKP9w6prLZTpqcLhSvdBW81MkV3/0Q==",
		"package/states-10m.json"}
)

func main() {
	out := flag.String("o", "plugin/console/web/map.json", "output file")
	cache := flag.String("cache", "", "directory holding the tarballs (downloaded when missing)")
	iso1 := flag.String("iso3166-1", "/usr/share/iso-codes/json/iso_3166-1.json", "Debian iso-codes ISO 3166-1 JSON")
	iso2 := flag.String("iso3166-2", "/usr/share/iso-codes/json/iso_3166-2.json", "Debian iso-codes ISO 3166-2 JSON")
	width := flag.Float64("width", 2000, "width of the projected map in path units")
	flag.Parse()
	if err := run(*out, *cache, *iso1, *iso2, *width); err != nil {
		fmt.Fprintln(os.Stderr, "mapgen:", err)
		os.Exit(1)
	}
}

func run(out, cache, iso1, iso2 string, width float64) error {
	numeric, err := readISO1(iso1)
	if err != nil {
		return err
	}
	subdivisions, err := readISO2(iso2, "US-")
	if err != nil {
		return err
	}
	wb, err := fetch(world, cache)
	if err != nil {
		return err
	}
	sb, err := fetch(states, cache)
	if err != nil {
		return err
	}
	var wt, st topology
	if err := json.Unmarshal(wb, &wt); err != nil {
		return fmt.Errorf("%s %s: %v", world.name, world.file, err)
	}
	if err := json.Unmarshal(sb, &st); err != nil {
		return fmt.Errorf("%s %s: %v", states.name, states.file, err)
	}
	m, err := build(&wt, &st, numeric, subdivisions, width)
	if err != nil {
		return err
	}
	m.Source = world.name + " countries-110m, " + states.name + " states-10m (Natural Earth data, public domain)"
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// fetch returns file from pkg's tarball, read from cache or downloaded, after checking
// the tarball's sha512 against the pinned integrity.
func fetch(p pkg, cache string) ([]byte, error) {
	var tgz []byte
	local := ""
	if cache != "" {
		local = filepath.Join(cache, filepath.Base(p.url))
		tgz, _ = os.ReadFile(local)
	}
	if tgz == nil {
		resp, err := http.Get(p.url)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", p.url, resp.Status)
		}
		if tgz, err = io.ReadAll(resp.Body); err != nil {
			return nil, err
		}
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != p.integrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s", p.name, got, p.integrity)
	}
	if local != "" {
		if err := os.WriteFile(local, tgz, 0o644); err != nil {
			return nil, err
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("%s: %s not in the tarball (%v)", p.name, p.file, err)
		}
		if h.Name == p.file {
			return io.ReadAll(tr)
		}
	}
}

func readISO1(file string) (map[string][2]string, error) {
	var doc struct {
		Entries []struct {
			Alpha2  string `json:"alpha_2"`
			Numeric string `json:"numeric"`
			Name    string `json:"name"`
		} `json:"3166-1"`
	}
	if err := readJSON(file, &doc); err != nil {
		return nil, err
	}
	m := map[string][2]string{}
	for _, e := range doc.Entries {
		m[e.Numeric] = [2]string{e.Alpha2, e.Name}
	}
	return m, nil
}

// readISO2 maps the English names of the subdivisions whose codes start with prefix to
// their codes.
func readISO2(file, prefix string) (map[string]string, error) {
	var doc struct {
		Entries []struct{ Code, Name string } `json:"3166-2"`
	}
	if err := readJSON(file, &doc); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, e := range doc.Entries {
		if strings.HasPrefix(e.Code, prefix) {
			m[e.Name] = e.Code
		}
	}
	return m, nil
}

func readJSON(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	return nil
}

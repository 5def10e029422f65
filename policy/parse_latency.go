package policy

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// latencySection reads latency:, a mapping of client region to a mapping of endpoint
// region to milliseconds. Every name must be a region of regions:.
func (p *parser) latencySection(e pair) (*LatencyTable, error) {
	rows, err := p.mapping(e.v, "latency", "must be a mapping of client region to {endpoint region: milliseconds}")
	if err != nil {
		return nil, err
	}
	t := &LatencyTable{Pos: Pos{File: p.file, Line: e.k.Line}}
	for _, r := range rows {
		rpath := join("latency", r.key)
		from, err := p.regionByName(r.key, r.k.Line, rpath)
		if err != nil {
			return nil, err
		}
		cols, err := p.mapping(r.v, rpath, "must be a mapping of endpoint region to milliseconds")
		if err != nil {
			return nil, err
		}
		row := LatencyRow{Pos: Pos{File: p.file, Line: r.k.Line}, From: from, MS: make(map[string]float64, len(cols))}
		for _, c := range cols {
			cpath := join(rpath, c.key)
			if _, err := p.regionByName(c.key, c.k.Line, cpath); err != nil {
				return nil, err
			}
			if row.MS[c.key], err = p.milliseconds(c.v, cpath); err != nil {
				return nil, err
			}
		}
		t.Rows = append(t.Rows, row)
	}
	p.latency = t
	return t, nil
}

// regionByName resolves a region named by a key.
func (p *parser) regionByName(name string, line int, path string) (*Region, error) {
	r, ok := p.regions[name]
	if ok {
		return r, nil
	}
	if len(p.regions) == 0 {
		return nil, p.errf(line, path, "unknown region %q: the file has no regions: section", name)
	}
	return nil, p.errf(line, path, "unknown region %q (regions: defines %s)", name, strings.Join(p.regionNames(), ", "))
}

// milliseconds is a number of milliseconds 0..MaxLatencyMS.
func (p *parser) milliseconds(n *yaml.Node, path string) (float64, error) {
	s, err := p.scalar(n, path, "milliseconds")
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > MaxLatencyMS || n.Tag != "!!int" && n.Tag != "!!float" {
		return 0, p.errf(n.Line, path, "must be milliseconds 0..%d, not %q", MaxLatencyMS, s)
	}
	return v, nil
}

// latencySource reads source: auto, table or measured.
func (p *parser) latencySource(n *yaml.Node, path string) (LatencySource, error) {
	s, err := p.scalar(n, path, "auto, table or measured")
	if err != nil {
		return 0, err
	}
	for i, name := range latencySourceNames {
		if strings.EqualFold(s, name) {
			return LatencySource(i), nil
		}
	}
	return 0, p.errf(n.Line, path, "want auto, table or measured, not %q", s)
}

// hysteresis reads hysteresis: {percent: 0..100, ms: 0..MaxLatencyMS}.
func (p *parser) hysteresis(n *yaml.Node, path string) (Hysteresis, error) {
	var h Hysteresis
	es, err := p.mapping(n, path, "want a mapping with percent: and/or ms:")
	if err != nil {
		return h, err
	}
	if len(es) == 0 {
		return h, p.errf(n.Line, path, "want a mapping with percent: and/or ms:")
	}
	for _, e := range es {
		fp := join(path, e.key)
		switch e.key {
		case "percent":
			var v int64
			v, err = p.integer(e.v, fp, 0, 100)
			h.Percent = int(v)
		case "ms":
			h.MS, err = p.milliseconds(e.v, fp)
		default:
			err = p.errf(e.k.Line, fp, "unknown key (want %s)", strings.Join(hysteresisKeys, ", "))
		}
		if err != nil {
			return h, err
		}
	}
	return h, nil
}

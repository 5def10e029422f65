package transfer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// Names of the files WriteCLI writes besides one ZONE.json per zone.
const (
	ChecksFile    = "healthchecks.json"
	PoliciesFile  = "trafficpolicies.json"
	InstancesFile = "trafficpolicyinstances.json"
)

// ZoneFile is the file WriteCLI writes zone name's record sets to: the name
// without its trailing dot, ".json" ("example.org.json"; the root is "root.json").
func ZoneFile(name string) string {
	n := strings.TrimSuffix(name, ".")
	if n == "" {
		n = "root"
	}
	return strings.ReplaceAll(n, "/", "_") + ".json"
}

// WriteCLI writes b into dir as the aws CLI prints it: ZoneFile(zone) per zone
// (list-resource-record-sets), ChecksFile (list-health-checks), and when there
// are any PoliciesFile (a JSON array of list-traffic-policy-versions outputs, one
// per policy) and InstancesFile (list-traffic-policy-instances). It returns the
// paths written; Read reads them back.
func WriteCLI(dir string, b *Bundle) ([]string, error) {
	var paths []string
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, name)
		paths = append(paths, p)
		return os.WriteFile(p, data, 0o644)
	}
	for _, z := range b.Zones {
		var buf bytes.Buffer
		rrsets := append([]route53.ResourceRecordSet(nil), z.RecordSets...)
		route53.SortRecordSets(rrsets)
		if err := route53.WriteCLIJSON(&buf, rrsets); err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.Name, err)
		}
		if err := write(ZoneFile(z.Name), buf.Bytes()); err != nil {
			return nil, err
		}
	}
	list := cliHealthChecks{HealthChecks: []cliHealthCheck{}, Marker: new(string), IsTruncated: new(bool), MaxItems: ptr("100")}
	for _, hc := range b.Checks {
		list.HealthChecks = append(list.HealthChecks, cliCheck(hc))
	}
	data, err := marshalCLI(list)
	if err != nil {
		return nil, err
	}
	if err := write(ChecksFile, data); err != nil {
		return nil, err
	}
	if len(b.Policies) > 0 {
		var outs []json.RawMessage
		for _, p := range b.Policies {
			o, err := trafficflow.MarshalCLIVersions(p)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
		}
		data, err := marshalCLI(outs)
		if err != nil {
			return nil, err
		}
		if err := write(PoliciesFile, data); err != nil {
			return nil, err
		}
	}
	if len(b.Collections) > 0 {
		files, err := cliCollectionFiles(b.Collections)
		if err != nil {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if err := write(name, files[name]); err != nil {
				return nil, err
			}
		}
	}
	if len(b.Instances) > 0 {
		data, err := trafficflow.MarshalCLIInstances(b.Instances)
		if err != nil {
			return nil, err
		}
		if err := write(InstancesFile, data); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// FilesIn are the Files WriteCLI wrote: paths as it returned them.
func FilesIn(paths []string) Files {
	var f Files
	for _, p := range paths {
		switch filepath.Base(p) {
		case ChecksFile:
			f.Checks = append(f.Checks, p)
		case PoliciesFile:
			f.Policies = append(f.Policies, p)
		case InstancesFile:
			f.Instances = append(f.Instances, p)
		case CollectionsFile:
			f.Collections = append(f.Collections, p)
		default:
			if id, ok := strings.CutPrefix(filepath.Base(p), "cidrblocks."); ok {
				f.Blocks = append(f.Blocks, strings.TrimSuffix(id, ".json")+"="+p)
				continue
			}
			f.Zones = append(f.Zones, p)
		}
	}
	return f
}

// marshalCLI indents as the aws CLI does: four spaces, no HTML escaping.
func marshalCLI(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "    ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func ptr[T any](v T) *T { return &v }

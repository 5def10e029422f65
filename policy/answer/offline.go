package answer

import (
	"bytes"
	"net/netip"
	"os"
	"time"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// Offline answers explain questions from data files, without a server: the
// `coredns explain` and `coredns simulate` subcommands. Health checks are not
// probed: every check is up unless a question forces it down. ECS is trusted from
// every source, as the geo directive's default.
type Offline struct {
	d      *Data
	reader *geo.Reader // nil without geo databases
	loc    Locator     // NewLive's; overrides reader
}

// NewLive answers explain and simulate questions from data a server serves now
// (live health; checks a question forces down are down), placing clients with
// locate (nil: by location only). The console uses it, so that its map and
// what-if are simulate's.
func NewLive(d *Data, locate Locator) *Offline {
	return &Offline{d: d, loc: locate}
}

// NewOffline parses and compiles files (policy data, as the directive's `data`)
// and opens the geo databases, if any.
func NewOffline(files, geoFiles []string) (*Offline, error) {
	d := &policy.Data{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		fd, _, err := policy.Parse(f, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		d.Zones = policy.MergeZones(d.Zones, fd.Zones)
	}
	snap, err := policy.Compile(d, func(string) (policy.HealthSource, bool) { return up{}, true }, time.Now())
	if err != nil {
		return nil, err
	}
	o := &Offline{d: &Data{Snap: snap}}
	if len(geoFiles) > 0 {
		if o.reader, err = geo.NewReader(geoFiles); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// up is a health check that is always up.
type up struct{}

func (up) Up() bool { return true }

// Close releases the geo databases.
func (o *Offline) Close() {
	if o.reader != nil {
		o.reader.Close()
	}
}

// Snapshot is the compiled data.
func (o *Offline) Snapshot() *policy.Snapshot { return o.d.Snap }

// Explain answers q as a server with this data and every other check up would.
func (o *Offline) Explain(q Question) (*Explanation, error) {
	if err := CheckDown(o.d.DownKeys(), q.Down); err != nil {
		return nil, err
	}
	return Explain(o.d, o.locate(), nil, q)
}

func (o *Offline) locate() Locator {
	if o.loc != nil {
		return o.loc
	}
	if o.reader == nil {
		return nil
	}
	return func(src netip.Addr, ecs *geo.ECS) (geo.Client, error) {
		var c geo.Client
		err := geo.Locate(o.reader, src, ecs, &c)
		return c, err
	}
}

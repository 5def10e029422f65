package healthcheck

import (
	"fmt"
	"net"
	"reflect"

	"github.com/coredns/caddy"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/lifecycle"
)

// owner is the engine owner name of the checks a Corefile declares.
const owner = "corefile"

// instanceKey stores the per-Corefile state in caddy instance storage.
type instanceKey struct{}

// instance is what every healthcheck directive of one Corefile (one caddy instance)
// declares together: checks share one namespace, there is at most one status API.
type instance struct {
	specs  []hc.Spec
	set    *hc.Set // prepared at setup, started at OnStartup
	status string
	token  string // fixed once setup is over; read by the status API
}

// instanceFor returns the instance state of c, creating it on first use. Its checks
// start and stop as one lifecycle unit: a reload starts the new Set before the old
// one closes, so checks both Corefiles declare keep running untouched, and a failed
// reload closes the new Set at once.
func instanceFor(c *caddy.Controller) *instance {
	if inst, ok := c.Get(instanceKey{}).(*instance); ok {
		return inst
	}
	inst := &instance{}
	c.Set(instanceKey{}, inst)
	// inst.set is read when the unit runs: by then every block has been added.
	lifecycle.On(c, func() error {
		if inst.set != nil {
			inst.set.Start()
		}
		return nil
	}, func() {
		if inst.set != nil {
			inst.set.Close()
		}
	})
	return inst
}

// Checks returns the checks the healthcheck directives of c's Corefile declared so
// far, or nil. Directives run in order, and healthcheck runs before policy, so the
// policy plugin's setup sees all of them. Handles from the Set are valid at once;
// their state is live after OnStartup.
func Checks(c *caddy.Controller) *hc.Set {
	if inst, ok := c.Get(instanceKey{}).(*instance); ok {
		return inst.set
	}
	return nil
}

// add merges one block into the instance and prepares the combined set, so every
// error shows up at setup with the file and line it comes from.
func (inst *instance) add(c *caddy.Controller, b *block) error {
	for _, s := range b.specs {
		prev := inst.find(s.Name)
		if prev == nil {
			inst.specs = append(inst.specs, s)
			continue
		}
		if !sameSpec(prev, &s) {
			return fmt.Errorf("%s:%d: checks.%s: defined twice (first at %s:%d)", s.Pos.File, s.Pos.Line, s.Name, prev.Pos.File, prev.Pos.Line)
		}
	}
	if b.status != "" {
		if _, _, err := net.SplitHostPort(b.status); err != nil {
			return c.Errf("status: bad address %q: %v", b.status, err)
		}
		if inst.status != "" && inst.status != b.status {
			return c.Errf("status: already set to %s by another healthcheck block", inst.status)
		}
		if inst.status == "" {
			m := lifecycle.HTTP(c, b.status)
			api := hc.StatusHandler(process().engine, func() string { return inst.token })
			for _, pattern := range []string{"/checks", "/checks/"} {
				if err := m.Handle(pattern, api); err != nil {
					return c.Errf("status: %v", err)
				}
			}
		}
		inst.status = b.status
	}
	if b.token != "" {
		if inst.token != "" && inst.token != b.token {
			return c.Errf("token: already set by another healthcheck block")
		}
		inst.token = b.token
	}
	if inst.token != "" && inst.status == "" && b.token != "" {
		return c.Errf("token needs a status address")
	}
	set, err := process().engine.Prepare(owner, inst.specs)
	if err != nil {
		return err
	}
	inst.set = set
	return nil
}

func (inst *instance) find(name string) *hc.Spec {
	for i := range inst.specs {
		if inst.specs[i].Name == name {
			return &inst.specs[i]
		}
	}
	return nil
}

func sameSpec(a, b *hc.Spec) bool {
	x, y := *a, *b
	x.Pos, y.Pos = hc.Pos{}, hc.Pos{}
	return reflect.DeepEqual(x, y)
}

// ready reports whether every check has its first result in.
func (inst *instance) ready() bool {
	return inst.set == nil || inst.set.Ready()
}

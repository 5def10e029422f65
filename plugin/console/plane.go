package console

import (
	"github.com/coretraffic/coretraffic/internal/controlplane"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
)

// acquirePlane is the console's one use of controlplane: the process's shared store
// and replica of the store the block names (the route53api directive's). Kept
// alone so that a change of controlplane.Acquire's signature touches only this.
func acquirePlane(store string) (*controlplane.Plane, error) {
	return controlplane.Acquire(store, pluginhc.Engine(), log.Warningf)
}

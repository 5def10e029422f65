package kube

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
)

// reviveEvery is how often a connection whose informers found the apiserver
// unreachable asks /readyz whether it is back.
//
// Why: client-go's reflectors retry a refused list or watch after 0.8 s, then
// twice as long each time with jitter, up to [30 s, 60 s). After an outage of
// a minute the first retry may come a minute after the apiserver returned, the
// checks unknown all that while (TestAPIServerRestart, a real apiserver away for
// 20 s: 14 to 19 s after /readyz without this, about 1 s with it).
// SharedInformerFactory does not let us set that backoff, so a
// namespace whose informers are stalled that way gets new informers, which list
// at once, as soon as /readyz answers: recovery then takes about reviveEvery.
const reviveEvery = time.Second

// readyz asks the apiserver of client whether it is ready, through the same
// transport as the informers (conn ignores the path: it is no watched resource).
// It is nil for a client without a REST client (a fake clientset).
func readyz(client kubernetes.Interface) func(context.Context) error {
	if client == nil || client.Discovery() == nil {
		return nil
	}
	rc := client.Discovery().RESTClient()
	if rc == nil {
		return nil
	}
	return func(ctx context.Context) error {
		return rc.Get().AbsPath("/readyz").Do(ctx).Error()
	}
}

// revive runs until the cluster closes: every reviveEvery, if some namespace's
// informers are stalled and the apiserver answers /readyz, it restarts them.
func (c *cluster) revive() {
	if c.ping == nil {
		return
	}
	tick := time.NewTicker(reviveEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		nss := c.conn.stalledSpaces()
		if len(nss) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), reviveEvery)
		err := c.ping(ctx)
		cancel()
		if answered(err) {
			c.restart(nss)
		}
	}
}

// restart replaces the informers of namespaces nss with new ones, which list
// at once; subscribers are told the new state once they have synced (flush
// skips a space until then, so the checks stay unknown meanwhile, never judged
// from an empty cache). Informers younger than two rounds are left to finish
// their first list.
func (c *cluster) restart(nss []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.stop:
		return
	default:
	}
	for _, ns := range nss {
		old := c.spaces[ns]
		if old == nil || time.Since(old.started) < 2*reviveEvery {
			continue
		}
		sp := c.newSpace(ns)
		sp.refs = old.refs
		c.spaces[ns] = sp
		c.stopSpace(old)
		c.infof("kubernetes %s: apiserver ready again; listing %s afresh", c.name, ns)
	}
}

// answered reports whether a /readyz request reached a serving apiserver: ready,
// or refusing us. A kube-apiserver that has just started answers 401 or 403 for a
// few seconds, even to /readyz, while its authentication and RBAC caches fill;
// waiting for a 200 then costs those seconds, and the informers' lists, which
// are refused the same way meanwhile, stay stalled (conn.setRefused) and are
// listed again until they pass.
func answered(err error) bool {
	return err == nil || apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err)
}

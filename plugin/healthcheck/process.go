package healthcheck

import (
	"sync"

	clog "github.com/coredns/coredns/plugin/pkg/log"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/healthcheck/kube"
)

var log = clog.NewWithPlugin(pluginName)

// proc is what exists once per process and must outlive caddy instances: the engine,
// so a reload does not restart unchanged checks. Caddy's instance storage is per
// instance — a reload makes a new, empty one — so it cannot hold it; everything per
// Corefile stays in instance storage (instanceKey), and the status listener is a
// shared one (internal/lifecycle) that survives reloads.
type proc struct {
	engine *hc.Engine
	kube   *kube.Source
}

var process = sync.OnceValue(func() *proc {
	// kubernetes checks watch their apiserver through one shared Source.
	k8s := kube.New(kube.Options{Errorf: log.Errorf, Infof: log.Infof})
	e := hc.New(hc.Options{OnProbe: observeProbe, Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: k8s}})
	e.Subscribe(onTransition)
	registerStateCollector(e)
	return &proc{engine: e, kube: k8s}
})

// Engine returns the process-wide health check engine. Other plugins (policy) register
// their own checks with Engine().Prepare(owner, specs), Start the Set in OnStartup and
// Close it in OnShutdown, and read state through Set.Handle.
func Engine() *hc.Engine { return process().engine }

// Kube returns the process-wide Kubernetes watcher that kubernetes checks use; the
// policy plugin watches the Services of its kubernetes: values through it, so one
// apiserver connection serves both.
func Kube() *kube.Source { return process().kube }

func onTransition(t hc.Transition) {
	if t.Changed || t.OverrideChanged {
		recordTransition(t)
	}
	switch {
	case t.OverrideChanged && t.Override != hc.OverrideNone:
		log.Infof("check %s forced %s by an operator", t.Name, t.Override)
	case t.OverrideChanged:
		log.Infof("check %s: override cleared, now %s", t.Name, upDown(t.Up))
	case t.Changed && t.Up:
		log.Infof("check %s is up", t.Name)
	case t.Changed && t.Reason.Detail != "":
		log.Warningf("check %s is down: %s: %s", t.Name, t.Reason.Kind, t.Reason.Detail)
	case t.Changed:
		log.Warningf("check %s is down", t.Name)
	case !t.Probed && t.Reason.Kind == hc.KindUnknown:
		log.Warningf("check %s state unknown, keeping %s: %s", t.Name, upDown(t.Up), t.Reason.Detail)
	}
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

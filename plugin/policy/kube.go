package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/coretraffic/coretraffic/healthcheck/kube"
	"github.com/coretraffic/coretraffic/policy"
)

// kubeValues keeps the addresses of the data's kubernetes: values: one
// subscription per distinct source, started with the loader (OnStartup) and
// changed after every reload. A change of a Service's addresses asks the loader to
// reload, which expands them into the compiled data; while its apiserver is
// unreachable a source keeps its last addresses.
type kubeValues struct {
	src    *kube.Source
	kick   func() // asks for a reload; must not block
	mu     sync.Mutex
	subs   map[policy.KubeSource]*kubeSub
	closed bool
}

type kubeSub struct {
	cancel func()
	addrs  []netip.Addr
	known  bool // a state came in (the informers synced)
}

// config is the apiserver configuration of k, checked (files read) so that errors
// show at setup with the node's position.
func kubeConfig(n *policy.Node) (kube.Config, error) {
	k := n.Kube
	cfg := kube.Config{Kubeconfig: k.Kubeconfig, Context: k.Context, Endpoint: k.Endpoint}
	if _, err := cfg.REST(); err != nil {
		return cfg, fmt.Errorf("%s:%d: kubernetes %s/%s: %v", n.Pos.File, n.Pos.Line, k.Namespace, k.Name, err)
	}
	return cfg, nil
}

// expand checks the apiserver settings of every kubernetes: node of d and gives
// each the addresses known now.
func (kv *kubeValues) expand(d *policy.Data) ([]policy.KubeSource, error) {
	nodes := policy.KubeNodes(d)
	if len(nodes) == 0 {
		return nil, nil
	}
	if kv == nil || kv.src == nil {
		return nil, fmt.Errorf("%s:%d: kubernetes values are not available here", nodes[0].Pos.File, nodes[0].Pos.Line)
	}
	var srcs []policy.KubeSource
	for _, n := range nodes {
		if _, err := kubeConfig(n); err != nil {
			return nil, err
		}
		if !slices.Contains(srcs, *n.Kube) {
			srcs = append(srcs, *n.Kube)
		}
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	policy.ExpandKube(d, func(k *policy.KubeSource) []netip.Addr {
		if s := kv.subs[*k]; s != nil {
			return s.addrs
		}
		return nil
	})
	return srcs, nil
}

// watch makes the subscriptions those of srcs: new sources start, gone ones stop.
func (kv *kubeValues) watch(srcs []policy.KubeSource) {
	if kv == nil || kv.src == nil {
		return
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.closed {
		return
	}
	for k, s := range kv.subs {
		if !slices.Contains(srcs, k) {
			s.cancel()
			delete(kv.subs, k)
		}
	}
	for _, k := range srcs {
		if kv.subs[k] != nil {
			continue
		}
		cfg := kube.Config{Kubeconfig: k.Kubeconfig, Context: k.Context, Endpoint: k.Endpoint}
		rc, err := cfg.REST()
		if err != nil {
			log.Errorf("kubernetes %s/%s: %v", k.Namespace, k.Name, err)
			continue
		}
		s := &kubeSub{}
		kv.subs[k] = s
		cancel, err := kv.src.Subscribe(cfg, rc, k.Namespace, k.Name, func(st kube.State) { kv.update(k, s, st) })
		if err != nil {
			log.Errorf("kubernetes %s/%s: %v", k.Namespace, k.Name, err)
			delete(kv.subs, k)
			continue
		}
		s.cancel = cancel
	}
}

// update takes a new state of k: new addresses make the loader reload.
func (kv *kubeValues) update(k policy.KubeSource, s *kubeSub, st kube.State) {
	if st.Err != nil {
		return // unknown: the last addresses stay (the source logs why)
	}
	addrs := kube.Addresses(st, k.From, k.Port)
	kv.mu.Lock()
	if kv.subs[k] != s {
		kv.mu.Unlock()
		return // stopped meanwhile
	}
	changed := !s.known || !slices.Equal(addrs, s.addrs)
	s.addrs, s.known = addrs, true
	kv.mu.Unlock()
	if changed {
		log.Infof("kubernetes %s/%s %s: %v", k.Namespace, k.Name, k.From, addrs)
		kv.kick()
	}
}

// ready reports whether every source has had its first state.
func (kv *kubeValues) ready() bool {
	if kv == nil {
		return true
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	for _, s := range kv.subs {
		if !s.known {
			return false
		}
	}
	return true
}

// close ends every subscription.
func (kv *kubeValues) close() {
	if kv == nil {
		return
	}
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.closed = true
	for k, s := range kv.subs {
		s.cancel()
		delete(kv.subs, k)
	}
}

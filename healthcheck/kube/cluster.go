package kube

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// State is what a subscriber learns about one Service: the reason the apiserver
// cannot be used (Err), or the Service (nil: it does not exist) and its
// EndpointSlices as the informers' caches hold them. Objects are shared with the
// caches: read them, never change them.
type State struct {
	Err     error
	Service *corev1.Service
	Slices  []*discoveryv1.EndpointSlice
}

// cluster is one apiserver connection: a client, per namespace an informer factory
// (Services and EndpointSlices, only in the namespaces something watches, so RBAC
// may be a namespaced Role and a large cluster's other objects are not cached), and
// one goroutine that tells subscribers about changes in order.
type cluster struct {
	name   string
	client kubernetes.Interface
	conn   *conn
	ping   func(context.Context) error // asks /readyz; nil for a fake clientset
	errorf func(format string, args ...any)
	infof  func(format string, args ...any)
	wg     *sync.WaitGroup // its goroutines, for Source.Wait

	mu      sync.Mutex
	refs    int
	spaces  map[string]*space
	subs    map[string]map[*sub]bool // by namespace/name
	dirty   map[string]bool
	all     bool
	lastErr string

	wake chan struct{}
	stop chan struct{}
}

// space is the informers of one namespace.
type space struct {
	factory informers.SharedInformerFactory
	svc     cache.SharedIndexInformer
	slices  cache.SharedIndexInformer
	stop    chan struct{}
	started time.Time
	refs    int
	synced  atomic.Bool
}

type sub struct {
	ns, name string
	fn       func(State)
}

// byService indexes EndpointSlices by the Service they belong to.
const byService = "service"

func newCluster(name string, client kubernetes.Interface, cn *conn, errorf, infof func(string, ...any), wg *sync.WaitGroup) *cluster {
	c := &cluster{name: name, client: client, conn: cn, ping: readyz(client), errorf: errorf, infof: infof, wg: wg,
		spaces: map[string]*space{}, subs: map[string]map[*sub]bool{}, dirty: map[string]bool{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.run()
	}()
	go func() {
		defer wg.Done()
		c.revive()
	}()
	return c
}

// subscribe calls fn, from the cluster's goroutine, with the State of Service
// ns/name as soon as it is known and after every change. It must not block long.
func (c *cluster) subscribe(ns, name string, fn func(State)) (cancel func()) {
	s := &sub{ns: ns, name: name, fn: fn}
	key := ns + "/" + name
	c.mu.Lock()
	defer c.mu.Unlock()
	sp := c.spaces[ns]
	if sp == nil {
		sp = c.newSpace(ns)
		c.spaces[ns] = sp
	}
	sp.refs++
	if c.subs[key] == nil {
		c.subs[key] = map[*sub]bool{}
	}
	c.subs[key][s] = true
	c.markLocked(key)
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			delete(c.subs[key], s)
			if len(c.subs[key]) == 0 {
				delete(c.subs, key)
			}
			// The space now, which revive may have replaced since.
			if sp := c.spaces[ns]; sp != nil {
				if sp.refs--; sp.refs == 0 {
					delete(c.spaces, ns)
					c.stopSpace(sp)
				}
			}
		})
	}
}

// newSpace starts the informers of namespace ns; under c.mu.
func (c *cluster) newSpace(ns string) *space {
	f := informers.NewSharedInformerFactoryWithOptions(c.client, 0, informers.WithNamespace(ns))
	sp := &space{factory: f, svc: f.Core().V1().Services().Informer(), slices: f.Discovery().V1().EndpointSlices().Informer(),
		stop: make(chan struct{}), started: time.Now()}
	_ = sp.slices.AddIndexers(cache.Indexers{byService: func(obj any) ([]string, error) {
		if sl, ok := obj.(*discoveryv1.EndpointSlice); ok && sl.Labels[discoveryv1.LabelServiceName] != "" {
			return []string{sl.Labels[discoveryv1.LabelServiceName]}, nil
		}
		return nil, nil
	}})
	_, _ = sp.svc.AddEventHandler(c.handler(func(obj any) string {
		if s, ok := obj.(*corev1.Service); ok {
			return s.Namespace + "/" + s.Name
		}
		return ""
	}))
	_, _ = sp.slices.AddEventHandler(c.handler(func(obj any) string {
		if sl, ok := obj.(*discoveryv1.EndpointSlice); ok && sl.Labels[discoveryv1.LabelServiceName] != "" {
			return sl.Namespace + "/" + sl.Labels[discoveryv1.LabelServiceName]
		}
		return ""
	}))
	f.Start(sp.stop)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if cache.WaitForCacheSync(sp.stop, sp.svc.HasSynced, sp.slices.HasSynced) {
			sp.synced.Store(true)
			c.markAll()
		}
	}()
	return sp
}

// stopSpace stops a namespace's informers without waiting (c.mu is held, and the
// engine's lock may be too).
func (c *cluster) stopSpace(sp *space) {
	close(sp.stop)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		sp.factory.Shutdown()
	}()
}

// handler marks the Service an object belongs to as changed.
func (c *cluster) handler(keyOf func(any) string) cache.ResourceEventHandlerFuncs {
	mark := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if k := keyOf(obj); k != "" {
			c.mark(k)
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    mark,
		UpdateFunc: func(_, obj any) { mark(obj) },
		DeleteFunc: mark,
	}
}

func (c *cluster) mark(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.markLocked(key)
}

func (c *cluster) markLocked(key string) {
	if _, watched := c.subs[key]; !watched {
		return
	}
	c.dirty[key] = true
	c.poke()
}

func (c *cluster) markAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all = true
	c.poke()
}

func (c *cluster) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close stops the goroutine and every informer; under the Source's lock.
func (c *cluster) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.stop)
	for ns, sp := range c.spaces {
		delete(c.spaces, ns)
		c.stopSpace(sp)
	}
}

func (c *cluster) run() {
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		c.flush()
	}
}

// flush tells the subscribers of every changed Service (all of them when the
// apiserver's reachability changed) their State.
func (c *cluster) flush() {
	reason := c.conn.all()
	c.mu.Lock()
	if reason != c.lastErr {
		c.all = true
		switch {
		case reason != "":
			c.errorf("kubernetes %s: %s; checks that watch it are unknown and keep their last state", c.name, reason)
		default:
			c.infof("kubernetes %s: reachable again", c.name)
		}
		c.lastErr = reason
	}
	var todo []*sub
	for key, ss := range c.subs {
		if !c.all && !c.dirty[key] {
			continue
		}
		for s := range ss {
			todo = append(todo, s)
		}
	}
	c.all, c.dirty = false, map[string]bool{}
	spaces := make(map[*sub]*space, len(todo))
	for _, s := range todo {
		spaces[s] = c.spaces[s.ns]
	}
	c.mu.Unlock()
	for _, s := range todo {
		if err := c.conn.err(s.ns); err != nil {
			s.fn(State{Err: err})
			continue
		}
		sp := spaces[s]
		if sp == nil || !sp.synced.Load() {
			continue // told once the caches have synced
		}
		s.fn(sp.state(s.ns, s.name))
	}
}

// state reads Service ns/name and its slices from the caches.
func (sp *space) state(ns, name string) State {
	var st State
	if obj, ok, _ := sp.svc.GetIndexer().GetByKey(ns + "/" + name); ok {
		st.Service, _ = obj.(*corev1.Service)
	}
	objs, _ := sp.slices.GetIndexer().ByIndex(byService, name)
	for _, o := range objs {
		if sl, ok := o.(*discoveryv1.EndpointSlice); ok && sl.Namespace == ns {
			st.Slices = append(st.Slices, sl)
		}
	}
	return st
}

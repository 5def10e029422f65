package healthcheck

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Set is one owner's registered checks (a Corefile, a policy data file). Prepare
// builds it without starting anything; Start takes references on its checks,
// starting only those no other Set already runs; Close releases them, stopping
// those no other Set holds. An owner replaces its checks by preparing and starting a
// new Set, then closing the old one: checks in both keep running untouched.
type Set struct {
	e       *Engine
	owner   string
	runners []*runner // children before parents
	handles map[string]*Handle
	names   map[*runner][]string

	mu      sync.Mutex
	started bool
	closed  bool
}

// Prepare validates specs as a set and resolves every check to a runner: the running
// one with the same key if there is one, otherwise a new, not yet started runner.
// Nothing starts; a Set that is never started needs no Close.
func (e *Engine) Prepare(owner string, specs []Spec) (*Set, error) {
	specs = slices.Clone(specs)
	byName := make(map[string]*Spec, len(specs))
	for i := range specs {
		specs[i].Normalize()
		byName[specs[i].Name] = &specs[i]
	}
	if err := ValidateSet(specs); err != nil {
		return nil, err
	}
	order, err := topoOrder(specs, byName)
	if err != nil {
		return nil, err
	}
	set := &Set{e: e, owner: owner, handles: make(map[string]*Handle, len(specs)), names: make(map[*runner][]string, len(specs))}
	local := map[string]*runner{}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, i := range order {
		s := &specs[i]
		children := make([]*runner, len(s.Children))
		for j, c := range s.Children {
			children[j] = set.handles[c].r
		}
		key := specKey(s, children)
		r := e.runners[key]
		if r == nil {
			r = local[key]
		}
		if r == nil {
			if r, err = newRunner(e, s, key, children); err != nil {
				return nil, err
			}
			local[key] = r
		}
		if _, seen := set.names[r]; !seen {
			set.runners = append(set.runners, r)
		}
		set.names[r] = append(set.names[r], s.Name)
		set.handles[s.Name] = &Handle{name: s.Name, r: r}
	}
	return set, nil
}

// Apply is Prepare followed by Start.
func (e *Engine) Apply(owner string, specs []Spec) (*Set, error) {
	set, err := e.Prepare(owner, specs)
	if err != nil {
		return nil, err
	}
	set.Start()
	return set, nil
}

// specKey identifies a check by everything that changes what is probed and how its
// state evolves, but not by its name; children count by their own keys.
func specKey(s *Spec, children []*runner) string {
	c := *s
	c.Name, c.Pos, c.Children = "", Pos{}, nil
	var b strings.Builder
	fmt.Fprintf(&b, "%+v", c)
	if len(children) > 0 {
		keys := make([]string, len(children))
		for i, r := range children {
			keys[i] = r.key
		}
		slices.Sort(keys)
		b.WriteString(" children=[" + strings.Join(keys, " | ") + "]")
	}
	return b.String()
}

// Owner is the owner given to Prepare.
func (s *Set) Owner() string { return s.owner }

// Handle returns the handle of the check called name in this Set.
func (s *Set) Handle(name string) (*Handle, bool) {
	h, ok := s.handles[name]
	return h, ok
}

// Names lists the check names of the Set, sorted.
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.handles))
	for n := range s.handles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Ready reports whether every check of the Set has its first result in.
func (s *Set) Ready() bool {
	for _, r := range s.runners {
		if !r.status.Load().Probed {
			return false
		}
	}
	return true
}

// Start takes a reference on every check of the Set and starts those that were not
// running. Starting twice, or after Close, does nothing.
func (s *Set) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range s.runners {
		if cur, ok := e.runners[r.key]; !ok {
			e.runners[r.key] = r
		} else if cur != r {
			// Another Set started an identical new check between our Prepare and
			// Start: ours runs on its own, correct but not deduplicated.
			r.key += fmt.Sprintf(" #%p", r)
			e.runners[r.key] = r
		}
		r.refs++
		r.owners[s.owner]++
		for _, name := range s.names[r] {
			r.addName(e, name)
		}
		if r.refs == 1 {
			r.start(e)
		}
	}
}

// Close releases the Set's checks, stops those no other Set holds and waits for
// their goroutines to end. Close is idempotent.
func (s *Set) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.closed {
		s.closed = true
		return
	}
	s.closed = true
	e := s.e
	var stopped []*run
	e.mu.Lock()
	for i := len(s.runners) - 1; i >= 0; i-- {
		r := s.runners[i]
		r.refs--
		if r.owners[s.owner]--; r.owners[s.owner] == 0 {
			delete(r.owners, s.owner)
		}
		for _, name := range s.names[r] {
			r.removeName(e, name)
		}
		if r.refs == 0 {
			if e.runners[r.key] == r {
				delete(e.runners, r.key)
			}
			r.stop(e)
			stopped = append(stopped, r.stopped)
		}
	}
	e.mu.Unlock()
	for _, g := range stopped {
		if g != nil {
			g.wg.Wait()
		}
	}
}

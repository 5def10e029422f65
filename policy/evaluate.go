package policy

import (
	"math/rand/v2"
	"net/netip"

	"github.com/coretraffic/coretraffic/geo"
)

// Input is what a decision may depend on besides health.
type Input struct {
	// Loc is the client's location; nil when unknown (geolocation then matches only
	// default children).
	Loc *geo.Location
	// Client is the client subnet: the ECS source prefix when the query carried ECS
	// and it was used, else the source address as a /32 or /128, IPv4 as 4 bytes.
	// Sticky weighted hashes it, ip matches it against a CIDR collection. Invalid
	// (the zero Prefix) when unknown: sticky then chooses at random, ip matches no
	// location.
	Client netip.Prefix
	// Rand, when set, is the source of randomness (tests use a seeded one). nil uses
	// math/rand/v2's global generator, which is per-thread and takes no lock.
	Rand *rand.Rand
	// Trace, when set, records the walk (explain). Down, when set, forces the
	// checks it reports down. Neither is set on the query path.
	Trace *Trace
	Down  Down
}

// Outcome is the kind of answer a tree gave.
type Outcome uint8

const (
	Answer Outcome = iota // endpoints in the out buffer
	NoData                // NOERROR without records
	Rcode                 // Result.Rcode
)

// Result describes one evaluation.
type Result struct {
	Outcome  Outcome
	Rcode    int  // Outcome == Rcode: dns.RcodeServerFailure, …
	N        int  // Outcome == Answer: endpoints written to out
	Geo      bool // a geolocation rule looked at the client's location
	FailOpen bool // nothing was healthy: answered as if everything were
	// ClientBits is the most leading bits of Input.Client that a decision depended
	// on: hashed (sticky weighted) or the scope of a CIDR match (ip, see
	// cidr.Collection.LookupScope). With Geo, what sets the answer's ECS scope.
	ClientBits int
}

// Evaluate walks the tree and writes the chosen endpoints' indexes into out, which
// must hold MaxAnswers() entries. It takes no lock and allocates nothing.
//
// A subtree with no healthy answer is skipped by its parent. When the whole tree has
// none, it is walked again as if every check were up (fail-open, as Route 53). A node
// with an all_down other than open never counts as down: when none of its children
// is healthy it answers NODATA, its rcode or its fallback value.
func (t *Tree) Evaluate(in *Input, out []int32) (r Result) {
	e := evaluation{t: t, in: in, out: out}
	if in != nil {
		e.trace, e.down = in.Trace, in.Down
	}
	if e.eval(t.root) {
		e.result(&r)
		return r
	}
	e = evaluation{t: t, in: in, out: out, ignoreHealth: true, trace: e.trace, down: e.down}
	if e.trace != nil {
		e.trace.FailOpen, e.trace.FailOpenAt = true, len(e.trace.Steps)
	}
	e.eval(t.root)
	e.result(&r)
	r.FailOpen = true
	return r
}

type evaluation struct {
	t     *Tree
	in    *Input
	out   []int32
	n     int
	rcode int
	trace *Trace // Input.Trace: explain
	down  Down   // Input.Down: explain and simulate
	// ethRoot is the target root of the evaluate-target-health alias being walked:
	// it counts as down when nothing in it is healthy, whatever its all_down.
	ethRoot *cnode
	// Small fields last and together: the struct is zeroed once or twice per
	// Evaluate, and its size shows in the benchmarks.
	outcome      Outcome
	ignoreHealth bool
	geo          bool
	clientBits   uint8 // most bits of Input.Client hashed, ≤ 128
}

// result fills r field by field: a Result literal of six fields is built in memory
// with byte stores and copied with 16-byte loads, a store-forwarding stall that cost
// the benchmarks about 10 ns per decision.
func (e *evaluation) result(r *Result) {
	if e.n > 0 { // a sibling's NODATA or rcode does not hide values another one gave
		e.outcome = Answer
	}
	r.Outcome, r.Rcode, r.N, r.Geo, r.ClientBits = e.outcome, e.rcode, e.n, e.geo, int(e.clientBits)
}

// eval answers from node i: values, or a closed node's NODATA/rcode. false means the
// subtree is down, and then it has left no trace (no values, no outcome).
func (e *evaluation) eval(i int32) bool {
	if e.trace != nil || e.down != nil {
		return e.traced(i)
	}
	n, outcome, rcode := e.n, e.outcome, e.rcode
	if e.evalNode(&e.t.nodes[i]) {
		return true
	}
	e.n, e.outcome, e.rcode = n, outcome, rcode
	return false
}

func (e *evaluation) evalNode(nd *cnode) bool {
	var ok bool
	switch nd.rule {
	case RuleLeaf:
		if !e.ignoreHealth && nd.health != nil && !nd.health.Up() {
			return false
		}
		e.emit(nd.endpoint)
		return true
	case RuleSimple:
		ok = e.simple(nd)
	case RuleWeighted:
		if nd.sticky {
			ok = e.sticky(nd)
		} else {
			ok = e.weighted(nd)
		}
	case RuleFailover:
		ok = e.failover(nd)
	case RuleGeolocation:
		ok = e.geolocation(nd)
	case RuleMultivalue:
		ok = e.multivalue(nd)
	case RuleGeoproximity:
		ok = e.geoproximity(nd)
	case RuleLatency:
		ok = e.latency(nd)
	case RuleAlias:
		ok = e.alias(nd)
	case RuleIP:
		ok = e.ip(nd)
	}
	if ok || nd.allDown == AllDownOpen || nd == e.ethRoot {
		return ok
	}
	return e.closed(nd)
}

// closed gives a node's all_down answer.
func (e *evaluation) closed(nd *cnode) bool {
	switch nd.allDown {
	case AllDownNoData:
		e.outcome = NoData
	case AllDownServFail:
		e.outcome, e.rcode = Rcode, rcodeServFail
	case AllDownRefused:
		e.outcome, e.rcode = Rcode, rcodeRefused
	case AllDownNXDomain:
		e.outcome, e.rcode = Rcode, rcodeNXDomain
	case AllDownValue:
		e.emit(nd.endpoint)
	}
	return true
}

// DNS rcodes, spelled out so the library needs no dns import here.
const (
	rcodeServFail = 2
	rcodeNXDomain = 3
	rcodeRefused  = 5
)

func (e *evaluation) emit(ep int32) {
	if e.n < len(e.out) {
		e.out[e.n] = ep
		e.n++
	}
}

func (e *evaluation) kids(nd *cnode) []int32 { return e.t.children[nd.first : nd.first+nd.n] }

// simple answers every child's values; a closed child's NODATA or rcode is the answer
// only when no child gives values (result prefers values).
func (e *evaluation) simple(nd *cnode) bool {
	ok := false
	for _, c := range e.kids(nd) {
		if e.eval(c) {
			ok = true
		}
	}
	return ok
}

func (e *evaluation) failover(nd *cnode) bool {
	for _, c := range e.kids(nd) {
		if e.eval(c) {
			return true
		}
	}
	return false
}

func (e *evaluation) randN(n uint64) uint64 {
	if e.in != nil && e.in.Rand != nil {
		return e.in.Rand.Uint64N(n)
	}
	return rand.Uint64N(n)
}

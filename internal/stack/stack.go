// Package stack grows a query goroutine's stack in one step, for plugins that hand
// queries on to plugins whose answers run deep.
//
// Which plugin grows it is decided once, when the chain is built, through Grower: a
// plugin early in the chain (geo) grows the stack unless a plugin after it (policy)
// says it grows it itself before handing queries on. No plugin names another.
package stack

// Grower is implemented by a handler that answers from the stack a query goroutine
// starts with and calls Grow itself before it hands a query to the plugins after it.
type Grower interface {
	GrowsStack()
}

// Needed reports whether a plugin whose queries go on to handlers (the plugins after
// it in its server block) should call Grow: not when one of them is a Grower, which
// grows the stack only for the queries it passes on.
func Needed[H any](handlers []H) bool {
	for _, h := range handlers {
		if _, ok := any(h).(Grower); ok {
			return false
		}
	}
	return true
}

// Grow grows the calling goroutine's stack once, while it is still shallow, to the
// size the rest of the plugin chain needs; i is any number (the query ID), so the
// frame cannot be optimised away.
//
// miekg/dns serves every UDP query on a new goroutine whose stack starts small; a
// plugin chain that ends in stock data plugins (metadata's label functions, file, the
// response writer) then grows it by doubling, each time copying every frame below —
// in a callgrind profile of a geo+metadata+file block that was about half of the
// query's instructions. A frame this large near the top makes the runtime allocate
// the final size in one step and copy only the few frames above dnsserver.
//
// A chain that stays shallow must not call it: a policy answer fits in the stack the
// goroutine starts with, and growing it anyway costs policy a quarter of its
// instructions per query (53k without, 74k with: `bench/dns/run.sh --icount 500` at
// 43e78da and at e30f802, the commit before).
//
//go:noinline
func Grow(i int) byte {
	var frame [reserve]byte
	return frame[i&(reserve-1)]
}

// reserve is the frame Grow asks for: with what dnsserver and the caller have used it
// rounds the stack up to 8 KiB, which a file answer fits in.
const reserve = 4 << 10

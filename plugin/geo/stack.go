package geo

// growStack grows the calling goroutine's stack once, while it is still shallow, to
// the size the rest of the plugin chain needs.
//
// miekg/dns serves every UDP query on a new goroutine whose stack starts small; the
// plugin chain after geo (metadata's label functions, the data plugins, the response
// writer) then grows it by doubling, each time copying every frame below — in a
// callgrind profile of a geo+metadata+file block that was about half of the query's
// instructions. A frame this large at geo's depth makes the runtime allocate the
// final size in one step and copy only the few frames above dnsserver.
//
//go:noinline
func growStack(i int) byte {
	var frame [stackReserve]byte
	return frame[i&(stackReserve-1)]
}

// stackReserve is the frame growStack asks for: with what dnsserver and geo have
// used it rounds the stack up to 8 KiB, which a file or policy answer fits in.
const stackReserve = 4 << 10

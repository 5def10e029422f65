// Package cidr is the longest-prefix-match engine behind coretraffic's IP-based
// (CIDR) routing rule, as Route 53's CIDR collections: a named collection maps
// CIDR blocks, IPv4 and IPv6, to location names, and a query finds the location
// of the longest block that holds the client.
//
// # Semantics
//
// A query is a prefix: the client subnet of the EDNS Client Subnet option
// (address and SOURCE PREFIX-LENGTH), or the source address with its full length
// (32 or 128). Lookup returns the longest block that contains the query prefix
// and is no longer than it; a block longer than the query does not match, as in
// Route 53. With 10.0.0.0/8 and 10.1.0.0/16:
//
//	10.1.2.3/32  → the /16     10.1.0.0/12 → the /8 (the /16 is longer than /12)
//	10.1.2.0/24  → the /16     11.0.0.0/32 → no match
//
// The result is the location's index in Locations and the matched block's length.
// No match is reported as such: the "*" default location of Route 53 is the rule's
// business, not this package's. LookupScope also gives the ECS scope to answer
// with: not the matched block's length, which would let a resolver share the
// answer with a more specific block of another location nested in it (nor 0 for no
// match, which would share the "no match" answer with every block), but the length
// of the trie entry the lookup ended in, capped at the query's — every query of the
// query's length inside it gets the same result (tested against the reference).
// A query length of 0 (no address) matches only a /0 block. IPv4-mapped IPv6
// (::ffff:a.b.c.d) is IPv4: the query ::ffff:10.1.2.0/120 is 10.1.2.0/24, and a
// configured ::ffff:10.0.0.0/104 is the block 10.0.0.0/8.
//
// Blocks may nest (that is the point); a block may appear once per collection.
// A block with host bits set (10.1.0.0/8) is an error, with the block it probably
// meant (10.0.0.0/8) in the message. Errors are *Error (healthcheck.Error, as in
// the policy data files): file:line: field: message.
//
// # Building
//
// The YAML in-data form is parsed by package policy, which feeds a Builder. Large
// collections (a BGP table) live in a separate file, one block per line, read by
// Parse or ParseFile:
//
//	# comments and blank lines are ignored
//	203.0.113.0/24  eu-west
//	2001:db8::/32   eu-west   # nested blocks may follow in any order
//
// # Structure
//
// Build sorts the blocks (address, then length: a block before the blocks inside
// it), links each block to its parent (the next shorter block that contains it)
// and builds one trie per address family, in the style of poptrie (Asai and Ohara,
// SIGCOMM 2015):
//
//   - a root array indexed directly by the first 16 address bits (8 for a family
//     of fewer than 1024 blocks, so that a small collection costs kilobytes);
//   - below it, nodes of stride 8. A node stands for 256 entries, each either a
//     child node or a leaf (the longest block covering that entry, pushed down
//     from above). It stores two 256-bit maps — which entries are children, and
//     which leaf entries start a run of equal leaves — and the index of its first
//     child and first leaf: a child or leaf is found by counting bits (popcount)
//     before the entry. Children of a node are contiguous, its leaves are too, and
//     a run of equal leaves is stored once;
//   - a leaf is 4 bytes: the block's location and length. The common case — the
//     query is at least as long as the block found — reads the root entry, one
//     node per 8 bits beyond the root and one leaf, and nothing else. An IPv4 /24
//     is three dependent loads; at a million blocks the root and most nodes stay
//     in the caches and the leaf is the load that misses, which is why leaves are
//     4 bytes: against 8-byte leaves (with a block index) they cut the leaf load
//     alone by a third to a half and a whole lookup at 1M blocks by 15-20 % (interleaved
//     runs of both builds).
//
// When the query is shorter than the block found (an ECS /20 among /24 blocks),
// the block is found by binary search in the sorted blocks and its parents (the
// next shorter block that contains it, linked at build) are walked until one is
// no longer than the query: the rare path, a few hundred nanoseconds at 1M blocks.
//
// Everything is in a few flat slices: no pointers for the GC to scan, nothing to
// lock, and a built Collection is immutable, safe for any number of concurrent
// readers. The naive alternative — one hash map per prefix length, probed from
// the query's length down — hashes up to 25 times per IPv4 query and is several
// times slower at every size (BenchmarkNaive beside BenchmarkLookup).
//
// # Measuring
//
//	go test -run '^$' -bench . -benchmem -count 5 ./policy/cidr      # lookup, naive, build, parse
//	go test -tags scale -run Scale -v ./policy/cidr                  # 1M blocks: build, parse, heap, lookups checked
//	go test -run '^$' -fuzz '^FuzzLookup$' -fuzztime 1m ./policy/cidr
package cidr

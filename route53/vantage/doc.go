// Package vantage is health from every vantage point: each replica publishes
// what its own checkers observe of every health check it probes, through the
// store's Presence (ephemeral keys bound to the replica's session), and every
// replica decides each check from all live checkers' observations with Route
// 53's rule, so all replicas answer with the same health view.
//
// # Keys
//
// Under the presence prefix "health/" (KeyPrefix), each member announces:
//
//	health/alive        Alive: its vantage name, address and the time it wrote
//	                    the key; rewritten every Heartbeat
//	health/check/<id>   Report: its last observation of check <id> — healthy or
//	                    not (after its own FailureThreshold), Route 53's status
//	                    text (checks.Observe), when, latency, vantage name, address;
//	                    written when the state or text changes and every Refresh
//
// A checker whose session ends (a replica shut down, or dead or cut off for
// longer than the lease TTL) drops out with its keys.
//
// # The rule
//
// A check is healthy when more than Threshold percent (default 18, as Route
// 53) of the live checkers that report it say healthy: 1 of 6 (16.7 %) is
// unhealthy, 2 of 6 (33 %) healthy. A checker counts when its alive key is
// present; when the check lists Regions, only checkers whose vantage name is
// one of them count. The result is a healthcheck.Verdict that stands in for
// the replica's own probe state; inversion, Disabled and calculated checks
// then apply exactly as for a single checker (a disabled check is not probed
// and stays healthy; a calculated check follows its children's decided
// states; an inverted one inverts the decided state).
//
// With no report at all, or when this replica is cut off from the store (its
// own alive key, as delivered back by Observe, is older than Stale), there is
// no verdict: the replica's own probes decide, as they do with a one-process
// store.
//
// # Cost
//
// Heartbeats and reports are observed apart (two Observe calls), so a
// heartbeat delivers the small view of alive keys, not every report. With M
// replicas a Heartbeat of 1 s is M writes a second and M² watch deliveries: nothing
// for 3, 10,000 a second for 100 PoPs, which should then raise Heartbeat and
// Stale (or watch through etcd's gRPC proxy). Reports are written only on
// change and every Refresh. A delivered report view of 1,000 checks from 10
// checkers costs one incremental Decode and a Decide (BenchmarkDecodeDecide).
//
// Decide and Quorum are pure; Point runs them against a Presence and an engine.
// No CoreDNS imports.
package vantage

#!/usr/bin/env bash
# bench/failover: time for answers to move off a killed endpoint and back, on the wire
# (see README.md in this folder). From anywhere in the repository:
#
#   bench/failover/run.sh                      # 20 kill + 20 stop trials, 1 s interval, fall 3, rise 2
#   bench/failover/run.sh -trials 50 -modes kill
#   bench/failover/run.sh -interval 2s -timeout 1s -fall 2 -rise 3
#   bench/failover/run.sh -h                   # every option
#
# Uses ./coredns (built here if missing), builds the driver (./bench/failover) and the
# endpoints (./demo/endpoints) into bench/out/bin, writes
# bench/out/failover-<timestamp>/{summary.md,results.json,run/} and, with matplotlib,
# the plot bench/results/failover-times.png.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

for c in taskset go; do
  command -v "$c" >/dev/null 2>&1 || { echo "bench/failover: $c not found" >&2; exit 1; }
done
[ -x ./coredns ] || make build
mkdir -p bench/out/bin
go build -o bench/out/bin/failover ./bench/failover
go build -o bench/out/bin/failover-endpoints ./demo/endpoints  # not bench/dns's copy, which may be running

OUT="bench/out/failover-$(date -u +%Y%m%d-%H%M%S)"
for a in "$@"; do [ "$a" = -h ] || [ "$a" = -help ] && exec bench/out/bin/failover -h; done
# the driver is the query client: on the client CPU, away from coredns
taskset -c 0 bench/out/bin/failover -coredns "$ROOT/coredns" -endpoints "$ROOT/bench/out/bin/failover-endpoints" \
  -out "$ROOT/$OUT" -cmdline "bench/failover/run.sh${*:+ $*}" "$@"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 "$HERE/plot.py" "$ROOT/$OUT/results.json" "$ROOT/bench/results/failover-times.png"
else
  echo "bench/failover: python3-matplotlib missing, no plot (make bench-failover installs it)" >&2
fi

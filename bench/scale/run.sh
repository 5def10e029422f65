#!/usr/bin/env bash
# bench/scale: policy data size, health check count and reload under load, on the real
# ./coredns (see README.md in this folder). From anywhere in the repository:
#
#   bench/scale/run.sh                          # 1k/100k/1M record sets, 100/1k/10k checks, 3 reloads
#   bench/scale/run.sh --sizes 1000,100000      # skip the 1M step
#   bench/scale/run.sh --parts hc --keepalive   # only health checks, with keepalive
#   bench/scale/run.sh -h                       # every option
#
# Uses ./coredns (built here if missing), builds the Go tool (./bench/scale) into
# bench/out/bin, writes bench/out/scale-<timestamp>/{summary.md,results.json,raw/,run/}
# and, with matplotlib, the plots bench/results/scale-*.png.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

for c in dnsperf taskset python3 go; do
  command -v "$c" >/dev/null 2>&1 || { echo "bench/scale: $c not found (make deps installs dnsperf)" >&2; exit 1; }
done
[ -x ./coredns ] || make build
mkdir -p bench/out/bin
go build -o bench/out/bin/scale ./bench/scale

OUT="bench/out/scale-$(date -u +%Y%m%d-%H%M%S)"
python3 "$HERE/bench.py" --coredns "$ROOT/coredns" --scale "$ROOT/bench/out/bin/scale" \
  --out "$ROOT/$OUT" --cmdline "bench/scale/run.sh${*:+ $*}" "$@"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 "$HERE/plot.py" "$ROOT/$OUT/results.json" "$ROOT/bench/results"
else
  echo "bench/scale: python3-matplotlib missing, no plots (make bench-scale installs it)" >&2
fi

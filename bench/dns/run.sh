#!/usr/bin/env bash
# bench/dns: side-by-side dnsperf benchmark, policy vs file and geo overhead
# (see README.md in this folder). From anywhere in the repository:
#
#   bench/dns/run.sh --quick        # 3 rounds x 5 s  (what `make bench-dns-quick` runs)
#   bench/dns/run.sh                # 4 rounds x 8 s
#   bench/dns/run.sh -r 6 -d 10     # more; `bench/dns/run.sh -h` for every option
#
# Uses ./coredns (run `make build` first; built here if missing), builds the demo
# endpoints and a GeoLite2-City-typed demo database into bench/out/bin, and writes
# bench/out/<timestamp>/{summary.md,results.json,raw/,run/}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

for c in dnsperf taskset python3 go; do
  command -v "$c" >/dev/null 2>&1 || { echo "bench/dns: $c not found (make deps installs dnsperf)" >&2; exit 1; }
done
[ -x ./coredns ] || make build
mkdir -p bench/out/bin
go build -o bench/out/bin/endpoints ./demo/endpoints
go run ./bench/dns/mkcity -o bench/out/bin/city.mmdb

OUT="bench/out/$(date -u +%Y%m%d-%H%M%S)"
exec python3 "$HERE/bench.py" --coredns "$ROOT/coredns" --endpoints "$ROOT/bench/out/bin/endpoints" \
  --citydb "$ROOT/bench/out/bin/city.mmdb" --out "$ROOT/$OUT" --cmdline "bench/dns/run.sh${*:+ $*}" "$@"

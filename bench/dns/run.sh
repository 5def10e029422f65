#!/usr/bin/env bash
# bench/dns: side-by-side dnsperf benchmark: coretraffic policy vs file, geo overhead,
# and the same names served by stock CoreDNS (GSLB recipe), gdnsd and PowerDNS (see
# README.md in this folder). From anywhere in the repository:
#
#   bench/dns/run.sh --quick        # 3 rounds x 5 s  (what `make bench-dns-quick` runs)
#   bench/dns/run.sh                # 5 rounds x 8 s  (what `make bench-dns` runs)
#   bench/dns/run.sh -r 6 -d 10     # more; `bench/dns/run.sh -h` for every option
#
# Uses ./coredns (run `make build` first; built here if missing), builds the demo
# endpoints and a GeoLite2-City-typed demo database into bench/out/bin, and writes
# bench/out/<timestamp>/{summary.md,results.json,plots/*.png,raw/,run/}.
# Debian packages (dnsperf, gdnsd, pdns, matplotlib): bench/dns/deps.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

for c in dnsperf taskset python3 go; do
  command -v "$c" >/dev/null 2>&1 || { echo "bench/dns: $c not found (bench/dns/deps.sh installs it)" >&2; exit 1; }
done
[ -x ./coredns ] || make build
mkdir -p bench/out/bin
go build -o bench/out/bin/endpoints ./demo/endpoints
go run ./bench/dns/mkcity -o bench/out/bin/city.mmdb

# plots need matplotlib: Debian's python3-matplotlib serves /usr/bin/python3, which may
# not be the python3 on PATH
PY=python3
if ! python3 -c 'import matplotlib' >/dev/null 2>&1 && /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1; then
  PY=/usr/bin/python3
fi

OUT="bench/out/$(date -u +%Y%m%d-%H%M%S)"
exec "$PY" "$HERE/bench.py" --coredns "$ROOT/coredns" --endpoints "$ROOT/bench/out/bin/endpoints" \
  --citydb "$ROOT/bench/out/bin/city.mmdb" --out "$ROOT/$OUT" --cmdline "bench/dns/run.sh${*:+ $*}" "$@"

#!/usr/bin/env bash
# bench/dns: install the Debian packages the benchmark calls, only those missing
# (what `make bench-dns` and `make bench-dns-quick` run first):
#   dnsperf, gdnsd (3.8), pdns-server + pdns-backend-bind (4.7; static and LUA zones),
#   pdns-backend-geoip (LUA's continent() reads the demo mmdb through it),
#   python3-matplotlib (plots), valgrind (only for --icount; not installed here).
# Debian's postinst would start gdnsd and pdns on port 53: a temporary policy-rc.d
# keeps them stopped (bench.py starts its own copies on loopback ports).
set -euo pipefail
missing=()
for pair in dnsperf:dnsperf gdnsd:gdnsd pdns_server:pdns-server taskset:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
ls /usr/lib/*/pdns/libbindbackend.so >/dev/null 2>&1 || missing+=(pdns-backend-bind)
ls /usr/lib/*/pdns/libgeoipbackend.so >/dev/null 2>&1 || missing+=(pdns-backend-geoip)
# Debian's matplotlib is for Debian's python3 (run.sh uses it when the python3 on PATH,
# e.g. a pyenv one, has no matplotlib)
python3 -c 'import matplotlib' >/dev/null 2>&1 || /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1 ||
  missing+=(python3-matplotlib)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "bench/dns: installing ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
prc=/usr/sbin/policy-rc.d; created=0
if [ ! -e "$prc" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$prc" >/dev/null; $sudo chmod +x "$prc"; created=1
fi
trap '[ "$created" = 1 ] && $sudo rm -f "$prc"' EXIT
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
# in case a package started its daemon anyway (a systemd host ignores policy-rc.d for units)
for svc in gdnsd pdns; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done

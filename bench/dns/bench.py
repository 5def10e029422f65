#!/usr/bin/env python3
"""Side-by-side dnsperf benchmark of coretraffic's policy and geo plugins (bench/dns/README.md).

Starts one ./coredns process per scenario (same binary), each pinned to the server CPU
with GOMAXPROCS=1, checks that each answers what it should, then runs dnsperf (pinned to
the client CPU) against them in interleaved rounds A,B,C,D,D,C,B,A,... Each round sends
ECS for one client subnet (dnsperf takes one -E), cycling through several countries.
Per measurement: qps from dnsperf, and the server's CPU time (utime+stime of the process,
/proc/<pid>/stat) -> queries per server CPU-second. A figure is the median over rounds of
(scenario / base in the same round). Normally started by run.sh. Python 3 stdlib only.
"""
import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "conf")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Client subnets, one per round, cycling. Locations from the demo GeoIP table
# (geo/geotest.Demo, plugin/geo/README.md).
SUBNETS = [
    ("DE", "192.0.2.0/24"),     # EU, Frankfurt
    ("US", "198.51.100.0/24"),  # NA, Ashburn
    ("JP", "203.0.113.0/24"),   # AS, Tokyo
]

# name -> Corefile template, description. Order = order within a round.
SCENARIOS = {
    "file": ("file.Corefile", "stock `file`, no geo (base)"),
    "policy": ("policy.Corefile", "`geo` (ECS) + `policy`: geolocation → failover → weighted, HTTP checks"),
    "file+geo": ("file-geo.Corefile", "`metadata` + coretraffic `geo` (ECS) + `file`"),
    "file+geoip": ("file-geoip.Corefile", "`geoip {edns-subnet}` + `metadata` + `file` (stock recipe)"),
    "file+meta": ("file-meta.Corefile", "diagnostic: `metadata` + `file` (no label provider)"),
    "file+geo-only": ("file-geo-only.Corefile", "diagnostic: coretraffic `geo` (ECS) + `file`, no `metadata`"),
}
BASE = "file"
DEFAULT = ["file", "policy", "file+geo", "file+geoip"]
DIAG = ["file+meta", "file+geo-only"]

# figure, numerator, target for the per-CPU-second ratio (None: reference only)
FIGURES = [
    ("1. policy vs file", "policy", 1.00),
    ("2. geo overhead (ours)", "file+geo", 0.95),
    ("2. geoip overhead (stock)", "file+geoip", None),
    ("diagnostic: metadata alone", "file+meta", None),
    ("diagnostic: geo without metadata", "file+geo-only", None),
]

# Answers each scenario must give, per country: name -> list of allowed A-record sets.
# Every allowed set must also be seen (weighted choices) within the verification queries.
FILE_ANSWERS = {
    "www": [("192.0.2.10",)], "api": [("198.51.100.20",)], "app": [("192.0.2.30",)],
    "static": [("192.0.2.50", "192.0.2.51")], "mail": [("192.0.2.25",)],
}
POLICY_WWW = {
    "DE": [("192.0.2.10",), ("192.0.2.11",)],  # EU: weighted 70/30 (failover primary up)
    "US": [("198.51.100.10",)],                # NA: failover primary
    "JP": [("203.0.113.10",)],                 # AS: failover primary
}


def policy_answers(cc):
    a = dict(FILE_ANSWERS)
    a["www"] = POLICY_WWW[cc]
    a["api"] = [("198.51.100.20",), ("198.51.100.21",)]  # weighted 90/10
    return a


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# --------------------------------------------------------------------------- DNS client

def ecs_option(subnet, scope=0):
    """EDNS0 option 8 payload for an IPv4 subnet (RFC 7871)."""
    addr, plen = subnet.split("/")
    plen = int(plen)
    raw = socket.inet_aton(addr)[:(plen + 7) // 8]
    return struct.pack(">HBB", 1, plen, scope) + raw


def build_query(name, subnet=None, scope=0):
    qid = random.randint(0, 65535)
    hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1 if subnet else 0)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\x00"
    q += struct.pack(">HH", 1, 1)
    if subnet:
        opt = ecs_option(subnet, scope)
        rdata = struct.pack(">HH", 8, len(opt)) + opt
        q += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, len(rdata)) + rdata
    return qid, hdr + q


def _skip_name(b, off):
    while True:
        l = b[off]
        if l == 0:
            return off + 1
        if l & 0xC0 == 0xC0:
            return off + 2
        off += 1 + l


def query(port, name, subnet=None, scope=0, timeout=1.0):
    """-> dict(rcode, a=[addresses], ecs=(family, source, scope) or None), or None on timeout."""
    qid, pkt = build_query(name, subnet, scope)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(pkt, ("127.0.0.1", port))
        b, _ = s.recvfrom(4096)
    except OSError:
        return None
    finally:
        s.close()
    rid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", b[:12])
    if rid != qid:
        return None
    off = 12
    for _ in range(qd):
        off = _skip_name(b, off) + 4
    res = dict(rcode=flags & 0xF, a=[], ecs=None)
    for i in range(an + ns + ar):
        off = _skip_name(b, off)
        t, c, ttl, rdl = struct.unpack(">HHIH", b[off:off + 10])
        off += 10
        rd = b[off:off + rdl]
        if i < an and t == 1 and rdl == 4:
            res["a"].append(socket.inet_ntoa(rd))
        if t == 41:
            res["rcode"] |= (ttl >> 24) << 4
            o = 0
            while o + 4 <= len(rd):
                code, ln = struct.unpack(">HH", rd[o:o + 4])
                if code == 8 and ln >= 4:
                    res["ecs"] = struct.unpack(">HBB", rd[o + 4:o + 8])
                o += 4 + ln
        off += rdl
    return res


# --------------------------------------------------------------------------- processes

def cpu_ticks(pid):
    """utime+stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def cpu_busy():
    """{cpu: (busy, total)} from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                p = line.split()
                v = list(map(int, p[1:]))
                out[int(p[0][3:])] = (sum(v) - v[3] - v[4], sum(v))
    return out


def sched(args, cpu, argv):
    """taskset to one CPU; as root also nice -10 in a new session with autogroup nice
    (with sched_autogroup_enabled=1 plain nice only ranks within a session, and a
    concurrent build in another session would get an equal share of the core)."""
    cmd = ["taskset", "-c", str(cpu)] + list(argv)
    if os.geteuid() == 0 and args.nice:
        cmd = ["sh", "-c", 'echo "$0" > /proc/self/autogroup 2>/dev/null; exec "$@"', str(args.nice),
               "nice", "-n", str(args.nice)] + cmd
    return cmd


class Proc:
    def __init__(self, name, argv, env, logpath, cwd):
        self.name = name
        self.logf = open(logpath, "w")
        self.logf.write("# " + " ".join(argv) + "\n")
        self.logf.flush()
        self.p = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self.logf, stderr=subprocess.STDOUT,
                                  start_new_session=True)

    def pid(self):
        """The server's own pid: sh and taskset exec into it, so it is the Popen pid."""
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=5)
        self.logf.close()


# --------------------------------------------------------------------------- dnsperf

RX = {
    "sent": re.compile(r"Queries sent:\s+(\d+)"),
    "completed": re.compile(r"Queries completed:\s+(\d+)"),
    "lost": re.compile(r"Queries lost:\s+(\d+)"),
    "qps": re.compile(r"Queries per second:\s+([\d.]+)"),
    "lat_avg": re.compile(r"Average Latency \(s\):\s+([\d.]+)"),
    "rcodes": re.compile(r"Response codes:\s+(.*)"),
    "resp_size": re.compile(r"Average packet size:\s+request \d+, response (\d+)"),
}


def dnsperf(args, port, subnet, seconds, outfile, pid):
    ecs = ecs_option(subnet).hex()
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", args.queries, "-l", str(seconds),
           "-c", str(args.clients), "-q", str(args.outstanding), "-t", "2", "-E", "8:" + ecs,
           "-O", "suppress=timeouts,congestion,sendfailed,sockready,unexpected"]
    cmd = sched(args, args.client_cpu, cmd)
    t0, c0, b0 = time.time(), cpu_ticks(pid), cpu_busy()
    with open(outfile, "w") as f:
        f.write("# " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    t1, c1, b1 = time.time(), cpu_ticks(pid), cpu_busy()
    text = open(outfile).read()
    r = {}
    for k, rx in RX.items():
        m = rx.search(text)
        if m:
            r[k] = m.group(1).strip() if k == "rcodes" else float(m.group(1))
    if rc != 0 or "qps" not in r:
        raise RuntimeError(f"dnsperf failed (rc={rc}), see {outfile}")
    r["wall"] = t1 - t0
    r["cpu_s"] = (c1 - c0) / CLK_TCK
    r["srv_cores"] = r["cpu_s"] / r["wall"]
    r["q_per_cpu_s"] = r["completed"] / r["cpu_s"] if r["cpu_s"] > 0 else None
    sc = args.server_cpu
    if sc in b0 and sc in b1 and b1[sc][1] > b0[sc][1]:
        r["cpu_busy"] = (b1[sc][0] - b0[sc][0]) / (b1[sc][1] - b0[sc][1])
    return r


# --------------------------------------------------------------------------- verification

def verify(port, expected, subnet, n):
    """Every answer must be one of the expected sets and every expected set must be seen.
    Returns a list of problems (empty: good) and the answer counts."""
    problems, counts = [], {}
    for name, allowed in expected.items():
        seen = {}
        tries = n if len(allowed) > 1 else 5
        for _ in range(tries):
            r = query(port, f"{name}.example.net", subnet)
            if r is None:
                key = "timeout"
            elif r["rcode"] != 0:
                key = f"rcode{r['rcode']}"
            else:
                key = tuple(sorted(r["a"]))
            seen[key] = seen.get(key, 0) + 1
        counts[name] = {(",".join(k) if isinstance(k, tuple) else k): v for k, v in seen.items()}
        bad = [k for k in seen if k not in allowed]
        missing = [a for a in allowed if a not in seen]
        if bad:
            problems.append(f"{name} @ {subnet}: unexpected {bad} (allowed {allowed})")
        if missing:
            problems.append(f"{name} @ {subnet}: never answered {missing} in {tries} queries")
    return problems, counts


def verify_scenario(name, port, n):
    problems, counts = [], {}
    for cc, subnet in SUBNETS:
        exp = policy_answers(cc) if name == "policy" else FILE_ANSWERS
        p, c = verify(port, exp, subnet, n)
        problems += p
        counts[cc] = c
        r = query(port, "www.example.net", subnet)
        if name == "policy":
            # geo's location reached policy: the answer carries ECS with the database
            # network's prefix (/24 for these subnets) as scope
            if not r or r["ecs"] != (1, 24, 24):
                problems.append(f"www @ {subnet}: response ECS {r and r['ecs']}, want family 1 source 24 scope 24")
    if name in ("policy", "file+geo", "file+geo-only"):
        # geo is in the chain and reads ECS: a non-zero SCOPE in a query is FORMERR (RFC 7871 7.1.1)
        r = query(port, "www.example.net", SUBNETS[0][1], scope=24)
        if not r or r["rcode"] != 1:
            problems.append(f"ECS with scope 24: rcode {r and r['rcode']}, want FORMERR from geo")
    return problems, counts


def http(method, url):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError) as e:
        return f"error: {getattr(e, 'reason', e)}"


def check_failover(port, ep_addrs, n):
    """The health checks are live: the endpoints answer 200; with both Frankfurt
    endpoints down, www (DE) fails over to Ashburn and app to its second tier; after they
    come back, the normal answers return."""
    for a in ep_addrs:
        st = http("GET", f"http://{a}/health")
        if st != 200:
            raise RuntimeError(f"health-check target {a}: HTTP {st}, want 200")
    de = SUBNETS[0][1]
    for a in ep_addrs[:2]:
        http("POST", f"http://{a}/down")
    try:
        deadline = time.time() + 15
        while True:
            www, app = query(port, "www.example.net", de), query(port, "app.example.net", de)
            if www and app and www["a"] == ["198.51.100.10"] and app["a"] == ["198.51.100.30"]:
                break
            if time.time() > deadline:
                raise RuntimeError(f"policy: fra-1/fra-2 down for 15 s but www @ {de} = {www and www['a']}, "
                                   f"app = {app and app['a']}; want failover 198.51.100.10 / 198.51.100.30")
            time.sleep(0.2)
        log("verified policy failover: fra-1, fra-2 down -> www (DE) 198.51.100.10, app 198.51.100.30")
    finally:
        for a in ep_addrs[:2]:
            http("POST", f"http://{a}/up")
    deadline = time.time() + 15
    while True:
        problems, _ = verify_scenario("policy", port, n)
        if not problems:
            break
        if time.time() > deadline:
            raise RuntimeError("policy: endpoints up again but answers did not recover: " + "; ".join(problems))
        time.sleep(0.5)
    log("verified policy recovery: all endpoints up, normal answers again")


# --------------------------------------------------------------------------- callgrind

def icount(args, names, ports, pids, run, out):
    """Instructions per query (user space, whole process: includes GC and the health
    checker) for each server, from callgrind totals between `callgrind_control -z` and
    `-d`. Independent of machine load; excludes kernel time (syscalls)."""
    nq = sum(1 for l in open(args.queries) if l.strip())
    res = {}

    def perf(n, subnet, passes, tag):
        ecs = ecs_option(subnet).hex()
        cmd = sched(args, args.client_cpu, ["dnsperf", "-s", "127.0.0.1", "-p", str(ports[n]), "-d", args.queries,
                                            "-n", str(passes), "-q", "20", "-t", "5", "-E", "8:" + ecs])
        path = os.path.join(out, "raw", f"{n}.icount.{tag}.txt")
        with open(path, "w") as f:
            subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
        m = RX["completed"].search(open(path).read())
        return int(m.group(1)) if m else 0

    for n in names:
        pid = str(pids[n])
        perf(n, SUBNETS[0][1], max(1, args.icount // 5), "warm")
        subprocess.run(["callgrind_control", "-z", pid], capture_output=True, timeout=120)
        res[n] = []
        for k, (cc, subnet) in enumerate(SUBNETS):
            before = set(os.listdir(run))
            done = perf(n, subnet, args.icount, f"b{k + 1}")
            subprocess.run(["callgrind_control", "-d", pid], capture_output=True, timeout=120)
            total, new = 0, []
            for _ in range(100):
                new = [f for f in os.listdir(run) if f.startswith(f"cg.{n}.") and f not in before]
                if new:
                    break
                time.sleep(0.2)
            time.sleep(1.0)  # let the dump finish
            for fn in new:
                with open(os.path.join(run, fn)) as f:
                    for line in f:
                        if line.startswith("totals:"):
                            total += int(line.split()[1])
                            break
            if total and done:
                res[n].append(total / done)
                log(f"icount {n} {cc}: {total / done:,.0f} instructions/query ({done} of {args.icount * nq} queries)")
            else:
                log(f"icount {n} {cc}: no result (dump files {new}, completed {done})")
    return res


def write_icount_summary(args, names, res, mach, started, out):
    nq = sum(1 for l in open(args.queries) if l.strip())
    b = med(res.get(BASE, []))
    L = [f"# bench/dns: instructions per query (callgrind) — {started}\n",
         f"- command: `{args.cmdline or ' '.join(sys.argv)}`",
         f"- machine: {mach['nproc']} CPUs, {mach['model']}, Linux {mach['kernel']}",
         f"- coredns: `{args.coredns}`: {mach.get('coredns_version')}, GOMAXPROCS=1, GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off, under valgrind callgrind",
         f"- per server: 3 batches of {args.icount} × {nq} queries, ECS " + ", ".join(f"{s} {c}" for c, s in SUBNETS) +
         "; user-space instructions of the whole process (GC and health checks included, kernel excluded)", "",
         "| scenario | what | instructions/query (median) | per batch (DE, US, JP) | vs file | target |",
         "|---|---|---:|---|---:|---|"]
    targets = {f[1]: f[2] for f in FIGURES}
    for n in names:
        v = res.get(n) or []
        m = med(v)
        # fewer instructions is better: the per-CPU-second figure is file/scenario
        ratio = f"{b / m:.3f}× ({m / b * 100:.0f} % of file's instructions)" if m and b and n != BASE else "-"
        t = targets.get(n)
        L.append(f"| {n} | {SCENARIOS[n][1]} | {m:,.0f} | {', '.join(f'{x:,.0f}' for x in v)} | {ratio} | "
                 f"{'-' if t is None else f'≥ {t:.2f}×'} |" if m else f"| {n} | {SCENARIOS[n][1]} | failed | | | |")
    L.append("\n\"vs file\" is file's instructions per query / the scenario's (the queries-per-CPU-second "
             "ratio if user-space instructions were all the cost; kernel time for the socket calls is the same "
             "per query in every scenario and makes the real ratios closer to 1).")
    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(dict(started=started, argv=sys.argv, machine=mach, icount=res), f, indent=1)
    print("\n" + text)
    log("wrote", os.path.join(out, "summary.md"))


# --------------------------------------------------------------------------- profile

def profile(args, name, port, pprof, out):
    """CPU profile of one server under the same dnsperf load, then `go tool pprof -top`."""
    secs = args.profile
    path = os.path.join(out, "raw", f"{name}.pprof")
    res = {}

    def fetch():
        try:
            with urllib.request.urlopen(f"http://{pprof}/debug/pprof/profile?seconds={secs}", timeout=secs + 30) as r:
                data = r.read()
            with open(path, "wb") as f:
                f.write(data)
            res["ok"] = True
        except Exception as e:  # noqa: BLE001
            res["err"] = str(e)

    t = threading.Thread(target=fetch)
    t.start()
    dnsperf(args, port, SUBNETS[0][1], secs + 2, os.path.join(out, "raw", f"{name}.profiled.txt"), args._pids[name])
    t.join()
    if not res.get("ok"):
        return f"profile of {name} failed: {res.get('err')}"
    top = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=30", args.coredns, path],
                         capture_output=True, text=True).stdout
    cum = subprocess.run(["go", "tool", "pprof", "-top", "-cum", "-nodecount=400", args.coredns, path],
                         capture_output=True, text=True).stdout
    with open(path + ".top.txt", "w") as f:
        f.write(top + "\n# -cum\n" + cum)
    # where the plugins' time goes: cumulative shares of the plugin entry points and of
    # the runtime costs they drive
    rx = re.compile(r"(coretraffic/coretraffic/|plugin/metadata\.|plugin/geoip\.|plugin/file\.File\.ServeDNS|"
                    r"runtime\.newstack$|runtime\.mallocgc$|runtime\.gcBgMarkWorker$|linux\.Syscall6$)")
    picked = [l for l in cum.splitlines() if rx.search(l.strip())][:25]
    return "\n".join(top.splitlines()[:36]) + "\n\n# selected -cum entries\n" + "\n".join(picked)


# --------------------------------------------------------------------------- main

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fk(v):
    return "-" if v is None else f"{v / 1000:.1f}k"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(nproc=os.cpu_count(), model=model, kernel=platform.release())


def git_rev():
    try:
        return subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--coredns", required=True)
    ap.add_argument("--endpoints", required=True, help="demo/endpoints binary (health-check targets)")
    ap.add_argument("--citydb", required=True, help="GeoLite2-City-typed demo database (mkcity)")
    ap.add_argument("--out", required=True, help="results directory")
    ap.add_argument("--quick", action="store_true", help="3 rounds x 5 s (default 4 x 8 s)")
    ap.add_argument("-r", "--rounds", type=int)
    ap.add_argument("-d", "--duration", type=int, help="seconds per measurement")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("-c", "--clients", type=int, default=4, help="dnsperf -c")
    ap.add_argument("-q", "--outstanding", type=int, default=256, help="dnsperf -q")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    ap.add_argument("-s", "--scenarios", default=",".join(DEFAULT), help="comma list of " + ", ".join(SCENARIOS))
    ap.add_argument("--diag", action="store_true", help="add the diagnostic scenarios " + ", ".join(DIAG))
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--nice", type=int, default=-10, help="as root: nice and autogroup nice of servers and dnsperf")
    ap.add_argument("--port", type=int, default=5451, help="first DNS port; pprof on port+100, endpoints port+14000")
    ap.add_argument("--verify-n", type=int, default=200, help="queries per weighted name in the answer check")
    ap.add_argument("--profile", type=int, default=10,
                    help="seconds of CPU profile for a server whose figure misses its target (0: never)")
    ap.add_argument("--profile-always", action="store_true", help="profile every scenario")
    ap.add_argument("--icount", type=int, default=0,
                    help="N>0: instead of timing, run each server under valgrind callgrind and count user-space "
                         "instructions per query over 3 batches of N passes through the query file (one per subnet)")
    ap.add_argument("--cmdline", default=None, help="command line to record in the summary")
    args = ap.parse_args()
    args.rounds = args.rounds or (3 if args.quick else 4)
    args.duration = args.duration or (5 if args.quick else 8)
    args.queries = os.path.abspath(args.queries)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    if args.diag:
        names += [n for n in DIAG if n not in names]
    for n in names:
        if n not in SCENARIOS:
            sys.exit(f"unknown scenario {n!r}")
    if BASE not in names:
        names.insert(0, BASE)
    out = args.out
    run = os.path.join(out, "run")
    os.makedirs(os.path.join(out, "raw"), exist_ok=True)
    os.makedirs(run, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    mach = machine()
    try:
        v = subprocess.run([args.coredns, "-version"], capture_output=True, text=True, timeout=30).stdout
        mach["coredns_version"] = " ".join(v.split())
    except (OSError, subprocess.TimeoutExpired):
        mach["coredns_version"] = "?"
    mode = f"callgrind, {args.icount} passes per batch" if args.icount else f"{args.rounds} rounds x {args.duration} s"
    log(f"results -> {out}; {mode}; {mach['nproc']} CPUs, {mach['model']}")
    if (mach["nproc"] or 0) < 2:
        sys.exit("needs 2 CPUs: server and dnsperf on separate cores")

    ep_addrs = [f"127.0.0.1:{args.port + 14000 + i}" for i in range(4)]
    ports = {n: args.port + i for i, n in enumerate(SCENARIOS)}
    pprofs = {n: f"127.0.0.1:{p + 100}" for n, p in ports.items()}
    procs, pids = {}, {}
    args._pids = pids
    results, meta = [], {}
    try:
        # health-check targets, on the client CPU, all up
        procs["endpoints"] = Proc("endpoints", sched(args, args.client_cpu, [args.endpoints, "-listen", ",".join(ep_addrs)]),
                                  dict(os.environ), os.path.join(run, "endpoints.log"), run)
        deadline = time.time() + 10
        while not all(http("GET", f"http://{a}/health") == 200 for a in ep_addrs):
            if not procs["endpoints"].alive() or time.time() > deadline:
                raise RuntimeError(f"health-check targets {','.join(ep_addrs)} did not start (port in use by "
                                   f"another process?); see {procs['endpoints'].logf.name}")
            time.sleep(0.1)
        if not procs["endpoints"].alive():
            raise RuntimeError(f"health-check targets: ours exited, another process serves {ep_addrs[0]}")
        with open(os.path.join(CONF, "policy.yaml")) as f:
            pol = f.read()
        for i, a in enumerate(ep_addrs):
            pol = pol.replace("{{EP%d}}" % (i + 1), a)
        with open(os.path.join(run, "policy.yaml"), "w") as f:
            f.write(pol)

        for n in names:
            with open(os.path.join(CONF, SCENARIOS[n][0])) as f:
                t = f.read()
            t = (t.replace("{{PORT}}", str(ports[n])).replace("{{PPROF}}", pprofs[n])
                 .replace("{{CONF}}", CONF).replace("{{RUN}}", run).replace("{{CITYDB}}", args.citydb))
            cf = os.path.join(run, n.replace("+", "-") + ".Corefile")
            with open(cf, "w") as f:
                f.write(t)
            env = dict(os.environ, GOMAXPROCS="1")
            argv = [args.coredns, "-conf", cf]
            if args.icount:
                # callgrind asserts on Go's async-preemption signals, and valgrind 3.19 lacks RDTSCP
                env["GODEBUG"] = ",".join(filter(None, [env.get("GODEBUG"), "asyncpreemptoff=1", "cpu.rdtscp=off"]))
                argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={run}/cg.{n}.%p.out"] + argv
            procs[n] = Proc(n, sched(args, args.server_cpu, argv), env,
                            os.path.join(run, n.replace("+", "-") + ".log"), run)
            pids[n] = procs[n].pid()

        # wait until every server answers, then check the answers (health checks need a
        # moment to pass; retry for a while before giving up)
        deadline = time.time() + (240 if args.icount else 30)
        for n in names:
            while True:
                if not procs[n].alive():
                    raise RuntimeError(f"{n} exited; see {procs[n].logf.name}")
                r = query(ports[n], "mail.example.net", timeout=0.3)
                if r and r["rcode"] == 0 and r["a"]:
                    break
                if time.time() > deadline:
                    raise RuntimeError(f"{n} not answering on :{ports[n]}; see {procs[n].logf.name}")
                time.sleep(0.2)
            log(f"started {n} on :{ports[n]} pid {pids[n]}")
        for n in names:
            while True:
                problems, counts = verify_scenario(n, ports[n], args.verify_n)
                if not problems:
                    break
                if time.time() > deadline:
                    for p in problems:
                        log(f"VERIFY FAILED {n}: {p}")
                    raise RuntimeError(f"{n} does not answer as expected (see above)")
                time.sleep(1)
            meta[n] = dict(verify=counts)
            if n == "policy":
                check_failover(ports[n], ep_addrs, args.verify_n)
            log(f"verified {n}: " + json.dumps(counts["DE"]))
        for n in names:  # the answers came from our servers, not from something else on their ports
            if not procs[n].alive():
                raise RuntimeError(f"{n} exited; see {procs[n].logf.name}")

        if args.icount:
            res = icount(args, names, ports, pids, run, out)
            for n, p in procs.items():
                p.stop()
            procs = {}
            write_icount_summary(args, names, res, mach, started, out)
            return

        for n in names:
            r = dnsperf(args, ports[n], SUBNETS[0][1], args.warmup, os.path.join(out, "raw", f"{n}.warmup.txt"), pids[n])
            log(f"warm-up {n}: {r['qps']:.0f} qps")

        for rnd in range(1, args.rounds + 1):
            cc, subnet = SUBNETS[(rnd - 1) % len(SUBNETS)]
            log(f"round {rnd}: ECS {subnet} ({cc}), load average {' '.join('%.2f' % x for x in os.getloadavg())}")
            # odd rounds in order, even rounds reversed (A,B,C,C,B,A,...): a slow drift in
            # machine load then biases no scenario against the base
            for n in (names if rnd % 2 else names[::-1]):
                load1 = os.getloadavg()[0]
                r = dnsperf(args, ports[n], subnet, args.duration,
                            os.path.join(out, "raw", f"{n}.r{rnd}.txt"), pids[n])
                r.update(scenario=n, round=rnd, cc=cc, subnet=subnet, load1=load1)
                results.append(r)
                log(f"  {n:11s} qps={r['qps']:8.0f} q/CPU-s={r['q_per_cpu_s'] or 0:8.0f} srv={r['srv_cores']:.2f} "
                    f"cores cpu{args.server_cpu}-busy={r.get('cpu_busy', 0):.2f} lost={r.get('lost', 0):.0f} "
                    f"load={load1:.2f} rcodes={r.get('rcodes', '')}")
            for n in names + ["endpoints"]:
                if not procs[n].alive():
                    raise RuntimeError(f"{n} died during the rounds; see {procs[n].logf.name}")

        # figures: median over rounds of (scenario / base in the same round)
        def per_round(n, key):
            out_ = []
            for r in results:
                if r["scenario"] != n:
                    continue
                b = [x for x in results if x["scenario"] == BASE and x["round"] == r["round"]][0]
                if r.get(key) and b.get(key):
                    out_.append(r[key] / b[key])
            return out_

        figs = []
        for title, n, target in FIGURES:
            if n not in names:
                continue
            rq, re_ = per_round(n, "qps"), per_round(n, "q_per_cpu_s")
            figs.append(dict(title=title, scenario=n, target=target, qps_ratio=med(rq), eff_ratio=med(re_),
                             qps_rounds=rq, eff_rounds=re_,
                             met=None if target is None or med(re_) is None else med(re_) >= target))

        profiles = {}
        if args.profile:
            want = [f["scenario"] for f in figs if f["met"] is False]
            if args.profile_always:
                want = [n for n in names if n != BASE]
            if want:
                want = [BASE] + want  # the base's profile to compare against
            for n in want:
                log(f"profiling {n} for {args.profile} s under load")
                profiles[n] = profile(args, n, ports[n], pprofs[n], out)
    finally:
        for n, p in procs.items():
            p.stop()

    write_summary(args, names, results, figs, profiles, meta, mach, started, out)


def write_summary(args, names, results, figs, profiles, meta, mach, started, out):
    L = []
    L.append(f"# bench/dns: policy vs file, geo overhead — {started}\n")
    L.append(f"- command: `{args.cmdline or ' '.join(sys.argv)}`")
    L.append(f"- machine: {mach['nproc']} CPUs, {mach['model']}, Linux {mach['kernel']}")
    L.append(f"- coredns: `{args.coredns}`: {mach.get('coredns_version')} (tree at git {git_rev()})")
    L.append(f"- {args.rounds} interleaved rounds × {args.duration} s ({', '.join(names)}; even rounds in reverse order); "
             f"dnsperf -c {args.clients} -q {args.outstanding}, unlimited rate, on CPU {args.client_cpu}; "
             f"each server its own process on CPU {args.server_cpu}, GOMAXPROCS=1"
             + (f", nice {args.nice} (autogroup)" if os.geteuid() == 0 and args.nice else ""))
    L.append("- ECS per round: " + ", ".join(f"r{r['round']} {r['subnet']} {r['cc']}" for r in results if r["scenario"] == BASE))
    loads = [r["load1"] for r in results]
    if loads:
        L.append(f"- load average (1 min) before each measurement: min {min(loads):.2f}, median {med(loads):.2f}, max {max(loads):.2f} "
                 "(about 2 of it is this benchmark: dnsperf and the server under test)")
    L.append("")
    L.append("## Figures (median of per-round ratios, scenario / `file` in the same round)\n")
    L.append("| figure | scenario | qps ratio | per-round | q per server CPU-s ratio | per-round | target (per CPU-s) | met |")
    L.append("|---|---|---:|---|---:|---|---:|---|")
    for f in figs:
        tgt = "-" if f["target"] is None else f"≥ {f['target']:.2f}×"
        met = "-" if f["met"] is None else ("yes" if f["met"] else "**NO**")
        L.append(f"| {f['title']} | {f['scenario']} | {f['qps_ratio']:.3f}× | {' '.join('%.2f' % x for x in f['qps_rounds'])} | "
                 f"{f['eff_ratio']:.3f}× | {' '.join('%.2f' % x for x in f['eff_rounds'])} | {tgt} | {met} |")
    byname = {f["scenario"]: f for f in figs}
    if "file+geo" in byname and "file+geoip" in byname:
        g, s = byname["file+geo"], byname["file+geoip"]
        L.append(f"\nPer server CPU-second, locating every client from ECS costs: ours (`geo`) "
                 f"{(1 - g['eff_ratio']) * 100:.1f} %, stock `geoip` {(1 - s['eff_ratio']) * 100:.1f} % "
                 f"(wall-clock qps: {(1 - g['qps_ratio']) * 100:.1f} % and {(1 - s['qps_ratio']) * 100:.1f} %).")
    L.append("\n## Per scenario (medians over rounds)\n")
    L.append("| scenario | what | qps | min–max | q per server CPU-s | server CPU (cores) | server CPU busy | avg latency (ms) | response bytes | lost | rcodes (last round) |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in names:
        rs = [r for r in results if r["scenario"] == n]
        if not rs:
            continue
        q = [r["qps"] for r in rs]
        L.append(f"| {n} | {SCENARIOS[n][1]} | {fk(med(q))} | {fk(min(q))}–{fk(max(q))} | {fk(med(r['q_per_cpu_s'] for r in rs))} | "
                 f"{med(r['srv_cores'] for r in rs):.2f} | {med(r.get('cpu_busy') for r in rs) or 0:.2f} | "
                 f"{med(r.get('lat_avg') for r in rs) * 1e3:.2f} | {med(r.get('resp_size') for r in rs):.0f} | "
                 f"{sum(r.get('lost', 0) for r in rs):.0f} | {rs[-1].get('rcodes', '')} |")
    L.append("\n## Per round: qps / q per server CPU-s\n")
    L.append("| round | ECS | load 1m | " + " | ".join(names) + " |")
    L.append("|---|---|---:|" + "---:|" * len(names))
    for rnd in sorted({r["round"] for r in results}):
        rs = {r["scenario"]: r for r in results if r["round"] == rnd}
        b = rs[BASE]
        L.append(f"| {rnd} | {b['subnet']} {b['cc']} | {b['load1']:.2f} | " +
                 " | ".join(f"{fk(rs[n]['qps'])} / {fk(rs[n]['q_per_cpu_s'])}" for n in names if n in rs) + " |")
    L.append("\nAnswers checked before timing (200 queries per weighted name, each country; "
             "policy: ECS scope 24 in the reply; every block with geo: FORMERR for a query ECS scope ≠ 0).")
    if profiles:
        L.append("\n## CPU profiles (`go tool pprof -top`, under the same load; raw/*.pprof)\n")
        for n, top in profiles.items():
            L.append(f"### {n}\n\n```\n" + top + "\n```\n")
    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(dict(started=started, argv=sys.argv, machine=mach, settings={k: v for k, v in vars(args).items() if not k.startswith("_")},
                       results=results, figures=figs, verify=meta), f, indent=1, default=str)
    print("\n" + text)
    log("wrote", os.path.join(out, "summary.md"))


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        log(f"bench/dns FAILED: {e}")
        sys.exit(1)

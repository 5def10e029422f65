#!/usr/bin/env python3
"""Side-by-side dnsperf benchmark of coretraffic's policy and geo plugins against stock
CoreDNS, gdnsd and PowerDNS serving the same names (bench/dns/README.md).

Starts one server process per scenario (scenarios.py), each pinned to the server CPU
(GOMAXPROCS=1 for Go), checks that each gives the expected answers for every client
subnet (answer sets and weighted splits, failover on failed health checks), then runs
dnsperf (pinned to the client CPU) against them in interleaved rounds A,B,C,C,B,A,...
Each round sends ECS for one client subnet (dnsperf takes one -E), cycling through
several countries. Per measurement: qps from dnsperf, and the server's CPU time
(utime+stime of its process tree, /proc/<pid>/stat) -> queries per server CPU-second. A
figure is the median over rounds of (scenario / other scenario in the same round). Then
a fixed-rate latency run per server (dnsperf -Q) for percentiles, peak RSS (VmHWM), and
PNG plots (plots.py, matplotlib). Normally started by run.sh.
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

sys.dont_write_bytecode = True  # scenarios.py, plots.py: no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "conf")
CLK_TCK = os.sysconf("SC_CLK_TCK")

from scenarios import (BASE, DIAG, FAILOVER, FIGURES, GROUPS, SCENARIOS, SITES, SUBNETS,  # noqa: E402
                       answers, prepare, split_ok)


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

def tree(pid):
    """pid and its descendants (a server that forks helpers is measured whole)."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
            kids.setdefault(int(st[st.rindex(")") + 2:].split()[1]), []).append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_ticks(pid):
    """utime+stime of the process tree (all threads), in clock ticks."""
    t = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            t += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return t


def mem_kib(pid):
    """(VmHWM, VmRSS) summed over the process tree, KiB."""
    hwm = rss = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return hwm, rss


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
        """The server's own pid: sh, nice and taskset exec into it, so it is the Popen pid."""
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


def latency(args, port, subnet, outfile, pid):
    """Fixed offered rate (dnsperf -Q, one client, -v): every query's latency ->
    percentiles. The raw file keeps dnsperf's summary, not the per-query lines."""
    ecs = ecs_option(subnet).hex()
    cmd = sched(args, args.client_cpu, ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", args.queries,
                                        "-l", str(args.lat_seconds), "-Q", str(args.lat_qps), "-c", "1",
                                        "-q", "200", "-t", "2", "-E", "8:" + ecs, "-v"])
    t0, c0 = time.time(), cpu_ticks(pid)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t1, c1 = time.time(), cpu_ticks(pid)
    lats, rest = [], []
    for line in p.stdout.splitlines():
        f = line.split()
        if line.startswith("> ") and len(f) >= 4 and not line.startswith("> T"):
            try:
                lats.append(float(f[-1]))
                continue
            except ValueError:
                pass
        rest.append(line)
    with open(outfile, "w") as f:
        f.write("# " + " ".join(cmd) + "\n" + "\n".join(rest) + "\n")
    r = {}
    for k, rx in RX.items():
        m = rx.search(p.stdout)
        if m:
            r[k] = m.group(1).strip() if k == "rcodes" else float(m.group(1))
    if p.returncode != 0 or not lats:
        raise RuntimeError(f"latency run failed (rc={p.returncode}, {len(lats)} latencies), see {outfile}")
    lats.sort()

    def pct(q):
        return lats[min(len(lats) - 1, int(len(lats) * q))]
    r.update(rate=args.lat_qps, n=len(lats), p50=pct(0.50), p90=pct(0.90), p99=pct(0.99), p999=pct(0.999),
             max=lats[-1], srv_cores=(c1 - c0) / CLK_TCK / (t1 - t0))
    return r


# --------------------------------------------------------------------------- verification

def answer_key(r, lb_first):
    """The answer as the verifier compares it: the sorted address set; for a server that
    returns the whole set with the weighted pick first (lb_first), that first address."""
    if r is None:
        return "timeout"
    if r["rcode"] != 0:
        return f"rcode{r['rcode']}"
    if lb_first and r["a"]:
        return (r["a"][0],)
    return tuple(sorted(r["a"]))


def verify(port, expected, subnet, n, lb_first=False):
    """Per name: every answer is one of the expected sets, every expected set is seen,
    and each set's share agrees with its weight (split_ok). With lb_first the full set
    must also be the union of the expected ones. Returns (problems, counts)."""
    problems, counts = [], {}
    for name, allowed in expected.items():
        sets = [a for a, _ in allowed]
        union = tuple(sorted({x for a in sets for x in a}))
        seen, whole = {}, set()
        tries = n if len(allowed) > 1 else 5
        for _ in range(tries):
            r = query(port, f"{name}.example.net", subnet)
            key = answer_key(r, lb_first and len(allowed) > 1)
            seen[key] = seen.get(key, 0) + 1
            if lb_first and len(allowed) > 1 and r and r["rcode"] == 0:
                whole.add(tuple(sorted(r["a"])))
        counts[name] = {(",".join(k) if isinstance(k, tuple) else k): v for k, v in seen.items()}
        bad = [k for k in seen if k not in sets]
        missing = [a for a in sets if a not in seen]
        if bad:
            problems.append(f"{name} @ {subnet}: unexpected {bad} (allowed {sets})")
        if missing:
            problems.append(f"{name} @ {subnet}: never answered {missing} in {tries} queries")
        if whole and whole != {union}:
            problems.append(f"{name} @ {subnet}: answer sets {sorted(whole)}, want all of {union}")
        if not bad and not missing:
            for a, share in allowed:
                if not split_ok(seen.get(a, 0), tries, share):
                    problems.append(f"{name} @ {subnet}: {','.join(a)} in {seen.get(a, 0)} of {tries} answers, "
                                    f"want {share:.0%} (split outside 4.5 sd)")
    return problems, counts


def verify_scenario(name, port, n):
    s = SCENARIOS[name]
    problems, counts = [], {}
    for cc, cont, subnet, scope in SUBNETS:
        p, c = verify(port, answers(name, cont), subnet, n, s.get("lb_first", False))
        problems += p
        counts[cc] = c
        if s.get("scope"):
            # geo's location reached policy: the answer carries ECS with the database
            # network's prefix as scope
            r = query(port, "www.example.net", subnet)
            if not r or r["ecs"] != (1, 24, scope):
                problems.append(f"www @ {subnet}: response ECS {r and r['ecs']}, want family 1 source 24 scope {scope}")
    if s.get("geo"):
        # geo is in the chain and reads ECS: a non-zero SCOPE in a query is FORMERR (RFC 7871 7.1.1)
        r = query(port, "www.example.net", SUBNETS[0][2], scope=24)
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


def check_failover(ports, ep_addrs, n):
    """The health checks are live, in every server that has them: the endpoints answer
    200; with fra-1 and fra-2 failing, www (DE) and app fail over to iad-1 and api keeps
    only iad-1; once they are back, the normal answers return everywhere."""
    for a in ep_addrs:
        st = http("GET", f"http://{a}/health")
        if st != 200:
            raise RuntimeError(f"health-check target {a}: HTTP {st}, want 200")
    de = SUBNETS[0][2]
    down = [a for a in ep_addrs if a.split(":")[0] in (SITES["fra-1"], SITES["fra-2"])]
    for a in down:
        http("POST", f"http://{a}/down")
    try:
        deadline = time.time() + 20
        pending = dict(ports)
        while pending:
            for n_, port in list(pending.items()):
                got = {name: query(port, f"{name}.example.net", de) for name in FAILOVER}
                if all(got[k] and tuple(sorted(got[k]["a"])) == want for k, want in FAILOVER.items()):
                    log(f"verified {n_} failover: fra-1, fra-2 down -> " +
                        ", ".join(f"{k} {','.join(v)}" for k, v in FAILOVER.items()))
                    del pending[n_]
            if pending and time.time() > deadline:
                raise RuntimeError(f"fra-1/fra-2 down for 20 s but {', '.join(pending)} did not fail over to "
                                   f"{FAILOVER} (www/app/api @ {de})")
            time.sleep(0.3)
    finally:
        for a in down:
            http("POST", f"http://{a}/up")
    deadline = time.time() + 20
    for n_, port in ports.items():
        while True:
            problems, _ = verify_scenario(n_, port, n)
            if not problems:
                break
            if time.time() > deadline:
                raise RuntimeError(f"{n_}: endpoints up again but answers did not recover: " + "; ".join(problems))
            time.sleep(0.5)
        log(f"verified {n_} recovery: all endpoints up, normal answers again")


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
        perf(n, SUBNETS[0][2], max(1, args.icount // 5), "warm")
        subprocess.run(["callgrind_control", "-z", pid], capture_output=True, timeout=120)
        res[n] = []
        for k, (cc, _, subnet, _) in enumerate(SUBNETS):
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
         f"- coredns: `{args.coredns}`: {mach.get('coredns_version')}, GOMAXPROCS=1, GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off; "
         "every server under valgrind callgrind",
         f"- per server: {len(SUBNETS)} batches of {args.icount} × {nq} queries, ECS " + ", ".join(f"{s} {c}" for c, _, s, _ in SUBNETS) +
         "; user-space instructions of the whole process (GC and health checks included, kernel excluded)", "",
         "| scenario | what | instructions/query (median) | per batch (" + ", ".join(c for c, *_ in SUBNETS) + ") | vs file | target |",
         "|---|---|---:|---|---:|---|"]
    targets = {f[1]: f[3] for f in FIGURES if f[2] == BASE}
    for n in names:
        v = res.get(n) or []
        m = med(v)
        # fewer instructions is better: the per-CPU-second figure is file/scenario
        ratio = f"{b / m:.3f}× ({m / b * 100:.0f} % of file's instructions)" if m and b and n != BASE else "-"
        t = targets.get(n)
        L.append(f"| {n} | {SCENARIOS[n]['desc']} | {m:,.0f} | {', '.join(f'{x:,.0f}' for x in v)} | {ratio} | "
                 f"{'-' if t is None else f'≥ {t:.2f}×'} |" if m else f"| {n} | {SCENARIOS[n]['desc']} | failed | | | |")
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
    dnsperf(args, port, SUBNETS[0][2], secs + 2, os.path.join(out, "raw", f"{name}.profiled.txt"), args._pids[name])
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
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    return dict(nproc=os.cpu_count(), model=model, kernel=platform.release(), mem_gib=mem)


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
    ap.add_argument("--quick", action="store_true", help="3 rounds x 5 s, latency runs 3 s (default 5 x 8 s, 5 s)")
    ap.add_argument("-r", "--rounds", type=int)
    ap.add_argument("-d", "--duration", type=int, help="seconds per measurement")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("-c", "--clients", type=int, default=4, help="dnsperf -c")
    ap.add_argument("-q", "--outstanding", type=int, default=256, help="dnsperf -q")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.txt"))
    ap.add_argument("-s", "--scenarios", default="default",
                    help="comma list of scenarios (" + ", ".join(SCENARIOS) + ") and groups (" +
                         ", ".join(f"{k}: {'+'.join(v)}" for k, v in GROUPS.items()) + ")")
    ap.add_argument("--diag", action="store_true", help="add the diagnostic scenarios " + ", ".join(DIAG))
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--nice", type=int, default=-10, help="as root: nice and autogroup nice of servers and dnsperf")
    ap.add_argument("--port", type=int, default=5451,
                    help="first DNS port; pprof on port+100, health-check endpoints on port+14000")
    ap.add_argument("--verify-n", type=int, default=400, help="queries per weighted name and subnet in the answer check")
    ap.add_argument("--lat-qps", type=int, default=5000, help="offered rate of the latency run (0: skip)")
    ap.add_argument("--lat-seconds", type=int, help="seconds of the latency run per server")
    ap.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    ap.add_argument("--profile", type=int, default=10,
                    help="seconds of CPU profile for a server whose figure misses its target (0: never)")
    ap.add_argument("--profile-always", action="store_true", help="profile every coredns scenario")
    ap.add_argument("--icount", type=int, default=0,
                    help="N>0: instead of timing, run each server under valgrind callgrind and count user-space "
                         "instructions per query over one batch of N passes through the query file per subnet")
    ap.add_argument("--cmdline", default=None, help="command line to record in the summary")
    args = ap.parse_args()
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.duration = args.duration or (5 if args.quick else 8)
    args.lat_seconds = args.lat_seconds or (3 if args.quick else 5)
    args.queries = os.path.abspath(args.queries)
    names = []
    for n in (x.strip() for x in args.scenarios.split(",")):
        for m in GROUPS.get(n, [n] if n else []):
            if m not in SCENARIOS:
                sys.exit(f"unknown scenario {m!r}")
            if m not in names:
                names.append(m)
    if args.diag:
        names += [n for n in DIAG if n not in names]
    if BASE not in names:
        names.insert(0, BASE)
    for n in names:
        k = SCENARIOS[n]["kind"]
        need = {"gdnsd": "gdnsd", "pdns": "pdns_server"}.get(k)
        if need and not shutil.which(need):
            sys.exit(f"{n} needs {need}: run bench/dns/deps.sh (or make bench-dns), or leave it out with -s")
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
    mach["peers"] = peer_versions(names)
    mode = f"callgrind, {args.icount} passes per batch" if args.icount else f"{args.rounds} rounds x {args.duration} s"
    log(f"results -> {out}; {mode}; {mach['nproc']} CPUs, {mach['model']}; load average {loadavg()}")
    if (mach["nproc"] or 0) < 2:
        sys.exit("needs 2 CPUs: server and dnsperf on separate cores")

    hcport = args.port + 14000
    ep_addrs = [f"{a}:{hcport}" for a in SITES.values()]
    ports = {n: args.port + i for i, n in enumerate(SCENARIOS)}
    pprofs = {n: f"127.0.0.1:{p + 100}" for n, p in ports.items()}
    procs, pids = {}, {}
    args._pids = pids
    results, meta, lat, mem, figs, profiles = [], {}, {}, {}, [], {}
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
            argv, env, wd = prepare(n, args, ports[n], pprofs[n], run, hcport)
            if args.icount:
                # callgrind asserts on Go's async-preemption signals, and valgrind 3.19 lacks RDTSCP
                env["GODEBUG"] = ",".join(filter(None, [env.get("GODEBUG"), "asyncpreemptoff=1", "cpu.rdtscp=off"]))
                argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={run}/cg.{n}.%p.out"] + argv
            procs[n] = Proc(n, sched(args, args.server_cpu, argv), env,
                            os.path.join(run, n.replace("+", "-") + ".log"), wd)
            pids[n] = procs[n].pid()

        # wait until every server answers, then check the answers (health checks need a
        # moment to pass; retry for a while before giving up)
        deadline = time.time() + (240 if args.icount else 40)
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
            log(f"verified {n}: " + "; ".join(f"{cc} www {counts[cc]['www']}" for cc, *_ in SUBNETS))
        health = {n: ports[n] for n in names if SCENARIOS[n].get("health")}
        if health:
            check_failover(health, ep_addrs, args.verify_n)
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
            mem[n] = dict(start=mem_kib(pids[n]))
            r = dnsperf(args, ports[n], SUBNETS[0][2], args.warmup, os.path.join(out, "raw", f"{n}.warmup.txt"), pids[n])
            log(f"warm-up {n}: {r['qps']:.0f} qps")

        for rnd in range(1, args.rounds + 1):
            cc, _, subnet, _ = SUBNETS[(rnd - 1) % len(SUBNETS)]
            log(f"round {rnd}: ECS {subnet} ({cc}), load average {loadavg()}")
            # odd rounds in order, even rounds reversed (A,B,C,C,B,A,...): a slow drift in
            # machine load then biases no scenario against another
            for n in (names if rnd % 2 else names[::-1]):
                load1 = os.getloadavg()[0]
                r = dnsperf(args, ports[n], subnet, args.duration,
                            os.path.join(out, "raw", f"{n}.r{rnd}.txt"), pids[n])
                r.update(scenario=n, round=rnd, cc=cc, subnet=subnet, load1=load1)
                results.append(r)
                log(f"  {n:13s} qps={r['qps']:8.0f} q/CPU-s={r['q_per_cpu_s'] or 0:8.0f} srv={r['srv_cores']:.2f} "
                    f"cores cpu{args.server_cpu}-busy={r.get('cpu_busy', 0):.2f} lost={r.get('lost', 0):.0f} "
                    f"load={load1:.2f} rcodes={r.get('rcodes', '')}")
            for n in names + ["endpoints"]:
                if not procs[n].alive():
                    raise RuntimeError(f"{n} died during the rounds; see {procs[n].logf.name}")

        if args.lat_qps > 0:
            for n in names:
                lat[n] = latency(args, ports[n], SUBNETS[0][2], os.path.join(out, "raw", f"{n}.latency.txt"), pids[n])
                r = lat[n]
                log(f"latency {n} @ {args.lat_qps}/s: p50 {r['p50'] * 1e3:.3f} p90 {r['p90'] * 1e3:.3f} "
                    f"p99 {r['p99'] * 1e3:.3f} p99.9 {r['p999'] * 1e3:.3f} ms, lost {r.get('lost', 0):.0f}")
        for n in names:
            mem[n]["end"] = mem_kib(pids[n])
            log(f"memory {n}: VmHWM {mem[n]['end'][0] / 1024:.1f} MiB, VmRSS {mem[n]['end'][1] / 1024:.1f} MiB")

        figs = figures(names, results)
        if args.profile:
            want = [f["num"] for f in figs if f["met"] is False]
            if args.profile_always:
                want = [n for n in names if n != BASE]
            want = [n for n in want if SCENARIOS[n]["kind"] == "coredns"]
            if want:
                want = [BASE] + want  # the base's profile to compare against
            for n in want:
                log(f"profiling {n} for {args.profile} s under load")
                profiles[n] = profile(args, n, ports[n], pprofs[n], out)
    finally:
        for n, p in procs.items():
            p.stop()

    write_summary(args, names, results, figs, profiles, meta, lat, mem, mach, started, out)
    if not args.no_plots:
        try:
            import plots
            for path in plots.write(names, results, lat, mem, os.path.join(out, "plots"), started, mach):
                log("plot", path)
        except ImportError as e:
            log(f"plots skipped: {e} (python3-matplotlib; bench/dns/deps.sh installs it)")


def loadavg():
    return " ".join("%.2f" % x for x in os.getloadavg())


def peer_versions(names):
    out = {}
    kinds = {SCENARIOS[n]["kind"] for n in names}
    for k, cmd in (("gdnsd", ["gdnsd", "-h"]), ("pdns", ["pdns_server", "--version"])):
        if k in kinds:
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
                m = re.search(r"(gdnsd version [\d.]+|PowerDNS Authoritative Server [\d.]+)", p.stdout + p.stderr)
                out[k] = m.group(1) if m else "?"
            except (OSError, subprocess.TimeoutExpired):
                out[k] = "?"
    return out


def per_round(results, num, den, key):
    """num/den of key within each round where both ran."""
    out = []
    for r in results:
        if r["scenario"] != num:
            continue
        b = [x for x in results if x["scenario"] == den and x["round"] == r["round"]]
        if b and r.get(key) and b[0].get(key):
            out.append(r[key] / b[0][key])
    return out


def figures(names, results):
    figs = []
    for title, num, den, target in FIGURES:
        if num not in names or den not in names:
            continue
        rq, re_ = per_round(results, num, den, "qps"), per_round(results, num, den, "q_per_cpu_s")
        figs.append(dict(title=title, num=num, den=den, target=target, qps_ratio=med(rq), eff_ratio=med(re_),
                         qps_rounds=rq, eff_rounds=re_,
                         met=None if target is None or med(re_) is None else med(re_) >= target))
    return figs


def write_summary(args, names, results, figs, profiles, meta, lat, mem, mach, started, out):
    L = []
    L.append(f"# bench/dns: coretraffic policy vs file, stock CoreDNS, gdnsd, PowerDNS — {started}\n")
    L.append(f"- command: `{args.cmdline or ' '.join(sys.argv)}`")
    L.append(f"- machine: {mach['nproc']} CPUs, {mach['model']}, {mach.get('mem_gib', 0):.0f} GiB, Linux {mach['kernel']}")
    L.append(f"- coredns: `{args.coredns}`: {mach.get('coredns_version')} (tree at git {git_rev()})"
             + "".join(f"; {v}" for v in mach.get("peers", {}).values()))
    L.append(f"- {args.rounds} interleaved rounds × {args.duration} s ({', '.join(names)}; even rounds in reverse order); "
             f"dnsperf -c {args.clients} -q {args.outstanding}, unlimited rate, on CPU {args.client_cpu}; "
             f"each server its own process on CPU {args.server_cpu} (GOMAXPROCS=1 for coredns, one UDP thread "
             "for gdnsd, one receiver and one distributor thread for PowerDNS)"
             + (f", nice {args.nice} (autogroup)" if os.geteuid() == 0 and args.nice else ""))
    L.append("- ECS per round: " + ", ".join(f"r{r['round']} {r['subnet']} {r['cc']}" for r in results if r["scenario"] == BASE))
    loads = [r["load1"] for r in results]
    if loads:
        L.append(f"- load average (1 min) before each measurement: min {min(loads):.2f}, median {med(loads):.2f}, "
                 f"max {max(loads):.2f} (about 2 of it is this benchmark: dnsperf and the server under test)")
    if lat:
        L.append(f"- latency: dnsperf -Q {args.lat_qps} -c 1 for {args.lat_seconds} s per server, ECS {SUBNETS[0][2]} "
                 f"({SUBNETS[0][0]}), after the rounds")
    L.append("")
    L.append("## Figures (median of per-round ratios, A / B in the same round)\n")
    L.append("| figure | A / B | qps ratio | per-round | q per server CPU-s ratio | per-round | target (per CPU-s) | met |")
    L.append("|---|---|---:|---|---:|---|---:|---|")
    for f in figs:
        if f["eff_ratio"] is None:
            continue
        tgt = "-" if f["target"] is None else f"≥ {f['target']:.2f}×"
        met = "-" if f["met"] is None else ("yes" if f["met"] else "**NO**")
        L.append(f"| {f['title']} | {f['num']} / {f['den']} | {f['qps_ratio']:.3f}× | {' '.join('%.2f' % x for x in f['qps_rounds'])} | "
                 f"{f['eff_ratio']:.3f}× | {' '.join('%.2f' % x for x in f['eff_rounds'])} | {tgt} | {met} |")
    byname = {(f["num"], f["den"]): f for f in figs}
    g, s_ = byname.get(("file+geo", BASE)), byname.get(("file+geoip", BASE))
    if g and s_:
        L.append(f"\nPer server CPU-second, locating every client from ECS, with `metadata`, costs: ours (`geo`) "
                 f"{(1 - g['eff_ratio']) * 100:.1f} %, stock `geoip` {(1 - s_['eff_ratio']) * 100:.1f} % "
                 f"(wall-clock qps: {(1 - g['qps_ratio']) * 100:.1f} % and {(1 - s_['qps_ratio']) * 100:.1f} %).")
    own = byname.get(("file+geo", "file+meta"))
    if own:
        L.append(f"`geo` alone, against the same Corefile without it (`metadata` + `file`): "
                 f"{(1 - own['eff_ratio']) * 100:.1f} % per server CPU-second.")
    L.append("\n## Per scenario (medians over rounds; ratios: median of per-round ratios to `file`)\n")
    L.append("| scenario | what | qps | min–max | vs file | q per server CPU-s | vs file | server CPU (cores) | "
             "latency p50 / p90 / p99 / p99.9 (ms) | peak RSS (MiB) | response bytes | lost | rcodes (last round) |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in names:
        rs = [r for r in results if r["scenario"] == n]
        if not rs:
            continue
        q = [r["qps"] for r in rs]
        lq, le = med(per_round(results, n, BASE, "qps")), med(per_round(results, n, BASE, "q_per_cpu_s"))
        la = lat.get(n)
        ls = f"{la['p50'] * 1e3:.3f} / {la['p90'] * 1e3:.3f} / {la['p99'] * 1e3:.3f} / {la['p999'] * 1e3:.3f}" if la else "-"
        hwm = mem.get(n, {}).get("end", (0, 0))[0] / 1024
        L.append(f"| {n} | {SCENARIOS[n]['desc']} | {fk(med(q))} | {fk(min(q))}–{fk(max(q))} | {lq:.2f}× | "
                 f"{fk(med(r['q_per_cpu_s'] for r in rs))} | {le:.2f}× | {med(r['srv_cores'] for r in rs):.2f} | {ls} | "
                 f"{hwm:.1f} | {med(r.get('resp_size') for r in rs) or 0:.0f} | "
                 f"{sum(r.get('lost', 0) for r in rs):.0f} | {rs[-1].get('rcodes', '')} |")
    L.append("\n## Per round: qps / q per server CPU-s\n")
    L.append("| round | ECS | load 1m | " + " | ".join(names) + " |")
    L.append("|---|---|---:|" + "---:|" * len(names))
    for rnd in sorted({r["round"] for r in results}):
        rs = {r["scenario"]: r for r in results if r["round"] == rnd}
        b = rs[BASE]
        L.append(f"| {rnd} | {b['subnet']} {b['cc']} | {b['load1']:.2f} | " +
                 " | ".join(f"{fk(rs[n]['qps'])} / {fk(rs[n]['q_per_cpu_s'])}" for n in names if n in rs) + " |")
    L.append(f"\nAnswers checked before timing, for every subnet ({', '.join(f'{s} {c}' for c, _, s, _ in SUBNETS)}): "
             f"{args.verify_n} queries per weighted name (each allowed set seen, nothing else, each share within 4.5 sd "
             "of its weight), 5 per other name; policy: ECS scope in the reply; blocks with geo: FORMERR for a query "
             "ECS scope ≠ 0; servers with health checks (" +
             ", ".join(n for n in names if SCENARIOS[n].get("health")) +
             "): failover with fra-1 and fra-2 down, recovery when they are back.")
    if profiles:
        L.append("\n## CPU profiles (`go tool pprof -top`, under the same load; raw/*.pprof)\n")
        for n, top in profiles.items():
            L.append(f"### {n}\n\n```\n" + top + "\n```\n")
    text = "\n".join(L) + "\n"
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(dict(started=started, argv=sys.argv, machine=mach,
                       settings={k: v for k, v in vars(args).items() if not k.startswith("_")},
                       results=results, figures=figs, latency=lat, memory_kib=mem, verify=meta), f, indent=1, default=str)
    print("\n" + text)
    log("wrote", os.path.join(out, "summary.md"))


def _terminated(signum, _frame):
    """SIGTERM/SIGHUP (timeout, a closed terminal): unwind so that main's finally stops
    every server (they run in sessions of their own and would outlive us)."""
    raise RuntimeError(f"stopped by signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    try:
        main()
    except RuntimeError as e:
        log(f"bench/dns FAILED: {e}")
        sys.exit(1)

#!/usr/bin/env python3
"""Scale benchmark of the real ./coredns (bench/scale/README.md). Normally started by run.sh.

Three parts, each on real processes over real sockets:
  policy  -- policy data with N record sets (default 1k, 100k, 1M): load time from process
             start to the first right answer (wall and the server's CPU seconds), RSS
             (VmRSS/VmHWM), idle CPU, then dnsperf over random names in interleaved rounds.
  hc      -- N HTTP health checks (default 100, 1k, 10k): CPU (from /proc over a fixed
             window) and RSS of the server, probes that reached the targets.
  reload  -- the 100k-record file rewritten under query load: time until answers show the
             new data, and every query judged (timeouts, SERVFAIL, wrong answers).
The server runs pinned to --server-cpu with GOMAXPROCS=1; clients and targets on
--client-cpu. Python 3 stdlib only (plots: plot.py, matplotlib).
"""
import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
ZONE = "scale.test."


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# --------------------------------------------------------------------------- /proc

def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def mem_available_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


# --------------------------------------------------------------------------- processes

def sched(args, cpu, argv):
    """taskset to one CPU; as root also nice -10 in a session of its own with autogroup
    nice (as bench/dns does), so concurrent builds take less of the measured core."""
    cmd = ["taskset", "-c", str(cpu)] + list(argv)
    if os.geteuid() == 0 and args.nice:
        cmd = ["sh", "-c", 'echo "$0" > /proc/self/autogroup 2>/dev/null; exec "$@"', str(args.nice),
               "nice", "-n", str(args.nice)] + cmd
    return cmd


class Proc:
    def __init__(self, name, argv, logpath, env=None, stdout_pipe=False):
        self.name, self.logpath = name, logpath
        self.logf = open(logpath, "w")
        self.logf.write("# " + " ".join(argv) + "\n")
        self.logf.flush()
        self.p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE if stdout_pipe else self.logf,
                                  stderr=self.logf, start_new_session=True, text=True)
        self.pid = self.p.pid  # sh, nice and taskset exec into the program

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=10)
        self.logf.close()

    def tail(self, n=5):
        with open(self.logpath) as f:
            return "".join(f.readlines()[-n:])


def start_targets(args, ports, logpath):
    """The HTTP targets the checks probe (scale targets), on the client CPU."""
    argv = sched(args, args.client_cpu, [args.scale, "targets", "-ports", ",".join(map(str, ports))])
    t = Proc("targets", argv, logpath, stdout_pipe=True)
    for line in t.p.stdout:
        if line.strip() == "ready":
            return t
    t.stop()
    raise RuntimeError(f"targets did not start: {t.tail()}")


def target_count(port):
    """Requests served by the targets process (one counter for all its ports)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stats", timeout=5) as r:
        return int(r.read())


def live_heap(pprof_port):
    """runtime.MemStats after a forced GC, from the pprof heap endpoint (debug=1):
    HeapAlloc is the live heap; RSS above it is garbage not yet returned to the OS."""
    out = {}
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{pprof_port}/debug/pprof/heap?debug=1&gc=1", timeout=300) as r:
            for line in r.read().decode(errors="replace").splitlines():
                m = re.match(r"# (HeapAlloc|HeapSys|HeapIdle|HeapReleased|Sys) = (\d+)", line)
                if m:
                    out[m.group(1)] = int(m.group(2))
    except OSError as e:
        out["error"] = str(e)
    return out


def start_coredns(args, name, corefile, run):
    path = os.path.join(run, name + ".Corefile")
    with open(path, "w") as f:
        f.write(corefile)
    env = dict(os.environ, GOMAXPROCS="1")
    return Proc(name, sched(args, args.server_cpu, [args.coredns, "-conf", path]), os.path.join(run, name + ".log"),
                env=env)


# --------------------------------------------------------------------------- DNS

def ask(port, qname, timeout=0.5):
    """-> (rcode, ancount) or None on timeout."""
    qid = random.randint(0, 65535)
    pkt = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    pkt += b"".join(bytes([len(l)]) + l.encode() for l in qname.rstrip(".").split(".")) + b"\x00"
    pkt += struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(pkt, ("127.0.0.1", port))
        while True:
            b, _ = s.recvfrom(4096)
            if struct.unpack(">H", b[:2])[0] == qid:
                break
    except OSError:
        return None
    finally:
        s.close()
    _, flags, _, an, _, _ = struct.unpack(">HHHHHH", b[:12])
    return flags & 0xF, an


def wait_answering(args, proc, port, n):
    """Poll until the last record set answers (NOERROR with records). Returns (wall
    seconds from process start, CPU seconds of the server, VmHWM kB) or raises with
    the reason (exit, memory guard, timeout)."""
    t0, qname = time.time(), f"r{n - 1}.{ZONE}"
    peak = 0
    while True:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited: {proc.tail()}")
        try:
            cpu = cpu_ticks(proc.pid) / CLK_TCK
            rss = status_kb(proc.pid, "VmRSS")
        except OSError:
            cpu, rss = 0, 0
        peak = max(peak, rss)
        r = ask(port, qname, 0.2)
        if r and r[0] == 0 and r[1] > 0:
            return time.time() - t0, cpu, status_kb(proc.pid, "VmHWM")
        if rss > args.max_rss_gib * 2**20:
            raise RuntimeError(f"memory guard: RSS {rss / 2**20:.1f} GiB > --max-rss-gib {args.max_rss_gib} "
                               f"after {time.time() - t0:.0f} s ({cpu:.0f} CPU s)")
        if mem_available_kb() < args.min_avail_gib * 2**20:
            raise RuntimeError(f"memory guard: MemAvailable below {args.min_avail_gib} GiB (RSS {rss / 2**20:.1f} GiB) "
                               f"after {time.time() - t0:.0f} s")
        if time.time() - t0 > args.load_timeout:
            raise RuntimeError(f"not answering after --load-timeout {args.load_timeout} s "
                               f"({cpu:.0f} CPU s, RSS {rss / 2**20:.1f} GiB)")
        time.sleep(0.05 if time.time() - t0 < 5 else 0.5)


# --------------------------------------------------------------------------- dnsperf

RX = {
    "completed": re.compile(r"Queries completed:\s+(\d+)"),
    "lost": re.compile(r"Queries lost:\s+(\d+)"),
    "qps": re.compile(r"Queries per second:\s+([\d.]+)"),
    "lat_avg": re.compile(r"Average Latency \(s\):\s+([\d.]+)"),
    "rcodes": re.compile(r"Response codes:\s+(.*)"),
}


def dnsperf(args, port, queries, seconds, outfile, pid):
    cmd = sched(args, args.client_cpu, ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries,
                                        "-l", str(seconds), "-c", "4", "-q", "256", "-t", "2",
                                        "-O", "suppress=timeouts,congestion,sendfailed,sockready,unexpected"])
    t0, c0 = time.time(), cpu_ticks(pid)
    with open(outfile, "w") as f:
        f.write("# " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    t1, c1 = time.time(), cpu_ticks(pid)
    text = open(outfile).read()
    r = {}
    for k, rx in RX.items():
        m = rx.search(text)
        if m:
            r[k] = m.group(1).strip() if k == "rcodes" else float(m.group(1))
    if rc != 0 or "qps" not in r:
        raise RuntimeError(f"dnsperf failed (rc={rc}), see {outfile}")
    r["cpu_s"] = (c1 - c0) / CLK_TCK
    r["wall"] = t1 - t0
    r["srv_cores"] = r["cpu_s"] / (t1 - t0)
    r["q_per_cpu_s"] = r["completed"] / r["cpu_s"] if r["cpu_s"] > 0 else None
    r["load1"] = loadavg()
    return r


# --------------------------------------------------------------------------- parts

def part_policy(args, run, raw, res):
    """Load every size one after another (each alone on the server CPU), keep them
    running, then dnsperf rounds over all that loaded, order reversed every round."""
    targets = start_targets(args, args.policy_target_ports, os.path.join(run, "policy-targets.log"))
    servers = {}
    res["policy"] = []
    try:
        for k, n in enumerate(args.sizes):
            port = args.base_port + k
            data = os.path.join(run, f"data-{n}.yaml")
            queries = os.path.join(run, f"queries-{n}.txt")
            t = time.time()
            subprocess.run([args.scale, "gen", "-n", str(n), "-gen", "1", "-checks", str(args.policy_checks),
                            "-target-ports", ",".join(map(str, args.policy_target_ports)), "-o", data,
                            "-queries", queries], check=True, stdout=subprocess.DEVNULL)
            row = dict(n=n, port=port, yaml_mb=os.path.getsize(data) / 1e6, gen_s=time.time() - t)
            res["policy"].append(row)
            log(f"policy {n}: {row['yaml_mb']:.1f} MB of YAML, starting ./coredns")
            # pprof: a listener only (not in the query path), for the live heap below
            conf = (f"{ZONE}:{port} {{\n    bind 127.0.0.1\n    pprof 127.0.0.1:{port + 100}\n    policy {{\n"
                    f"        data {data}\n        reload {args.size_reload}\n    }}\n}}\n")
            p = start_coredns(args, f"policy-{n}", conf, run)
            row["load1_at_start"] = loadavg()
            try:
                row["load_wall_s"], row["load_cpu_s"], row["load_hwm_kb"] = wait_answering(args, p, port, n)
            except RuntimeError as e:
                row["error"] = str(e)
                log(f"policy {n}: FAILED: {e}")
                p.stop()
                continue
            log(f"policy {n}: answering after {row['load_wall_s']:.1f} s wall, {row['load_cpu_s']:.1f} CPU s, "
                f"peak RSS {row['load_hwm_kb'] / 2**10:.0f} MiB")
            v = subprocess.run([args.scale, "verify", "-server", f"127.0.0.1:{port}", "-n", str(n), "-gen", "1",
                                "-samples", "2000"], capture_output=True, text=True)
            if v.returncode != 0:
                p.stop()
                raise RuntimeError(f"policy {n}: wrong answers: {v.stderr.strip()}")
            c0 = cpu_ticks(p.pid)
            time.sleep(args.idle_window)
            row["idle_cpu_pct"] = 100 * (cpu_ticks(p.pid) - c0) / CLK_TCK / args.idle_window
            row["rss_kb"], row["hwm_kb"] = status_kb(p.pid, "VmRSS"), status_kb(p.pid, "VmHWM")
            row["heap"] = live_heap(port + 100)
            log(f"policy {n}: verified; idle CPU {row['idle_cpu_pct']:.1f} %, RSS {row['rss_kb'] / 2**10:.0f} MiB, "
                f"live heap after a GC {row['heap'].get('HeapAlloc', 0) / 2**20:.0f} MiB")
            servers[n] = (p, port, queries, row)
        order = list(servers)
        for rnd in range(args.rounds):
            for n in (order if rnd % 2 == 0 else order[::-1]):
                p, port, queries, row = servers[n]
                r = dnsperf(args, port, queries, args.seconds, os.path.join(raw, f"dnsperf-{n}-r{rnd + 1}.txt"), p.pid)
                row.setdefault("rounds", []).append(r)
                log(f"dnsperf {n} round {rnd + 1}: {r['qps']:.0f} qps, {r['q_per_cpu_s']:.0f} q/CPU-s, "
                    f"lost {r.get('lost', 0):.0f}, {r.get('rcodes', '')}, load {r['load1']}")
        for n, (p, port, queries, row) in servers.items():
            rs = row["rounds"]
            row["qps"] = statistics.median(r["qps"] for r in rs)
            row["q_per_cpu_s"] = statistics.median(r["q_per_cpu_s"] for r in rs)
            row["lost"] = sum(r.get("lost", 0) for r in rs)
            row["rss_after_kb"], row["hwm_kb"] = status_kb(p.pid, "VmRSS"), status_kb(p.pid, "VmHWM")
        for n in list(servers):  # free the memory before the reload part
            servers.pop(n)[0].stop()
        if "reload" in args.parts:
            part_reload(args, run, res)
    finally:
        for p, *_ in servers.values():
            p.stop()
        targets.stop()


def part_reload(args, run, res):
    """A server of its own with `reload` --reload-interval; rewrite its data file (new
    generation: every value changes) while `scale load` queries continuously; swap time
    = first new answer - rename of the new file."""
    n, port = args.reload_size, args.base_port + 9
    data = os.path.join(run, f"reload-{n}.yaml")
    subprocess.run([args.scale, "gen", "-n", str(n), "-gen", "1", "-checks", str(args.policy_checks),
                    "-target-ports", ",".join(map(str, args.policy_target_ports)), "-o", data],
                   check=True, stdout=subprocess.DEVNULL)
    conf = (f"{ZONE}:{port} {{\n    bind 127.0.0.1\n    policy {{\n        data {data}\n"
            f"        reload {args.reload_interval}\n    }}\n}}\n")
    p = start_coredns(args, f"reload-{n}", conf, run)
    try:
        wait_answering(args, p, port, n)
        _reload_trials(args, res, p, port, n, data)
    finally:
        p.stop()


def _reload_trials(args, res, p, port, n, data):
    res["reload"] = dict(n=n, workers=args.load_workers, interval=args.reload_interval, trials=[])
    log_path = p.logpath
    gen = 1
    log(f"reload: {n:,} record sets loaded with reload {args.reload_interval}")
    for trial in range(args.reloads):
        new = 2 if gen == 1 else 1
        before = open(log_path).read().count("policy data reloaded")
        load = subprocess.Popen(sched(args, args.client_cpu, [args.scale, "load", "-server", f"127.0.0.1:{port}",
                                                              "-n", str(n), "-old", str(gen), "-new", str(new),
                                                              "-workers", str(args.load_workers),
                                                              "-duration", f"{args.reload_max}s",
                                                              "-after-new", "3s"]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        c0 = cpu_ticks(p.pid)
        g = subprocess.run([args.scale, "gen", "-n", str(n), "-gen", str(new), "-checks", str(args.policy_checks),
                            "-target-ports", ",".join(map(str, args.policy_target_ports)), "-o", data],
                           check=True, capture_output=True, text=True)
        renamed = int(g.stdout.split()[1])
        logged = None
        while load.poll() is None:
            if logged is None and open(log_path).read().count("policy data reloaded") > before:
                logged = time.time_ns()
            time.sleep(0.05)
        out, err = load.communicate()
        if load.returncode != 0:
            raise RuntimeError(f"scale load failed: {err.strip()}")
        rep = json.loads(out)
        t = dict(old=gen, new=new, renamed_ns=renamed, logged_ns=logged,
                 swap_s=(rep["FirstNewNS"] - renamed) / 1e9 if rep["FirstNewNS"] else None,
                 log_s=(logged - renamed) / 1e9 if logged else None,
                 reload_cpu_s=(cpu_ticks(p.pid) - c0) / CLK_TCK, load1=loadavg(), report=rep)
        t["failed"] = rep["Timeouts"] + rep["Servfail"] + rep["OtherRcode"] + rep["Wrong"]
        dur = (rep["EndNS"] - rep["StartNS"]) / 1e9
        t["qps"] = rep["Sent"] / dur
        res["reload"]["trials"].append(t)
        swap = f"{t['swap_s']:.2f} s" if t["swap_s"] is not None else "never (no new answer)"
        log(f"reload {trial + 1}: gen {gen}->{new}: answers moved after {swap}; {rep['Sent']} queries "
            f"({t['qps']:.0f}/s): {rep['Timeouts']} timeouts, {rep['Servfail']} SERVFAIL, {rep['OtherRcode']} other "
            f"rcodes, {rep['Wrong']} wrong, {rep['OldAfterFirstNew']} old after first new; latency p50 "
            f"{rep['LatP50MS']:.2f} ms, p99 {rep['LatP99MS']:.1f} ms, max {rep['LatMaxMS']:.0f} ms")
        if rep["WrongSamples"]:
            log("  e.g. " + "; ".join(rep["WrongSamples"][:3]))
        if not rep["FirstNewNS"]:
            break
        gen = new


def part_hc(args, run, res):
    res["hc"] = []
    ports = list(range(args.hc_target_base, args.hc_target_base + args.hc_target_ports))
    for n in args.checks:
        targets = start_targets(args, ports, os.path.join(run, f"hc-{n}-targets.log"))
        p = None
        try:
            path = os.path.join(run, f"checks-{n}.yaml")
            cmd = [args.scale, "checks", "-n", str(n), "-target-ports", ",".join(map(str, ports)), "-o", path]
            if args.keepalive:
                cmd.append("-keepalive")
            subprocess.run(cmd, check=True)
            port, ready = args.base_port + 20, args.base_port + 21
            conf = (f".:{port} {{\n    bind 127.0.0.1\n    healthcheck {path}\n    ready 127.0.0.1:{ready}\n"
                    f"    whoami\n}}\n")
            p = start_coredns(args, f"hc-{n}", conf, run)
            t0 = time.time()
            while True:
                if not p.alive():
                    raise RuntimeError(f"hc {n}: coredns exited: {p.tail()}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{ready}/ready", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.time() - t0 > 120:
                    raise RuntimeError(f"hc {n}: not ready after 120 s")
                time.sleep(0.1)
            row = dict(n=n, ready_s=time.time() - t0, keepalive=args.keepalive)
            time.sleep(args.hc_settle)  # past the first probe and the staggered second one
            c0, tc0, k0, w0 = cpu_ticks(p.pid), cpu_ticks(targets.pid), target_count(ports[0]), time.time()
            time.sleep(args.hc_window)
            c1, tc1, k1, w1 = cpu_ticks(p.pid), cpu_ticks(targets.pid), target_count(ports[0]), time.time()
            row.update(window_s=w1 - w0, cpu_pct=100 * (c1 - c0) / CLK_TCK / (w1 - w0),
                       targets_cpu_pct=100 * (tc1 - tc0) / CLK_TCK / (w1 - w0),
                       probes_per_s=(k1 - k0) / (w1 - w0), expected_per_s=n / 10.0,
                       rss_kb=status_kb(p.pid, "VmRSS"), hwm_kb=status_kb(p.pid, "VmHWM"), load1=loadavg())
            res["hc"].append(row)
            log(f"hc {n}: ready after {row['ready_s']:.1f} s; {row['cpu_pct']:.1f} % of one core, "
                f"RSS {row['rss_kb'] / 1024:.0f} MiB (peak {row['hwm_kb'] / 1024:.0f}), "
                f"{row['probes_per_s']:.0f} probes/s arrived (want {row['expected_per_s']:.0f}), "
                f"targets {row['targets_cpu_pct']:.1f} %, load {row['load1']}")
        finally:
            if p:
                p.stop()
            targets.stop()


# --------------------------------------------------------------------------- report

def machine():
    m = dict(nproc=os.cpu_count(), kernel=platform.release())
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m["cpu"] = re.search(r"Model name:\s+(.*)", out).group(1).strip()
    except (OSError, AttributeError):
        m["cpu"] = "?"
    with open("/proc/meminfo") as f:
        m["mem_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    return m


def fmt_s(v):
    return "—" if v is None else f"{v:.2f}"


def summary(res):
    L = [f"# bench/scale — {res['date']}", "",
         f"`{res['cmdline']}` · binary {res['version']} · {res['machine']['nproc']} CPUs "
         f"({res['machine']['cpu']}), {res['machine']['mem_gib']} GiB · "
         f"uptime before: `{res['uptime_before']}` · after: `{res.get('uptime_after', '?')}`", "",
         f"Server pinned to CPU {res['args']['server_cpu']} with GOMAXPROCS=1, clients and targets on CPU "
         f"{res['args']['client_cpu']}; nice {res['args']['nice']} (as root).", ""]
    if "policy" in res:
        L += ["## Policy data size", "",
              f"{res['args']['policy_checks']} HTTP checks shared by the leaves (10 s interval); data `reload "
              f"{res['args']['size_reload']}`; dnsperf -c 4 -q 256, {res['args']['rounds']} rounds × "
              f"{res['args']['seconds']} s, median. Idle CPU: 10 s without queries right after the load "
              "(includes post-load GC and memory return).", "",
              "| record sets | YAML MB | load wall s | load CPU s | RSS MiB | peak RSS MiB | live heap MiB | "
              "idle CPU % | qps | q per server CPU-s | lost |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in res["policy"]:
            if "error" in r:
                L.append(f"| {r['n']:,} | {r['yaml_mb']:.1f} | did not load: {r['error']} |||||||||")
                continue
            L.append(f"| {r['n']:,} | {r['yaml_mb']:.1f} | {r['load_wall_s']:.1f} | {r['load_cpu_s']:.1f} | "
                     f"{r.get('rss_after_kb', r['rss_kb']) / 1024:.0f} | {r['hwm_kb'] / 1024:.0f} | "
                     f"{r.get('heap', {}).get('HeapAlloc', 0) / 2**20:.0f} | {r['idle_cpu_pct']:.1f} | {r.get('qps', 0):,.0f} | {r.get('q_per_cpu_s', 0):,.0f} | "
                     f"{r.get('lost', 0):.0f} |")
        L.append("")
        L.append("Per round (qps / q per CPU-s / 1-min load): " + "; ".join(
            f"{r['n']:,}: " + ", ".join(f"{x['qps']:.0f}/{x['q_per_cpu_s']:.0f}/{x['load1']}" for x in r.get("rounds", []))
            for r in res["policy"] if "rounds" in r))
        L.append("")
    if "reload" in res:
        rl = res["reload"]
        L += ["## Reload under query load", "",
              f"{rl['n']:,} record sets, file replaced (write + rename) with every value changed; `scale load` with "
              f"{rl['workers']} workers (one query in flight each, 1 s timeout) judges every answer as old data, "
              f"new data or wrong. Watcher interval {rl['interval']}.", "",
              "| reload | rename → first new answer s | rename → log line s | server CPU s | queries | qps | "
              "timeouts | SERVFAIL | other rcode | wrong | old after first new | latency p50 / p99 / max ms | > 100 ms |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for k, t in enumerate(rl["trials"]):
            r = t["report"]
            L.append(f"| {k + 1} ({t['old']}→{t['new']}) | {fmt_s(t['swap_s'])} | {fmt_s(t['log_s'])} | "
                     f"{t['reload_cpu_s']:.1f} | {r['Sent']:,} | {t['qps']:,.0f} | {r['Timeouts']} | {r['Servfail']} | "
                     f"{r['OtherRcode']} | {r['Wrong']} | {r['OldAfterFirstNew']} | "
                     f"{r['LatP50MS']:.2f} / {r['LatP99MS']:.1f} / {r['LatMaxMS']:.0f} | {r['Over100MS']} |")
        L.append("")
    if "hc" in res:
        L += ["## Health checks", "",
              f"HTTP checks, 10 s interval, 2 s timeout, distinct paths over {res['args']['hc_target_ports']} target "
              f"ports, keepalive {res['args']['keepalive']}; {res['args']['hc_settle']} s settle, then "
              f"{res['args']['hc_window']} s window.", "",
              "| checks | ready s | server CPU % of one core | RSS MiB | peak RSS MiB | probes/s arrived | expected | "
              "targets CPU % | load |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in res["hc"]:
            L.append(f"| {r['n']:,} | {r['ready_s']:.1f} | {r['cpu_pct']:.1f} | {r['rss_kb'] / 1024:.0f} | "
                     f"{r['hwm_kb'] / 1024:.0f} | {r['probes_per_s']:.0f} | {r['expected_per_s']:.0f} | "
                     f"{r['targets_cpu_pct']:.1f} | {r['load1']} |")
        L.append("")
    return "\n".join(L)


def ints(s):
    return [int(float(x)) for x in s.split(",") if x]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--coredns", required=True)
    ap.add_argument("--scale", required=True, help="the bench/scale Go tool")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cmdline", default="bench/scale/run.sh")
    ap.add_argument("--parts", default="policy,reload,hc", help="any of policy,reload,hc (reload needs policy)")
    ap.add_argument("--sizes", type=ints, default=[1000, 100000, 1000000], help="record sets")
    ap.add_argument("--checks", type=ints, default=[100, 1000, 10000], help="health checks")
    ap.add_argument("--rounds", type=int, default=3, help="dnsperf rounds over all sizes")
    ap.add_argument("-d", "--seconds", type=int, default=8, help="dnsperf seconds per size and round")
    ap.add_argument("--policy-checks", type=int, default=100, help="checks shared by the policy data's leaves")
    ap.add_argument("--size-reload", default="5s", help="policy `reload` interval of the size servers (plugin default)")
    ap.add_argument("--reload-interval", default="1s", help="policy `reload` interval of the reload server")
    ap.add_argument("--reload-size", type=int, default=100000)
    ap.add_argument("--reloads", type=int, default=3)
    ap.add_argument("--reload-max", type=int, default=300, help="give up on a reload after this many seconds")
    ap.add_argument("--load-workers", type=int, default=4)
    ap.add_argument("--idle-window", type=int, default=10, help="seconds of idle CPU measurement per size")
    ap.add_argument("--hc-window", type=int, default=30)
    ap.add_argument("--hc-settle", type=int, default=12)
    ap.add_argument("--hc-target-ports", type=int, default=16)
    ap.add_argument("--keepalive", action="store_true", help="keepalive: true on the scale checks")
    ap.add_argument("--load-timeout", type=int, default=600, help="seconds a size may take to load")
    ap.add_argument("--max-rss-gib", type=float, default=18)
    ap.add_argument("--min-avail-gib", type=float, default=2)
    ap.add_argument("--base-port", type=int, default=19700)
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--nice", type=int, default=-10, help="as root: nice and autogroup nice (0: off)")
    args = ap.parse_args()
    # stop cleanly (servers and targets stopped, results written) on ^C or kill, also when
    # started in the background, where SIGINT arrives ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/scale: terminated"))
    args.parts = args.parts.split(",")
    args.policy_target_ports = [args.base_port + 30, args.base_port + 31]
    args.hc_target_base = args.base_port + 40
    run, raw = os.path.join(args.out, "run"), os.path.join(args.out, "raw")
    os.makedirs(run, exist_ok=True)
    os.makedirs(raw, exist_ok=True)
    ver = subprocess.run([args.coredns, "-version"], capture_output=True, text=True).stdout.split()
    res = dict(date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cmdline=args.cmdline,
               version=ver[0] if ver else "?", machine=machine(),
               uptime_before=subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
               args={k: v for k, v in vars(args).items()})
    log(f"bench/scale: {res['machine']}, load {res['uptime_before']}; output in {args.out}")
    try:
        if "policy" in args.parts:
            part_policy(args, run, raw, res)
        if "hc" in args.parts:
            part_hc(args, run, res)
    finally:
        res["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(res, f, indent=1)
        text = summary(res)
        with open(os.path.join(args.out, "summary.md"), "w") as f:
            f.write(text + "\n")
        print(text)


if __name__ == "__main__":
    main()

"""What bench/dns runs and what each server must answer (bench/dns/README.md).

Every scenario serves example.net on 127.0.0.1 from one of three programs: our
./coredns (stock and coretraffic plugins), gdnsd 3.8 or PowerDNS 4.7. Two answer
specifications exist: the static floor (one value per name, db.example.net) and the
policy tree of policy.yaml (geolocation -> failover -> weighted with HTTP checks), which
the GSLB scenarios implement each in its own way. Python 3 stdlib only.
"""
import math
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "conf")

# Client subnets sent as ECS, one per round, cycling (dnsperf takes one -E per run).
# Locations from the demo GeoIP table (geo/geotest.Demo); scope = the prefix of the
# table's network, which coretraffic returns as the ECS scope.
SUBNETS = [
    ("DE", "EU", "192.0.2.0/24", 24),     # Frankfurt
    ("US", "NA", "198.51.100.0/24", 24),  # Ashburn
    ("JP", "AS", "203.0.113.0/24", 24),   # Tokyo
    ("BR", "SA", "100.65.0.0/24", 16),    # South America: the tree's default branch
    ("GB", "EU", "100.68.0.0/24", 16),    # a second EU country
]

# Health-check endpoints: one loopback address per site, all on one port (--port +
# 14000). Each is also the answer value of that site, because gdnsd and PowerDNS probe
# the address they answer.
SITES = {"fra-1": "127.0.1.1", "fra-2": "127.0.1.2", "iad-1": "127.0.2.1", "tyo-1": "127.0.3.1"}
F1, F2, I1, T1 = SITES["fra-1"], SITES["fra-2"], SITES["iad-1"], SITES["tyo-1"]

# scenario -> kind, config (Corefile template or folder under conf/), description,
# answers ("static" or "policy"), and properties the verifier checks:
#   health: its answers follow the HTTP checks (failover test applies)
#   lb_first: returns every address of the chosen set, the weighted pick first
#             (stock loadbalance weighted): the split is judged on the first address
#   geo: coretraffic `geo` in the chain (FORMERR for a query ECS scope != 0)
#   scope: the reply carries ECS with the database network's prefix as scope
SCENARIOS = {
    "file": dict(kind="coredns", conf="file.Corefile", answers="static",
                 desc="coretraffic binary, stock `file` (base)"),
    "policy": dict(kind="coredns", conf="policy.Corefile", answers="policy", health=True, geo=True, scope=True,
                   desc="coretraffic `geo` (ECS) + `policy`: geolocation → failover → weighted, HTTP checks"),
    "file+geo": dict(kind="coredns", conf="file-geo.Corefile", answers="static", geo=True,
                     desc="`metadata` + coretraffic `geo` (ECS) + `file`"),
    "file+geoip": dict(kind="coredns", conf="file-geoip.Corefile", answers="static",
                       desc="`geoip {edns-subnet}` + `metadata` + `file` (stock lookup cost)"),
    "coredns-gslb": dict(kind="coredns", conf="coredns-gslb.Corefile", answers="policy", lb_first=True,
                         desc="stock CoreDNS GSLB: `view` on `geoip` continent + `metadata` + `file` per view "
                              "+ `loadbalance weighted` (no health checks)"),
    "gdnsd-static": dict(kind="gdnsd", conf="gdnsd-static", answers="static", desc="gdnsd 3.8, static zone"),
    "gdnsd-gslb": dict(kind="gdnsd", conf="gdnsd-gslb", answers="policy", health=True,
                       desc="gdnsd 3.8: geoip map → datacenter failover → weighted, http_status checks"),
    "pdns-static": dict(kind="pdns", conf="pdns-static", answers="static", desc="PowerDNS 4.7, bind backend, static"),
    "pdns-lua": dict(kind="pdns", conf="pdns-lua", answers="policy", health=True,
                     desc="PowerDNS 4.7 LUA: continent() → ifurlup() sets → pickwrandom()"),
    "file+meta": dict(kind="coredns", conf="file-meta.Corefile", answers="static",
                      desc="diagnostic: `metadata` + `file` (no label provider)"),
    "file+geo-only": dict(kind="coredns", conf="file-geo-only.Corefile", answers="static", geo=True,
                          desc="diagnostic: coretraffic `geo` (ECS) + `file`, no `metadata`"),
    "file+geo-all": dict(kind="coredns", conf="file-geo-all.Corefile", answers="static", geo=True,
                         desc="diagnostic: `metadata` + coretraffic `geo` (ECS, `labels all`: twelve) + `file`"),
}
BASE = "file"
DEFAULT = ["file", "policy", "file+meta", "file+geo", "file+geoip", "coredns-gslb",
           "gdnsd-static", "gdnsd-gslb", "pdns-static", "pdns-lua"]
DIAG = ["file+geo-only", "file+geo-all"]
GROUPS = {
    "default": DEFAULT,
    "ours": ["file", "policy", "file+meta", "file+geo", "file+geoip"],
    "gslb": ["file", "policy", "coredns-gslb", "gdnsd-gslb", "pdns-lua"],
    "static": ["file", "gdnsd-static", "pdns-static"],
}

# figure, numerator, denominator, target for the per-CPU-second ratio (None: reference)
FIGURES = [
    ("1. policy vs file", "policy", "file", 1.00),
    ("2. geo overhead (ours)", "file+geo", "file+meta", 0.95),
    ("2. geo + metadata overhead (ours)", "file+geo", "file", None),
    ("2. geoip overhead (stock)", "file+geoip", "file", None),
    ("3. policy vs stock CoreDNS GSLB", "policy", "coredns-gslb", None),
    ("3. policy vs gdnsd GSLB", "policy", "gdnsd-gslb", None),
    ("3. policy vs PowerDNS LUA", "policy", "pdns-lua", None),
    ("4. gdnsd static vs file", "gdnsd-static", "file", None),
    ("4. PowerDNS static vs file", "pdns-static", "file", None),
    ("2. metadata alone", "file+meta", "file", None),
    ("diagnostic: geo without metadata", "file+geo-only", "file", None),
    ("diagnostic: geo, metadata, all twelve labels", "file+geo-all", "file", None),
]

# Answers: name -> [(address set, expected share)], shares summing to 1.
STATIC = {
    "www": [((F1,), 1.0)], "api": [((I1,), 1.0)], "app": [((F1,), 1.0)],
    "static": [(("192.0.2.50", "192.0.2.51"), 1.0)], "mail": [(("192.0.2.25",), 1.0)],
}
POLICY_WWW = {
    "EU": [((F1,), 0.7), ((F2,), 0.3)],  # weighted 70/30 (failover primary healthy)
    "NA": [((I1,), 1.0)],                # failover primary
    "AS": [((T1,), 1.0)],                # failover primary
    "SA": [(tuple(sorted((F1, I1, T1))), 1.0)],  # default: multivalue, every healthy value
}
# With fra-1 and fra-2 failing their checks (the failover test).
FAILOVER = {"www": (I1,), "app": (I1,), "api": (I1,)}


def answers(scenario, continent):
    if SCENARIOS[scenario]["answers"] == "static":
        return STATIC
    a = dict(STATIC)
    a["www"] = POLICY_WWW[continent]
    a["api"] = [((I1,), 0.9), ((F2,), 0.1)]  # weighted 90/10
    return a


def split_ok(seen, n, share):
    """A weighted share agrees with the expected one: |z| <= 4.5 under a binomial model
    (a false alarm about once in 150,000 checks; a 70/30 tree answering 60/40 fails at
    n=400)."""
    if share >= 1.0:
        return seen == n
    sd = math.sqrt(n * share * (1 - share))
    return abs(seen - n * share) <= 4.5 * sd


def subst(text, v):
    for k, x in v.items():
        text = text.replace("{{" + k + "}}", str(x))
    return text


def prepare(name, args, port, pprof, run, hcport):
    """Write the scenario's configuration under run/ and return (argv, env, workdir)."""
    s = SCENARIOS[name]
    d = os.path.join(run, name.replace("+", "-"))
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    v = dict(PORT=port, PPROF=pprof, CONF=CONF, RUN=run, DIR=d, CITYDB=args.citydb, HCPORT=hcport)
    env = dict(os.environ)
    src = os.path.join(CONF, s["conf"])
    if s["kind"] == "coredns":
        with open(src) as f:
            t = subst(f.read(), v)
        cf = os.path.join(d, "Corefile")
        with open(cf, "w") as f:
            f.write(t)
        env["GOMAXPROCS"] = "1"
        return [args.coredns, "-conf", cf], env, d
    for root, _, files in os.walk(src):  # gdnsd, pdns: a folder of templates
        rel = os.path.relpath(root, src)
        os.makedirs(os.path.join(d, rel), exist_ok=True)
        for fn in files:
            with open(os.path.join(root, fn)) as f:
                t = subst(f.read(), v)
            with open(os.path.join(d, rel, fn), "w") as f:
                f.write(t)
    if s["kind"] == "gdnsd":
        zf = os.path.join(d, "zones", "example.net")
        if not os.path.exists(zf):  # the static floor serves db.example.net itself
            os.makedirs(os.path.dirname(zf), exist_ok=True)
            shutil.copy(os.path.join(CONF, "db.example.net"), zf)
        return ["gdnsd", "-c", d, "start"], env, d
    if s["kind"] == "pdns":
        return ["pdns_server", f"--config-dir={d}"], env, d
    raise ValueError(s["kind"])

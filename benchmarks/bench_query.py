"""Benchmark of the query function: locate (warm, cold) against a naive shapely loop, search, sizes.

    .venv/bin/python benchmarks/bench_query.py                  # full France (real ingest first)
    .venv/bin/python benchmarks/bench_query.py --deps 80,13,2A,75
    .venv/bin/python benchmarks/bench_query.py --store /tmp/qstore   # an already published store

Without ``--store`` it ingests the sources and runs the ``facts`` and ``query`` steps into a
temporary store. Points are the communes' reference points (communes-centroides file).

- locate warm: ``rezone.locate.find_commune`` after every shard it needs is cached, and the full
  locate handler (Powertools resolver, API Gateway v2 event) on the same points;
- peer: a naive loop of ``shapely.covers`` over every commune polygon (prepared), in the same run;
- cold: a fresh subprocess per sample: import + first answer, for the library alone
  (``find_commune``) and for the whole query function (``functions/query/app.py`` handler): a
  plain locate (answered by the fast path) and a search (through the Powertools resolver);
- search: warm ``rezone.search.search`` on name prefixes, postal and INSEE codes;
- sizes: the index and the shards a cold locate reads (plus the facts file the answer needs).

Warm loops run after a warm-up pass, ``gc.collect()`` and ``gc.freeze()`` (see :func:`settle`).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "data"


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))] if v else float("nan")


def settle() -> None:
    """Collect, then freeze what the warm-up loaded, so the timed loops are not charged for GC passes
    over the whole France's cached data (a warm Lambda holds a few shards, not all of them)."""
    gc.collect()
    gc.freeze()


def build_store(deps: list[str] | None, sources: Path) -> tuple[Path, float]:
    from types import SimpleNamespace

    from rezone.storage import LocalStore
    from rezone_build import facts, query_build
    from rezone_build.ingest import ingest
    from rezone_build.publish import publish

    tmp = Path(tempfile.mkdtemp(prefix="bench-query-"))
    ds = ingest(sources, departements=deps, cache_dir=ROOT / ".rezone" / "cache", progress=False)
    out = tmp / "release"
    out.mkdir()
    ctx = SimpleNamespace(say=lambda m: None)
    t = time.perf_counter()
    facts.build(ds, out, ctx)
    query_build.build(ds, out, ctx)
    dt = time.perf_counter() - t
    (out / "release.json").write_text(json.dumps({"version": "bench"}))
    publish(out, LocalStore(tmp / "store"), "bench")
    return tmp / "store", dt


def reference_points(sources: Path, deps: set[str] | None) -> dict[str, tuple[float, float]]:
    pts = {}
    with open(sources / "communes-centroides" / "communes.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["commune_type"] == "COM" and r["lat"] and r["lng"] and (deps is None or r["insee_dep"] in deps):
                pts.setdefault(r["insee_com"], (float(r["lng"]), float(r["lat"])))
    return pts


COLD_LIB = """
import sys, time, json
t0 = time.perf_counter()
from rezone import release
from rezone.locate import find_commune
t1 = time.perf_counter()
code = find_commune(release.current(), {lon}, {lat})
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first": t2 - t1, "code": code}}))
"""

COLD_FN = """
import sys, time, json, importlib.util
from rezone_infra.server import make_event  # the test harness, not part of the function
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("query_app", {app!r})
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
t1 = time.perf_counter()
r = mod.handler(make_event("GET", {path!r}, {query!r}, {{}}, None), None)
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first": t2 - t1, "status": r["statusCode"]}}))
"""


def cold(template: str, store: Path, lon: float, lat: float, runs: int, path: str = "/v1/locate",
         query: str | None = None) -> dict:
    out = []
    env = {"REZONE_STORE": str(store), "PATH": "/usr/bin:/bin"}
    for _ in range(runs):
        src = template.format(lon=lon, lat=lat, app=str(ROOT / "functions" / "query" / "app.py"), path=path,
                              query=query if query is not None else f"lat={lat}&lon={lon}")
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", src], check=False, capture_output=True, text=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - t
        if res.returncode != 0:
            raise RuntimeError(res.stderr)
        d = json.loads(res.stdout.strip().splitlines()[-1])
        d["wall"] = wall
        out.append(d)
    return {k: statistics.median(d[k] for d in out) for k in ("import", "first", "wall")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deps", help="comma-separated départements (default: all of France)")
    ap.add_argument("--store", help="an already published store (skip the build)")
    ap.add_argument("--sources", default=str(SOURCES))
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--naive-points", type=int, default=100)
    ap.add_argument("--cold-runs", type=int, default=5)
    a = ap.parse_args()
    sources = Path(a.sources)
    deps = a.deps.split(",") if a.deps else None
    build_s = None
    if a.store:
        store = Path(a.store)
    else:
        print("building facts + query steps …", flush=True)
        store, build_s = build_store(deps, sources)

    import shapely
    from rezone import layout, release
    from rezone.api.functions import make_query
    from rezone.locate import INDEX_KEY, find_commune, shard_key
    from rezone.search import search
    from rezone_infra.server import make_event

    release.reset(str(store))
    rel = release.current()
    index = rel.json(INDEX_KEY)
    pts_all = reference_points(sources, set(deps) if deps else None)
    rng = random.Random(7)
    codes = rng.sample(sorted(pts_all), min(a.points, len(pts_all)))
    pts = [pts_all[c] for c in codes]

    # sizes of what a cold locate reads
    shard_sizes = [index["shards"][k][4] for k in {shard_key(index["grid"], x, y) for x, y in pts}
                   if k in index["shards"]]
    index_bytes = len(rel.get(INDEX_KEY))
    all_shards = [v[4] for v in index["shards"].values()]
    facts_sizes = [len(rel.get(k[len(rel.prefix):])) for k in rel.store.list(rel.prefix + layout.FACTS_DIR)]

    # warm locate (library): first pass loads every shard, the second one is timed
    for x, y in pts:
        find_commune(rel, x, y)
    settle()
    warm = []
    for x, y in pts:
        t = time.perf_counter_ns()
        find_commune(rel, x, y)
        warm.append((time.perf_counter_ns() - t) / 1e6)

    # warm locate through the whole handler (validation, facts, JSON)
    app = make_query(fast=False)  # the typed resolver (the fast path is timed in the cold runs)
    events = [make_event("GET", "/v1/locate", f"lat={y}&lon={x}", {}, None) for x, y in pts[:500]]
    for e in events:
        app(e, None)
    settle()
    handler_ms = []
    for e in events:
        t = time.perf_counter_ns()
        app(e, None)
        handler_ms.append((time.perf_counter_ns() - t) / 1e6)

    # search
    names = [res[0]["name"] for res in (search(rel, c, 1) for c in codes[:300]) if res]
    queries = [n[: rng.randint(min(3, len(n)), min(8, len(n)))] for n in names] + codes[:100]
    for q in queries:
        search(rel, q, 10)
    settle()
    srch = []
    for q in queries:
        t = time.perf_counter_ns()
        search(rel, q, 10)
        srch.append((time.perf_counter_ns() - t) / 1e6)

    # peer: naive shapely loop over every commune polygon (the shards' parts, prepared)
    geoms, gcodes = [], []
    for key in index["shards"]:
        data = zlib.decompress(rel.get(f"query/locate/{key}.bin"))
        nl = data.index(b"\n")
        head = json.loads(data[:nl])
        pos = nl + 1
        for code, n in head["c"]:
            geoms.append(shapely.from_wkb(data[pos:pos + n]))
            gcodes.append(code)
            pos += n
    shapely.prepare(geoms)
    naive = []
    agree = 0
    for (x, y), code in zip(pts[: a.naive_points], codes):
        t = time.perf_counter_ns()
        p = shapely.Point(x, y)
        hits = [c for g, c in zip(geoms, gcodes) if g.covers(p)]
        naive.append((time.perf_counter_ns() - t) / 1e6)
        agree += (min(hits) if hits else None) == find_commune(rel, x, y)

    x0, y0 = pts_all.get("80021", pts[0])
    cold_lib = cold(COLD_LIB, store, x0, y0, a.cold_runs)
    cold_fn = cold(COLD_FN, store, x0, y0, a.cold_runs)
    cold_search = cold(COLD_FN, store, x0, y0, a.cold_runs, "/v1/communes", "q=amiens&limit=5")

    scope = "France" if not deps else ",".join(deps)
    print(f"\n== query benchmark ({scope}; {len(index['shards'])} locate shards; {len(geoms)} polygon parts) ==")
    if build_s is not None:
        print(f"facts+query steps build time        {build_s:8.1f} s")
    print(f"{'measure':<42}{'p50':>10}{'p99':>10}{'n':>7}")
    print(f"{'locate warm, find_commune (ms)':<42}{pct(warm, 50):>10.4f}{pct(warm, 99):>10.4f}{len(warm):>7}")
    print(f"{'locate warm, whole handler (ms)':<42}{pct(handler_ms, 50):>10.4f}{pct(handler_ms, 99):>10.4f}"
          f"{len(handler_ms):>7}")
    print(f"{'peer: naive shapely loop (ms)':<42}{pct(naive, 50):>10.4f}{pct(naive, 99):>10.4f}{len(naive):>7}")
    print(f"{'search warm (ms)':<42}{pct(srch, 50):>10.4f}{pct(srch, 99):>10.4f}{len(srch):>7}")
    print(f"naive loop agrees with find_commune on {agree}/{len(naive)} points")
    print(f"{'cold start (median of runs, ms)':<42}{'import':>10}{'1st ans':>10}{'total':>10}{'wall':>10}")
    for name, c in (("library: rezone.locate.find_commune", cold_lib),
                    ("function: GET /v1/locate (fast path)", cold_fn),
                    ("function: GET /v1/communes (resolver)", cold_search)):
        print(f"{name:<42}{c['import'] * 1000:>10.1f}{c['first'] * 1000:>10.1f}"
              f"{(c['import'] + c['first']) * 1000:>10.1f}{c['wall'] * 1000:>10.1f}")
    print(f"cold locate reads: index {index_bytes / 1024:.1f} KB + one shard (median "
          f"{pct(shard_sizes, 50) / 1024:.1f} KB, max {max(shard_sizes) / 1024:.1f} KB over the points; all shards "
          f"max {max(all_shards) / 1024:.1f} KB) + facts file for the answer (median "
          f"{pct(facts_sizes, 50) / 1024:.0f} KB, max {max(facts_sizes) / 1024:.0f} KB)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; load average at the end "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other processes inflate p99 and cold figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

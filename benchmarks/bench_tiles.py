"""Benchmark of the vector tiles: our build against tippecanoe, tile sizes per zoom, tile serving.

    .venv/bin/python benchmarks/bench_tiles.py                      # full France (real ingest first)
    .venv/bin/python benchmarks/bench_tiles.py --deps 80,13,2A,75   # a few départements

1. ingest the sources (``rezone_build.ingest.ingest``), pickle the Dataset for the child processes;
2. our ``tiles`` step in a child process: wall time, peak RSS of the process and of its workers;
3. tippecanoe (same machine, same run) on a GeoJSON of the same communes with the six zonage
   attributes, same zooms, ``--detect-shared-borders --coalesce-densest-as-needed``: wall time,
   peak RSS;
4. tile size distribution per zoom (median, p95, max) of both archives, and the bytes of a zoom-5
   view of France (all z5 tiles);
5. tiles handler warm p50/p99 on a local store, storage reads per tile, cold start (import +
   first tile) in fresh subprocesses.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "data"
TIPPECANOE = ROOT / ".venv" / "bin" / "tippecanoe"


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, round(q / 100 * (len(v) - 1)))] if v else float("nan")


def timed_child(cmd: list[str], env=None) -> tuple[float, dict, str]:
    """Run ``cmd``; its wall time, memory figures and stdout.

    Memory (MB), sampled every 0.1 s over the command and all its descendants: ``pss`` is the peak of
    their summed PSS (proportional set size: a page shared by k processes counts 1/k in each), the
    honest total for a pool of forked workers; ``max_rss`` is the largest RSS of any one process, which
    counts the pages a forked worker shares with its parent in full.
    """
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        pss = rss = 0.0
        while proc.poll() is None:
            p, r = tree_memory_mb(proc.pid)
            pss, rss = max(pss, p), max(rss, r)
            time.sleep(0.1)
        dt = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {stderr[-2000:]}")
    return dt, {"pss": pss, "max_rss": rss}, stdout


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(summed PSS, largest RSS) in MB of process ``root`` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    pss, rss, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                fields = {ln.split(":")[0]: int(ln.split()[1]) for ln in f if ln.split(":")[0] in ("Rss", "Pss")}
        except (OSError, ValueError, IndexError):
            continue
        pss += fields.get("Pss", 0)
        rss = max(rss, fields.get("Rss", 0))
    return pss / 1024, rss / 1024


# ------------------------------------------------------------------------------------------ archives


def archive_tiles(path: Path) -> list[tuple[int, int]]:
    """(tile id, size) of every addressed tile of a PMTiles archive (runs expanded)."""
    from rezone.tiles import Archive

    data = path.read_bytes()
    a = Archive(lambda o, n: data[o : o + n])
    return [(tid + k, length) for tid, run, _, length in a.entries() for k in range(run)]


def archive_sizes(path: Path) -> dict[int, list[int]]:
    """Tile sizes per zoom of a PMTiles archive."""
    from pmtiles.tile import tileid_to_zxy

    sizes: dict[int, list[int]] = {}
    for tid, length in archive_tiles(path):
        sizes.setdefault(tileid_to_zxy(tid)[0], []).append(length)
    return sizes


def size_table(name: str, sizes: dict[int, list[int]]) -> list[dict]:
    rows = []
    for z in sorted(sizes):
        s = sizes[z]
        rows.append({"archive": name, "z": z, "tiles": len(s), "median_kb": statistics.median(s) / 1024,
                     "p95_kb": pct(s, 95) / 1024, "max_kb": max(s) / 1024, "total_kb": sum(s) / 1024})
    return rows


# ------------------------------------------------------------------------------------------ steps


CHILD_BUILD = """
import json, pickle, resource, sys, time
from pathlib import Path
from rezone_build.pipeline import BuildContext
from rezone_build.tilesets import build
ds = pickle.load(open(sys.argv[1], "rb"))
out = Path(sys.argv[2])
t = time.perf_counter()
rss0 = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 2**20
r = build(ds, out, BuildContext(version="bench", sources_dir=None, work_dir=out, departements=None, quiet=True))
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rss_before_mb": rss0, "processes": r["processes"],
                  "max_tile": r["max_tile_bytes"], "z5": r["z5_view_bytes"]}))
"""


def write_geojson(ds, path: Path) -> int:
    from rezone.constants import PROFESSIONS
    from shapely.geometry import mapping

    n = 0
    with open(path, "w") as f:
        for code, c in sorted(ds.communes.items()):
            if c.geometry is None or c.geometry.is_empty:
                continue
            props = {"code": code, "nom": c.name}
            props.update({p: z.code for p, z in c.zonage.items() if p in PROFESSIONS and z and z.code})
            f.write(json.dumps({"type": "Feature", "id": n, "properties": props, "geometry": mapping(c.geometry)}))
            f.write("\n")
            n += 1
    return n


def bench_handler(release_dir: Path, samples: int) -> dict:
    from rezone import release as release_mod
    from rezone.storage import LocalStore
    from rezone_build.publish import publish

    store_dir = Path(tempfile.mkdtemp(prefix="bench-tiles-store-"))
    meta = release_dir / "release.json"
    if not meta.exists():
        meta.write_text(json.dumps({"version": "bench", "sources": {}}))
    publish(release_dir, LocalStore(store_dir), "bench")

    class Counting(LocalStore):
        reads = 0

        def get_range(self, key, offset, length):
            Counting.reads += 1
            return super().get_range(key, offset, length)

    os.environ["REZONE_STORE"] = str(store_dir)
    release_mod.reset(str(store_dir))
    release_mod._state["store"] = Counting(store_dir)
    sys.path.insert(0, str(ROOT / "functions" / "tiles"))
    from app import handler
    from pmtiles.tile import tileid_to_zxy

    ids = [tid for tid, _ in archive_tiles(release_dir / "tiles" / "zonage.pmtiles")]
    rng = random.Random(1)
    tiles = [tileid_to_zxy(t) for t in rng.sample(ids, min(samples, len(ids)))]

    def ev(z, x, y):
        p = f"/tiles/zonage/{z}/{x}/{y}.mvt"
        return {"version": "2.0", "rawPath": p, "rawQueryString": "", "headers": {"host": "localhost"},
                "requestContext": {"http": {"method": "GET", "path": p}}}

    events = [ev(*t) for t in tiles]
    for e in events:  # warm-up: every leaf directory cached
        assert handler(e, None)["statusCode"] == 200
    Counting.reads = 0
    times = []
    for e in events:
        t = time.perf_counter_ns()
        r = handler(e, None)
        times.append((time.perf_counter_ns() - t) / 1e6)
        assert r["statusCode"] == 200
    reads_per_tile = Counting.reads / len(events)
    # cold start: fresh interpreter, import the function module and answer one tile
    cold = []
    z, x, y = tiles[0]
    fn_dir = str(ROOT / "functions" / "tiles")
    code = (
        f"import time; t = time.perf_counter(); import sys; sys.path.insert(0, {fn_dir!r}); from app import handler; "
        f"t1 = time.perf_counter(); r = handler({ev(z, x, y)!r}, None); t2 = time.perf_counter(); "
        "assert r['statusCode'] == 200; print((t1 - t) * 1e3, (t2 - t) * 1e3)"
    )
    env = {**os.environ, "REZONE_STORE": str(store_dir)}
    for _ in range(7):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        cold.append(tuple(map(float, out.stdout.split())))
    return {
        "tiles": len(events), "p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "max_ms": max(times),
        "reads_per_tile": reads_per_tile,
        "cold_import_ms": statistics.median(c[0] for c in cold),
        "cold_first_tile_ms": statistics.median(c[1] for c in cold),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deps", help="comma-separated départements (default: all of France)")
    ap.add_argument("--sources", default=str(SOURCES))
    ap.add_argument("--samples", type=int, default=3000, help="tiles requested in the handler benchmark")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "tiles.json"))
    ap.add_argument("--workers", default="1,2", help="worker counts to run besides the default (comma-separated)")
    ap.add_argument("--dataset", help="a pickled Dataset to use instead of ingesting the sources")
    ap.add_argument("--no-handler", action="store_true", help="skip the serving benchmark")
    args = ap.parse_args()
    deps = args.deps.split(",") if args.deps else None
    args.workers = [int(n) for n in args.workers.split(",") if n]
    work = Path(tempfile.mkdtemp(prefix="bench-tiles-"))
    report: dict = {"scope": deps or "FR"}

    from rezone_build.ingest import ingest
    from rezone_build.tilesets import LOW_MAXZOOM, MAXZOOM, MINZOOM, worker_count

    t = time.perf_counter()
    if args.dataset:  # a Dataset pickled earlier (skips the ingest when iterating on the tiles step)
        with open(args.dataset, "rb") as f:
            ds = pickle.load(f)
    else:
        ds = ingest(args.sources, departements=deps, progress=False)
    report["ingest_s"] = time.perf_counter() - t
    with open(work / "ds.pkl", "wb") as f:
        pickle.dump(ds, f)
    n = write_geojson(ds, work / "communes.geojsonl")
    print(f"dataset: {len(ds.communes)} communes ({n} with geometry), ingest {report['ingest_s']:.1f}s", flush=True)

    # -- tippecanoe on the same communes and zooms
    tip = work / "tippecanoe.pmtiles"
    dt, mem, _ = timed_child([str(TIPPECANOE), "-q", "-f", "-o", str(tip), "-Z", str(MINZOOM), "-z", str(MAXZOOM),
                              "-l", "communes", "-P", "--detect-shared-borders", "--coalesce-densest-as-needed",
                              str(work / "communes.geojsonl")])
    report["tippecanoe"] = {"seconds": dt, "peak_mb": mem["pss"], "max_rss_mb": mem["max_rss"]}
    print(f"tippecanoe: {dt:.1f}s, peak {mem['pss']:.0f} MB", flush=True)

    # -- ours: default worker count (the CPUs available), then 1 and 2 workers
    runs = {}
    default = worker_count()
    for label, procs in (("default", None), *((f"{n} workers", n) for n in args.workers if n != default)):
        rel = work / f"release-{len(runs)}"
        rel.mkdir()
        env = {**os.environ}
        env.pop("REZONE_TILES_PROCESSES", None)
        if procs:
            env["REZONE_TILES_PROCESSES"] = str(procs)
        dt, mem, out = timed_child([sys.executable, "-c", CHILD_BUILD, str(work / "ds.pkl"), str(rel)], env=env)
        r = json.loads([ln for ln in out.splitlines() if ln.startswith("{")][-1])
        r.update(wall_s=dt, peak_mb=mem["pss"], max_rss_mb=mem["max_rss"], release=rel)
        runs[f"{r['processes']} workers" + (" (default)" if procs is None else "")] = r
        print(f"ours, {r['processes']} workers: {r['seconds']:.1f}s in the step ({dt:.1f}s with unpickling), "
              f"peak {mem['pss']:.0f} MB (PSS, all processes; largest process {mem['max_rss']:.0f} MB RSS; "
              f"before the step {r['rss_before_mb']:.0f} MB)", flush=True)
    ours = next(r for k, r in runs.items() if k.endswith("(default)"))
    rel = ours["release"]
    report["ours"] = {k: {kk: vv for kk, vv in r.items() if kk != "release"} for k, r in runs.items()}
    t_tip = report["tippecanoe"]
    print(f"\n{'tiles step':<28} {'wall s':>8} {'+ loading':>10} {'peak MB (PSS)':>14} {'largest RSS MB':>15}")
    print(f"{'tippecanoe':<28} {t_tip['seconds']:>8.1f} {t_tip['seconds']:>10.1f} {t_tip['peak_mb']:>14.0f} "
          f"{t_tip['max_rss_mb']:>15.0f}")
    for k, r in runs.items():
        print(f"{'ours, ' + k:<28} {r['seconds']:>8.1f} {r['wall_s']:>10.1f} {r['peak_mb']:>14.0f} "
              f"{r['max_rss_mb']:>15.0f}")
    print("(ours: the step's own wall time; '+ loading' adds unpickling the Dataset, which `rezone build` holds "
          "in memory already; tippecanoe's includes parsing its GeoJSON. Peak memory includes the Dataset.)")

    # -- sizes
    rows = size_table("ours:zonage", archive_sizes(rel / "tiles" / "zonage.pmtiles"))
    rows += size_table("ours:zonage-medecin", archive_sizes(rel / "tiles" / "zonage-medecin.pmtiles"))
    rows += size_table("tippecanoe", archive_sizes(tip))
    report["sizes"] = rows
    print(f"\n{'archive':<22} {'z':>3} {'tiles':>7} {'median KB':>10} {'p95 KB':>8} {'max KB':>8} {'total KB':>10}")
    for r in rows:
        print(f"{r['archive']:<22} {r['z']:>3} {r['tiles']:>7} {r['median_kb']:>10.1f} {r['p95_kb']:>8.1f} "
              f"{r['max_kb']:>8.1f} {r['total_kb']:>10.1f}")
    for name in ("ours:zonage", "ours:zonage-medecin", "tippecanoe"):
        allz = [r for r in rows if r["archive"] == name]
        print(f"{name}: z5 view {sum(r['total_kb'] for r in allz if r['z'] == 5):.0f} KB, "
              f"max tile {max(r['max_kb'] for r in allz):.0f} KB")
    sizes_all = {name: [] for name in ("ours", "tippecanoe")}
    for name, path in (("ours", rel / "tiles" / "zonage.pmtiles"), ("tippecanoe", tip)):
        for s in archive_sizes(path).values():
            sizes_all[name] += s
    report["median_tile_kb"] = {k: statistics.median(v) / 1024 for k, v in sizes_all.items()}
    report["archive_mb"] = {"ours:zonage": (rel / "tiles" / "zonage.pmtiles").stat().st_size / 2**20,
                            "tippecanoe": tip.stat().st_size / 2**20}
    print(f"median tile (all zooms): ours {report['median_tile_kb']['ours']:.1f} KB, "
          f"tippecanoe {report['median_tile_kb']['tippecanoe']:.1f} KB; archives "
          f"{report['archive_mb']['ours:zonage']:.1f} MB vs {report['archive_mb']['tippecanoe']:.1f} MB")
    print(f"(our low zooms z{MINZOOM}-{LOW_MAXZOOM} are dissolved zones, not communes)")

    # -- serving
    if not args.no_handler:
        h = bench_handler(rel, args.samples)
        report["handler"] = h
        print(f"\nhandler warm over {h['tiles']} tiles: p50 {h['p50_ms']:.3f} ms, p99 {h['p99_ms']:.3f} ms, "
              f"max {h['max_ms']:.2f} ms; storage reads per tile {h['reads_per_tile']:.2f}; cold start: import "
              f"{h['cold_import_ms']:.0f} ms, import + first tile {h['cold_first_tile_ms']:.0f} ms")
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(report, indent=1, default=str))
    print(f"\nreport: {out_path}  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: the machine is "
          "shared, so compare within this run)")
    wall_r = ours["seconds"] / t_tip["seconds"]
    mem_r = ours["peak_mb"] / t_tip["peak_mb"]
    report["vs_tippecanoe"] = {"wall": wall_r, "peak_memory": mem_r}
    out_path.write_text(json.dumps(report, indent=1, default=str))
    print(f"vs tippecanoe: wall {wall_r:.2f}×, peak memory {mem_r:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())

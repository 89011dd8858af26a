"""Benchmark of the ingest (sources → Dataset) and, with ``--release``, of the whole build.

    .venv/bin/python benchmarks/bench_build.py                    # full-France ingest
    .venv/bin/python benchmarks/bench_build.py --deps 80,13,2A,75 # a small area
    .venv/bin/python benchmarks/bench_build.py --release          # + `rezone build --no-publish`

Prints wall time and peak RSS of the ingest (in this process: ``ru_maxrss``), per-phase times from
a second, warm run (hash cache and parsed-workbook cache filled by the first), and the quality
summary. ``--release`` runs the CLI in a subprocess (its own peak RSS from RUSAGE_CHILDREN).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deps", help="comma-separated départements (default: all of France)")
    ap.add_argument("--sources", default=None, help="source directory (default: ../shared/data)")
    ap.add_argument("--release", action="store_true", help="also time `rezone build --no-publish`")
    a, _ = ap.parse_known_args()
    deps = [d.strip() for d in a.deps.split(",")] if a.deps else None

    from rezone_build.ingest import ingest

    rss0 = _rss_mb()
    rows = []
    ds = None
    for label in ("ingest (1st run)", "ingest (2nd run, warm caches)"):
        ds = None
        gc.collect()
        t = time.perf_counter()
        ds = ingest(a.sources, deps, progress=False)
        rows.append((label, time.perf_counter() - t, _rss_mb()))
    s = ds.quality["summary"]
    print(
        f"\nscope: {','.join(deps) if deps else 'France (incl. DROM)'}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'run':<34}{'wall s':>10}{'peak RSS MB':>14}")
    print(f"{'python + imports (baseline)':<34}{'':>10}{rss0:>14.0f}")
    for label, dt, rss in rows:
        print(f"{label:<34}{dt:>10.1f}{rss:>14.0f}")
    print("phases of the 2nd run (s): " + ", ".join(f"{k} {v}" for k, v in ds.quality["timings_s"].items()))
    if a.release:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [
                str(ROOT / ".venv/bin/rezone"),
                "build",
                "--no-publish",
                "--work",
                f"{tmp}/work",
                "--store",
                f"{tmp}/store",
            ]
            if a.sources:
                cmd += ["--sources", a.sources]
            if deps:
                cmd += ["--departements", ",".join(deps)]
            t = time.perf_counter()
            rc = subprocess.call(cmd, stdout=subprocess.DEVNULL)
            dt = time.perf_counter() - t
            print(
                f"{'rezone build --no-publish':<34}{dt:>10.1f}{_rss_mb(resource.RUSAGE_CHILDREN):>14.0f}"
                + ("" if rc == 0 else f"   (exit {rc})")
            )
    print("\nquality summary:")
    for k, v in s.items():
        print(f"  {k:<38} {v}")
    print(
        json.dumps(
            {
                "targets": {
                    "geometry >= 34860": s["with_geometry"] >= 34860 if deps is None else None,
                    "doctors_zonage_pct >= 99.5": s["doctors_zonage_pct"] >= 99.5,
                    "every commune with dep/region/population": s["with_departement_region_population"]
                    == s["communes"],
                }
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

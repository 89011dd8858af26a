"""Benchmark of the raster step: build time per phase, peak memory, COG sizes, tile counts and sizes.

    .venv/bin/python benchmarks/bench_raster.py                 # full France (real ingest first)
    .venv/bin/python benchmarks/bench_raster.py --deps 80,13,2A,75

Peak memory is sampled from /proc/self/statm every 20 ms while the step runs (numpy and GDAL
allocations included), reported as the step's peak RSS and its increase over the RSS after ingest.
Peer: the distance grid of the largest area computed by a Euclidean distance transform
(scipy.ndimage.distance_transform_edt on the 1 km grid, hospitals snapped to cells) against the
KD-tree the step uses; the table gives both times and their largest disagreement.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from pmtiles.reader import MmapSource, all_tiles
from rezone_build.ingest import ingest
from rezone_build.pipeline import BuildContext
from rezone_build.raster import build, select_hospitals
from rezone_build.raster_grid import AREAS, CELL_M, area_of, grid_distance, make_grid, to_proj
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


class PeakRss:
    def __enter__(self):
        self.base = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())


def _pct(values: list[int], q: float) -> int:
    return int(np.percentile(values, q)) if values else 0


def _peer_edt(ds, deps: set[str] | None) -> list[tuple[str, str]]:
    """KD-tree vs EDT on the largest area of the build."""
    by_area: dict[str, dict] = {}
    for code, dep in ds.departements.items():
        if dep.geometry is not None and (deps is None or code in deps):
            by_area.setdefault(area_of(code), {})[code] = dep.geometry
    key = max(by_area, key=lambda k: len(by_area[k]))
    area = AREAS[key]
    grid = make_grid(area, by_area[key])
    hosp = [f for f in select_hospitals(ds) if area.envelope[0] <= f.lon <= area.envelope[2]
            and area.envelope[1] <= f.lat <= area.envelope[3]]
    x, y = to_proj(area.crs, [f.lon for f in hosp], [f.lat for f in hosp])
    pts = np.column_stack([x, y])
    t = time.perf_counter()
    kd = grid_distance(grid, pts)
    t_kd = time.perf_counter() - t
    t = time.perf_counter()
    # EDT needs the sources inside the array: pad the grid so that every hospital of the area fits.
    cols = np.floor((x - grid.transform.c) / CELL_M).astype(int)
    rows = np.floor((grid.transform.f - y) / CELL_M).astype(int)
    r0, c0 = min(rows.min(), 0), min(cols.min(), 0)
    h = max(rows.max() + 1, grid.height) - r0
    w = max(cols.max() + 1, grid.width) - c0
    seeds = np.ones((h, w), dtype=bool)
    seeds[rows - r0, cols - c0] = False
    edt = ndimage.distance_transform_edt(seeds, sampling=CELL_M)[-r0:-r0 + grid.height, -c0:-c0 + grid.width]
    edt = np.where(grid.mask, edt, np.nan)
    t_edt = time.perf_counter() - t
    diff = np.nanmax(np.abs(kd - edt))
    return [
        (f"peer ({key}, {int(grid.mask.sum())} cells, {len(hosp)} hospitals): KD-tree distance", f"{t_kd:.2f} s"),
        ("peer: scipy EDT on the grid (hospitals snapped to cells)", f"{t_edt:.2f} s"),
        ("peer: max |KD-tree − EDT| (EDT snaps to cell centres)", f"{diff:.0f} m"),
    ]


def _handler_imports() -> list[tuple[str, str]]:
    """Cold import time of each serving function, and whether rasterio got imported (it must not)."""
    rows = []
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        code = ("import importlib.util, sys, time\n"
                "t = time.perf_counter()\n"
                f"spec = importlib.util.spec_from_file_location('app', {str(app)!r})\n"
                "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
                "print(f\"{(time.perf_counter() - t) * 1000:.0f} ms, rasterio imported: {'rasterio' in sys.modules}\")")
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
        rows.append((f"import functions/{app.parent.name}/app.py (cold)", (res.stdout or res.stderr).strip()[-80:]))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", default=os.environ.get("REZONE_SOURCES", str(ROOT.parent / "shared" / "data")))
    ap.add_argument("--deps", default="", help="comma-separated départements (default: all of France)")
    args, _ = ap.parse_known_args()
    deps = [d for d in args.deps.split(",") if d] or None
    t = time.perf_counter()
    ds = ingest(args.sources, departements=deps, cache_dir=ROOT / ".rezone" / "cache", progress=False)
    t_ingest = time.perf_counter() - t
    if not select_hospitals(ds):
        print("the dataset has no exactly located hospital: ingest does not load facilities yet", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ctx = BuildContext("bench", None, out, departements=deps, quiet=True)
        with PeakRss() as mem:
            t = time.perf_counter()
            res = build(ds, out, ctx)
            t_step = time.perf_counter() - t
        with open(out / "tiles/acces-hopital.pmtiles", "rb") as f:
            sizes = sorted(len(d) for _, d in all_tiles(MmapSource(f)))
        cogs = {p.name: p.stat().st_size for p in sorted((out / "raster").glob("*.tif"))}
        shares_kb = (out / "raster/access-shares.json").stat().st_size / 1024
    rows = [
        ("scope", ",".join(deps) if deps else "France entière"),
        ("ingest (not part of the step)", f"{t_ingest:.1f} s"),
        ("raster step total", f"{t_step:.2f} s"),
        *[(f"  phase {k}", f"{v:.2f} s") for k, v in res["timings_s"].items()],
        ("peak RSS during step", f"{mem.peak:.0f} MB"),
        ("RSS increase over post-ingest baseline", f"{mem.peak - mem.base:.0f} MB"),
        ("hospitals (exact) / public", f"{res['hospitals']} / {res['public_hospitals']}"),
        *[(f"COG {name}", f"{size / 1024:.0f} KB") for name, size in cogs.items()],
        ("access-shares.json", f"{shares_kb:.0f} KB ({res['communes_with_distance']} communes)"),
        ("tiles (PNG) total", f"{len(sizes)} tiles, {sum(sizes) / 1024:.0f} KB"),
        ("tiles per zoom", ", ".join(f"z{z}:{n}" for z, n in sorted(res["tiles_per_zoom"].items()))),
        ("tile size p50 / p90 / p99 / max", " / ".join(f"{_pct(sizes, q)} B" for q in (50, 90, 99, 100))),
        *_peer_edt(ds, set(deps) if deps else None),
        *_handler_imports(),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  value")
    print("-" * (width + 20))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The build: sources → dataset → release steps → publish.

Each step is a function ``build(ds, out_dir, ctx) -> dict`` writing files under ``out_dir`` (the
staging copy of ``releases/<version>/``) and returning a summary for ``release.json``. A step that
raises stops the build: nothing is published and the live release stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rezone import layout
from rezone.storage import open_store

from .publish import publish

__all__ = ["STEPS", "BuildContext", "BuildError", "build_release"]

# Each step imports its module when it runs (the raster step alone pulls rasterio and scipy).


def _facts(ds, out, ctx):
    from . import facts

    return facts.build(ds, out, ctx)


def _tiles(ds, out, ctx):
    from . import tilesets

    return tilesets.build(ds, out, ctx)


def _query(ds, out, ctx):
    from . import query_build

    return query_build.build(ds, out, ctx)


def _eligibility(ds, out, ctx):
    from . import rules_build

    return rules_build.build(ds, out, ctx)


def _raster(ds, out, ctx):
    from . import raster

    return raster.build(ds, out, ctx)


def _downloads(ds, out, ctx):
    from . import downloads

    return downloads.build(ds, out, ctx)


# (name, step); order matters only for readability: steps are independent.
STEPS: list[tuple[str, Callable]] = [
    ("facts", _facts),
    ("tiles", _tiles),
    ("query", _query),
    ("eligibility", _eligibility),
    ("raster", _raster),
    ("downloads", _downloads),
]


class BuildError(RuntimeError):
    pass


@dataclass
class BuildContext:
    version: str
    sources_dir: Path | None
    work_dir: Path
    departements: list[str] | None = None
    log: list[str] = field(default_factory=list)
    quiet: bool = False

    def say(self, msg: str) -> None:
        self.log.append(msg)
        if not self.quiet:
            print(msg, flush=True)


def _version(ds) -> str:
    h = hashlib.sha256(json.dumps(sorted(ds.sources), sort_keys=True).encode())
    h.update(",".join(ds.scope or ["FR"]).encode())
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + h.hexdigest()[:6]


def _reset_peak() -> None:
    """Restart this process's peak-RSS counter (Linux ``clear_refs``), so each step's own peak shows."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    """Peak RSS (MB) of this process since the last :func:`_reset_peak` (else since it started)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_release(
    sources: str | Path | None = None,
    store_url: str | Path | None = "store",
    work_dir: str | Path = ".rezone",
    departements: list[str] | None = None,
    steps: list[str] | None = None,
    do_publish: bool = True,
    quiet: bool = False,
    dataset=None,
) -> dict:
    """Build a release; publish it to ``store_url`` unless ``do_publish`` is false.

    Returns a summary: version, release_dir, per-step results, timings, peak memory (overall and per step).
    """
    from .ingest import ingest  # heavy imports only at build time

    t0 = time.perf_counter()
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}
    ds = dataset
    if ds is None:
        ds = ingest(sources, departements=departements, cache_dir=work / "cache", progress=not quiet)
    timings["ingest"] = time.perf_counter() - t0
    peaks["ingest"] = peak = _peak_mb()
    ctx = BuildContext(version=_version(ds), sources_dir=Path(sources) if sources else None, work_dir=work,
                       departements=departements, quiet=quiet)
    out = work / "releases" / ctx.version
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    results: dict[str, dict] = {}
    try:
        for name, step in STEPS:
            if steps is not None and name not in steps:
                continue
            t = time.perf_counter()
            ctx.say(f"[build] step {name} …")
            _reset_peak()
            results[name] = step(ds, out, ctx) or {}
            timings[name] = time.perf_counter() - t
            peaks[name] = _peak_mb()
            peak = max(peak, peaks[name])
            ctx.say(f"[build] step {name} done in {timings[name]:.1f}s (peak RSS {peaks[name]:.0f} MB)")
    except Exception as exc:
        shutil.rmtree(out, ignore_errors=True)
        raise BuildError(f"step {name!r} failed: {exc}") from exc
    (out / layout.QUALITY_REPORT).write_text(json.dumps(ds.quality, ensure_ascii=False, indent=1, default=str))
    meta = {
        "version": ctx.version,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scope": ds.scope or "FR",
        "sources": {k: asdict(v) for k, v in ds.sources.items()},
        "steps": results,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "quality_summary": ds.quality.get("summary", {}),
    }
    (out / layout.RELEASE_META).write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=str))
    if do_publish and store_url is not None:
        t = time.perf_counter()
        _reset_peak()
        publish(out, open_store(store_url), ctx.version, progress=False if quiet else None)
        timings["publish"] = time.perf_counter() - t
        peaks["publish"] = _peak_mb()
        peak = max(peak, peaks["publish"])
    timings["total"] = time.perf_counter() - t0
    peaks["total"] = peak
    return {
        "version": ctx.version,
        "release_dir": str(out),
        "results": results,
        "timings_s": timings,
        "peak_rss_mb": peak,
        "peak_rss_mb_by_step": peaks,  # this process's; forked tile workers share its pages
        "dataset": ds,
    }

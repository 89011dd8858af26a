"""Release step ``tiles``: vector tilesets of the zonage, facilities and boundaries (PMTiles v3).

Output under the release dir (contract: ``docs/tiles.md``)::

    tiles/zonage.pmtiles              z4–7 layer ``zones`` (six professions), z8–12 ``communes`` + ``qpv``
    tiles/zonage-<profession>.pmtiles z4–7 layer ``zones`` of one profession (what a phone loads for France)
    tiles/facilities.pmtiles          z5–12 layer ``facilities`` (points)
    tiles/boundaries.pmtiles          z4–12 layers ``departements``, ``regions`` (lines), z7–12 ``cpts`` (polygons)
    tiles/places.pmtiles              z4–11 layers ``communes`` (ranked names), ``departements`` (points)
    fonts/<slug>/<start>-<end>.pbf    SDF glyph ranges of the labels' font (rezone_build.glyphs)
    tiles/styles/<profession>.json    MapLibre style per profession

Zoom range. Minimum zoom 4 shows metropolitan France in one phone screen. Maximum zoom 12:
the commune polygons (IGN ADMIN EXPRESS via france-geojson) have a median vertex spacing of
~340 m (10th percentile ~175 m) and 5-decimal coordinates (~1 m); a z12 tile unit (1/4096 of a
tile) is ~1.7 m at French latitudes, so z12 already keeps every source vertex at the source's own
precision and z13+ would only repeat it with 4× the tiles. MapLibre over-zooms z12 to street level.
Below z8 a commune is a few pixels wide: the zonage is drawn from zones dissolved per profession,
with patches smaller than ~3 screen pixels absorbed by their neighbour (no holes) and the zone
coverage simplified as a whole.

Topology. Each zoom's commune polygons come from one ``shapely.coverage_simplify`` call over the
whole commune coverage (never feature by feature; above ``COMMUNE_SIMPLIFY_MAXZOOM`` the source
coverage itself, which that call would leave unchanged), so neighbours keep identical borders; the
quantisation to tile units rounds shared vertices identically. Same for the dissolved zones and
the département/région outlines.

``REZONE_TILES_MAXZOOM`` (environment) lowers the maximum zoom for quick experiments; release
builds leave it unset. ``REZONE_TILES_PROCESSES`` sets the worker count (default: the CPUs available).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from rezone import layout
from rezone.constants import PROFESSIONS, ZONE_CODES
from rezone.facts import dep_of

from . import density, glyphs
from .generalize import absorb_small, dissolve, simplify_coverage
from .places import DEPARTEMENT_ZOOMS, RANK_MINZOOM, commune_places, departement_places
from .pmtiles_write import ArchiveWriter, tile_id
from .styles import low_tileset, style
from .tiling import (
    BUFFER,
    WORLD,
    merc_to_lonlat,
    render_tiles,
    tile_range,
    tile_size,
    to_mercator,
    unit,
)

__all__ = [
    "COMMUNE_MINZOOM",
    "CPTS_MINZOOM",
    "FACILITY_MINZOOM",
    "LOW_MAXZOOM",
    "MAXZOOM",
    "MINZOOM",
    "PLACES_MAXZOOM",
    "build",
    "feature_id",
    "render_zoom",
    "worker_count",
]

MINZOOM = 4
LOW_MAXZOOM = 7
COMMUNE_MINZOOM = 8
MAXZOOM = 12
FACILITY_MINZOOM = 5
PLACES_MAXZOOM = 11  # every commune name is in the z11 tiles; points need no more precision
COMMUNE_TOLERANCE = 1.0  # coverage simplification, tile units
# Above this zoom a 1-unit coverage simplification of the communes removes (almost) nothing: measured on
# France, 2,183,664 vertices → 114 fewer at z10, 3 at z11, 0 at z12, for ~7 s of CPU each; z8 and z9
# remove 4,832 and 2,903. Higher zooms take the source coverage as it is (quantisation still applies).
COMMUNE_SIMPLIFY_MAXZOOM = 9
ZONE_TOLERANCE = 2.0  # dissolved zones, tile units
ABSORB_UNITS = 24  # zone patches smaller than (24 units)² (3 px × 3 px on a 512 px tile) are absorbed
FACILITY_SOURCES = ("etablissements-sae", "etablissements-geolocalises")
CPTS_MINZOOM = 7
ZONAGE_SOURCES = ("france-geojson", "decoupage-administratif", "zonage-medecins", "zonage-autres-professions", "qpv")
BOUNDARY_SOURCES = ("france-geojson", "decoupage-administratif")


def feature_id(code: str | None) -> int | None:
    """Integer MVT feature id of an INSEE/FINESS code: Corsica's ``2A``/``2B`` become ``201``/``202``."""
    if not code:
        return None
    if code[:2] in ("2A", "2B"):
        code = ("201" if code[1] == "A" else "202") + code[2:]
    return int(code) if code.isdigit() else None


# --------------------------------------------------------------------------------------------- rendering


@dataclass
class Layer:
    """One MVT layer's features at one zoom: Mercator geometries, properties, optional integer ids."""

    name: str
    geoms: np.ndarray
    props: list[dict]
    ids: list[int | None] | None = None
    tree: shapely.STRtree = field(init=False)

    def __post_init__(self):
        self.geoms = np.asarray(self.geoms, dtype=object)
        self.tree = shapely.STRtree(self.geoms)


CHUNK = 256  # at most this many tiles per batch (consecutive in tile-id order: a compact block of the map)
# and at most this many source coordinates touched by a batch's tiles (counted per tile): a batch's
# transient copies (clipped, local, quantised, commands) stay within a few tens of MB even at z8, where
# 86 tiles cover all of France's 2.2 million vertices.
CHUNK_COORDS = 250_000


_JOB: dict = {}  # what forked workers read: set by the parent right before the fork


def _render_chunk(i: int) -> list[tuple[int, int, bytes]]:
    return render_tiles(_JOB["z"], _JOB["layers"], _JOB["chunks"][i])


@contextmanager
def _forked_pool(processes: int, **job):
    """A pool of ``processes`` workers forked now, reading ``job`` (the current zoom's layers…) from the
    parent's memory: nothing is pickled to them. ``gc.freeze()`` first, so that the workers' garbage
    collector never writes into the parent's objects (the dataset stays shared, page for page)."""
    _JOB.update(job)
    gc.freeze()  # no gc.collect() first: a full collection over the dataset costs ~1 s per pool
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            yield pool
    finally:
        gc.unfreeze()
        _JOB.clear()


def candidate_tiles(z: int, layers: list[Layer]) -> list[tuple[int, int]]:
    """Tiles touched by the bounding box (plus buffer) of some feature, in Hilbert tile-id order."""
    tiles: set[tuple[int, int]] = set()
    margin = BUFFER * unit(z)
    for layer in layers:
        for bounds in shapely.bounds(layer.geoms):
            if np.isnan(bounds[0]):
                continue
            x0, y0, x1, y1 = tile_range(bounds, z, margin)
            tiles.update((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    return sorted(tiles, key=lambda t: tile_id(z, *t))


def _chunks(z: int, layers: list[Layer], order: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """``order`` cut into batches of at most :data:`CHUNK` tiles and :data:`CHUNK_COORDS` coordinates."""
    if not order:
        return []
    xy = np.asarray(order, dtype=np.int64)
    s, m = tile_size(z), BUFFER * unit(z)
    minx, maxy = -WORLD + xy[:, 0] * s, WORLD - xy[:, 1] * s
    boxes = shapely.box(minx - m, maxy - s - m, minx + s + m, maxy + m)
    load = np.zeros(len(order))
    for layer in layers:
        ti, fi = layer.tree.query(boxes)  # bounding boxes only: an upper bound of what a tile clips
        load += np.bincount(ti, weights=shapely.get_num_coordinates(layer.geoms)[fi], minlength=len(order))
    chunks, current, total = [], [], 0.0
    for t, n in zip(order, load):
        if current and (len(current) == CHUNK or total + n > CHUNK_COORDS):
            chunks.append(current)
            current, total = [], 0.0
        current.append(t)
        total += n
    chunks.append(current)
    return chunks


def render_zoom(z: int, layers: list[Layer], processes: int = 1, bar=None) -> Iterator[tuple[int, int, bytes]]:
    """Non-empty tiles of one zoom, in Hilbert tile-id order (what the PMTiles writer wants).

    Tiles are rendered in batches (:func:`_chunks`, :func:`rezone_build.tiling.render_tiles`), by
    ``processes`` forked workers when there are several batches.
    """
    order = candidate_tiles(z, layers)
    chunks = _chunks(z, layers, order)
    if bar is not None:
        bar.total = (bar.total or 0) + len(order)
        bar.refresh()

    def done(chunk, rendered):
        if bar is not None:
            bar.update(len(chunk))
        return rendered

    if processes < 2 or len(chunks) < 2 * processes:  # a fork per zoom pays off only with batches to share
        for c in chunks:
            yield from done(c, render_tiles(z, layers, c))
        return
    with _forked_pool(min(processes, len(chunks)), z=z, layers=layers, chunks=chunks) as pool:
        for c, rendered in zip(chunks, pool.imap(_render_chunk, range(len(chunks)))):
            yield from done(c, rendered)


# --------------------------------------------------------------------------------------------- data


@dataclass
class _Communes:
    codes: list[str]
    geoms: np.ndarray  # Mercator, full resolution
    props: list[dict]
    ids: list[int | None]
    deps: list[str]
    zones: dict[str, list[str | None]]  # profession → zone code per commune


def _communes(ds, deps: set[str] | None) -> _Communes:
    cs = [
        c for _, c in sorted(ds.communes.items())
        if c.geometry is not None and not c.geometry.is_empty and (deps is None or c.departement in deps)
    ]
    zones = {p: [(c.zonage.get(p).code if c.zonage.get(p) else None) for c in cs] for p in PROFESSIONS}
    apl_q, _ = density.apl_quartiles(ds)
    props = []
    for i, c in enumerate(cs):
        pr = {"code": c.code, "nom": c.name}
        pr.update({p: zones[p][i] for p in PROFESSIONS if zones[p][i] is not None})
        if c.code in apl_q:
            pr["apl_q"] = apl_q[c.code]
        props.append(pr)
    geoms = to_mercator(np.asarray([c.geometry for c in cs], dtype=object))
    return _Communes([c.code for c in cs], geoms, props, [feature_id(c.code) for c in cs],
                     [c.departement for c in cs], zones)


def _profession_zones(p: str) -> dict[int, dict]:
    """zoom → {zone code or None: geometry} for one profession: dissolved, absorbed, simplified, cascading down."""
    cm, minzoom, maxzoom = _JOB["communes"], _JOB["minzoom"], _JOB["maxzoom"]
    out: dict[int, dict] = {}
    current = dissolve(cm.geoms, cm.zones[p])
    for z in range(maxzoom, minzoom - 1, -1):
        absorbed = absorb_small(current, (ABSORB_UNITS * unit(z)) ** 2)
        keys = list(absorbed)
        simp = simplify_coverage(np.asarray([absorbed[k] for k in keys], dtype=object), ZONE_TOLERANCE * unit(z))
        out[z] = current = dict(zip(keys, simp))
    return out


def _zones_per_zoom(cm: _Communes, minzoom: int, maxzoom: int, processes: int) -> dict[int, dict[str, dict]]:
    """zoom → profession → {zone code or None: geometry}, professions computed in parallel."""
    if processes > 1:
        with _forked_pool(processes, communes=cm, minzoom=minzoom, maxzoom=maxzoom) as pool:
            per = pool.map(_profession_zones, PROFESSIONS, chunksize=1)
    else:
        _JOB.update(communes=cm, minzoom=minzoom, maxzoom=maxzoom)
        try:
            per = [_profession_zones(p) for p in PROFESSIONS]
        finally:
            _JOB.clear()
    return {z: {p: per[i][z] for i, p in enumerate(PROFESSIONS)} for z in range(minzoom, maxzoom + 1)}


def _zone_layer(level: dict[str, dict], professions: tuple[str, ...], with_profession: bool) -> Layer:
    """One feature per connected part of each zone: a tile only queries and clips the parts it touches
    (a zone's multipolygon spans France and the overseas départements)."""
    geoms, props = [], []
    for p in professions:
        for code in sorted(level[p], key=lambda c: (c is None, ZONE_CODES[p].index(c) if c else 0)):
            g = level[p][code]
            if g is None or g.is_empty:
                continue
            pr = {"profession": p} if with_profession else {}
            if code is not None:
                pr["zone"] = code
            parts = shapely.get_parts(g)
            geoms.extend(parts)
            props.extend([pr] * len(parts))
    return Layer("zones", geoms, props)


def _qpv(ds, deps):
    qs = [q for _, q in sorted(ds.qpvs.items())
          if q.geometry is not None and not q.geometry.is_empty
          and (deps is None or any(dep_of(c) in deps for c in q.communes))]
    props = []
    for q in qs:
        pr = {"code": q.code, "nom": q.name, "generation": q.generation, "obsolete": bool(q.obsolete)}
        if q.zonage_medecin is not None and q.zonage_medecin.code:
            pr["medecin"] = q.zonage_medecin.code
        props.append(pr)
    return to_mercator(np.asarray([q.geometry for q in qs], dtype=object)), props, {q.source for q in qs}


def _facilities(ds, deps):
    fs = [f for f in sorted(ds.facilities, key=lambda f: f.id)
          if f.lon is not None and f.lat is not None
          and (deps is None or (f.commune is not None and dep_of(f.commune) in deps))]
    props, ids = [], []
    for f in fs:
        pr = {"id": f.id, "nom": f.name, "type": f.type, "kind": f.kind or "autre", "precision": f.precision}
        if f.finess:
            pr["finess"] = f.finess
        if f.public is not None:
            pr["public"] = bool(f.public)
        props.append(pr)
        ids.append(feature_id(f.id))
    geoms = to_mercator(shapely.points([(f.lon, f.lat) for f in fs])) if fs else np.asarray([], dtype=object)
    return geoms, props, ids, {f.source for f in fs}


def _admin_polygons(ds, cm: _Communes):
    """Département and région polygons as unions of their communes (so outlines match the communes)."""
    dep_polys = dissolve(cm.geoms, cm.deps)
    dep_codes = sorted(dep_polys)
    reg_of = {d: (ds.departements[d].region if d in ds.departements else None) for d in dep_codes}
    reg_polys = dissolve([dep_polys[d] for d in dep_codes], [reg_of[d] for d in dep_codes])
    reg_polys.pop(None, None)

    def name(table, code):
        return table[code].name if code in table else code

    deps = ([dep_polys[d] for d in dep_codes], [{"code": d, "nom": name(ds.departements, d)} for d in dep_codes])
    regs_codes = sorted(reg_polys)
    regs = ([reg_polys[r] for r in regs_codes], [{"code": r, "nom": name(ds.regions, r)} for r in regs_codes])
    return deps, regs


# --------------------------------------------------------------------------------------------- metadata


def _attribution(ds, ids) -> tuple[list[str], str]:
    used = [i for i in sorted(set(ids)) if i in ds.sources]
    parts = [f"{ds.sources[i].title} — {ds.sources[i].license} ({ds.sources[i].vintage})" for i in used]
    return used, "Rézone · " + " · ".join(parts)


def _fields(props: list[dict]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for pr in props:
        for k, v in pr.items():
            kinds.setdefault(k, "Boolean" if isinstance(v, bool) else "Number" if isinstance(v, (int, float)) else "String")
    return kinds


def _size_stats(sizes: dict[int, list[int]]) -> dict:
    out = {}
    for z, s in sorted(sizes.items()):
        a = np.sort(np.asarray(s))
        out[str(z)] = {"tiles": len(a), "median": int(np.median(a)), "p95": int(np.percentile(a, 95)),
                       "max": int(a[-1]), "total": int(a.sum())}
    return out


@dataclass
class _Run:
    """What every tileset of one step shares: dataset, extent, release version, workers, output."""

    ds: object
    bounds: tuple
    version: str
    processes: int
    say: object
    progress: bool
    t0: float = field(default_factory=time.perf_counter)


def _write(run: _Run, path: Path, name: str, description: str, zoom_layers, vector_layers, source_ids) -> dict:
    from tqdm import tqdm

    used, attribution = _attribution(run.ds, source_ids)
    bounds = run.bounds
    with ArchiveWriter(path) as w, tqdm(desc=f"tiles {name}", unit="tile", total=0, leave=False,
                                        disable=None if run.progress else True) as bar:
        w.bounds = bounds
        lon_c = 2.35 if bounds[0] <= 2.35 <= bounds[2] else (bounds[0] + bounds[2]) / 2
        lat_c = 46.6 if bounds[1] <= 46.6 <= bounds[3] else (bounds[1] + bounds[3]) / 2
        zooms = [z for z, _ in zoom_layers]
        w.center = (lon_c, lat_c, max(min(zooms), min(6, max(zooms))))
        for z, layers in zoom_layers:
            layers = [lay for lay in (layers() if callable(layers) else layers) if len(lay.geoms)]
            if not layers:
                continue
            for x, y, data in render_zoom(z, layers, run.processes, bar):
                w.add(z, x, y, data)
            del layers
        w.metadata = {
            "name": name,
            "description": description,
            "version": run.version,
            "attribution": attribution,
            "sources": used,
            "vector_layers": vector_layers,
            "generator": "rezone_build.tilesets (shapely coverage_simplify, numpy MVT encoder)",
        }
    run.say(f"[tiles] {name}: {w.count} tiles, {path.stat().st_size / 2**20:.1f} MB "
            f"({time.perf_counter() - run.t0:.0f}s)")
    return {"tiles": w.count, "bytes": path.stat().st_size, "max_tile": max(max(s) for s in w.sizes.values()),
            "zooms": _size_stats(w.sizes)}


def _vl(id_: str, fields: dict, minzoom: int, maxzoom: int, description: str) -> dict:
    return {"id": id_, "fields": fields, "minzoom": minzoom, "maxzoom": maxzoom, "description": description}


# --------------------------------------------------------------------------------------------- step


def build(ds, out: Path, ctx) -> dict:
    maxzoom = int(os.environ.get("REZONE_TILES_MAXZOOM", MAXZOOM))
    if not COMMUNE_MINZOOM <= maxzoom <= MAXZOOM:
        raise ValueError(f"REZONE_TILES_MAXZOOM must be in [{COMMUNE_MINZOOM}, {MAXZOOM}]")
    return _build(ds, out, ctx, maxzoom, worker_count())


def worker_count() -> int:
    """Worker processes: ``REZONE_TILES_PROCESSES`` if set, else the CPUs this process may run on."""
    env = os.environ.get("REZONE_TILES_PROCESSES")
    if env:
        return max(1, int(env))
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _build(ds, out: Path, ctx, maxzoom: int, processes: int) -> dict:
    deps = {d.upper() for d in ctx.departements} if ctx.departements else None
    (out / layout.STYLES_DIR).mkdir(parents=True, exist_ok=True)
    say = ctx.say
    t0 = time.perf_counter()
    cm = _communes(ds, deps)
    if not cm.codes:
        raise ValueError("no commune geometry to tile")
    minx, miny, maxx, maxy = shapely.total_bounds(cm.geoms)
    (lon0, lon1), (lat0, lat1) = merc_to_lonlat([minx, maxx], [miny, maxy])
    bounds = tuple(round(float(v), 5) for v in (lon0, lat0, lon1, lat1))
    run = _Run(ds, bounds, ctx.version, processes, say, not ctx.quiet, t0)
    results: dict[str, dict] = {}

    # -- zonage: dissolved zones (low zooms), communes and QPV (z8+)
    say(f"[tiles] {len(cm.codes)} communes: dissolving zones per profession …")
    zones = _zones_per_zoom(cm, MINZOOM, LOW_MAXZOOM, processes)
    say(f"[tiles] zones ready ({time.perf_counter() - t0:.0f}s)")
    qpv_geoms, qpv_props, qpv_sources = _qpv(ds, deps)

    # département / région outlines from the full-resolution communes; then the communes' pyramid
    (dep_g, dep_p), (reg_g, reg_p) = _admin_polygons(ds, cm)
    dep_g, reg_g = np.asarray(dep_g, dtype=object), np.asarray(reg_g, dtype=object)

    def communes_at(z):
        def make():
            geoms = (simplify_coverage(cm.geoms, COMMUNE_TOLERANCE * unit(z)) if z <= COMMUNE_SIMPLIFY_MAXZOOM
                     else cm.geoms)
            layers = [Layer("communes", geoms, cm.props, cm.ids)]
            if len(qpv_geoms):
                layers.append(Layer("qpv", shapely.simplify(qpv_geoms, COMMUNE_TOLERANCE * unit(z)), qpv_props))
            return layers
        return make

    zonage_fields = {"code": "String", "nom": "String", **{p: "String" for p in PROFESSIONS}, "apl_q": "Number"}
    qpv_fields = {"code": "String", "nom": "String", "generation": "String", "obsolete": "Boolean",
                  "medecin": "String"}
    zone_desc = "Zones dissolved per profession (low zooms); `zone` absent where the zonage is unknown"
    vector_layers = [
        _vl("zones", {"profession": "String", "zone": "String"}, MINZOOM, LOW_MAXZOOM, zone_desc),
        _vl("communes", zonage_fields, COMMUNE_MINZOOM, maxzoom,
            "Communes (COG 2026) with the zone code of each profession (absent = unknown) and apl_q, "
            "the quartile 1-4 of their APL 2023 to general practitioners"),
        _vl("qpv", qpv_fields, COMMUNE_MINZOOM, maxzoom, "Quartiers prioritaires with their own doctors' zonage"),
    ]
    zl = [(z, [_zone_layer(zones[z], PROFESSIONS, True)]) for z in range(MINZOOM, LOW_MAXZOOM + 1)]
    zl += [(z, communes_at(z)) for z in range(COMMUNE_MINZOOM, maxzoom + 1)]
    results["zonage"] = _write(run, out / layout.tileset("zonage"), "zonage", "Zonage of six health professions by commune",
                               zl, vector_layers, [*ZONAGE_SOURCES, *qpv_sources])
    for p in PROFESSIONS:
        name = low_tileset(p)
        zl = [(z, [_zone_layer(zones[z], (p,), False)]) for z in range(MINZOOM, LOW_MAXZOOM + 1)]
        vl = [_vl("zones", {"zone": "String"}, MINZOOM, LOW_MAXZOOM, zone_desc)]
        results[name] = _write(run, out / layout.tileset(name), name, f"Zonage ({p}), low zooms", zl, vl,
                               ZONAGE_SOURCES)
    del zones

    # -- facilities
    f_geoms, f_props, f_ids, f_sources = _facilities(ds, deps)
    if len(f_geoms):
        layer = Layer("facilities", f_geoms, f_props, f_ids)
        vl = [_vl("facilities", {"id": "String", "finess": "String", "nom": "String", "type": "String",
                                 "kind": "String", "precision": "String", "public": "Boolean"}, FACILITY_MINZOOM,
                  maxzoom, "Health establishments (points); kind = structure type (FINESS category); "
                  "precision = exact or commune")]
        results["facilities"] = _write(run, out / layout.tileset("facilities"), "facilities", "Health establishments",
                                       [(z, [layer]) for z in range(FACILITY_MINZOOM, maxzoom + 1)], vl,
                                       [*FACILITY_SOURCES, *f_sources])
    else:
        say("[tiles] no located facility: facilities tileset skipped")

    # -- boundaries
    cpts = [c for _, c in sorted(ds.cpts.items()) if c.geometry is not None and not c.geometry.is_empty]
    cpts_g = to_mercator(np.asarray([c.geometry for c in cpts], dtype=object)) if cpts else None
    cpts_p = [{"id": c.id, "nom": c.name} for c in cpts]

    def outlines_at(z):
        def make():
            tol = (ZONE_TOLERANCE if z <= LOW_MAXZOOM else COMMUNE_TOLERANCE) * unit(z)
            layers = [Layer("departements", shapely.boundary(simplify_coverage(dep_g, tol)), dep_p),
                      Layer("regions", shapely.boundary(simplify_coverage(reg_g, tol)), reg_p)]
            if cpts_g is not None and z >= CPTS_MINZOOM:
                layers.append(Layer("cpts", shapely.simplify(cpts_g, tol), cpts_p))
            return layers
        return make

    vl = [_vl("departements", {"code": "String", "nom": "String"}, MINZOOM, maxzoom, "Département outlines"),
          _vl("regions", {"code": "String", "nom": "String"}, MINZOOM, maxzoom, "Région outlines")]
    if cpts:
        vl.append(_vl("cpts", {"id": "String", "nom": "String"}, CPTS_MINZOOM, maxzoom,
                      "CPTS territories (polygons; PACA list only)"))
    results["boundaries"] = _write(run, out / layout.tileset("boundaries"), "boundaries", "Départements, régions and CPTS",
                                   [(z, outlines_at(z)) for z in range(MINZOOM, maxzoom + 1)], vl,
                                   [*BOUNDARY_SOURCES, *(["cpts"] if cpts else [])])

    # -- place names (rezone_build.places) and the glyphs of their font (rezone_build.glyphs)
    font = glyphs.build(out, say)
    if font is not None:
        pts, c_props = commune_places(ds, cm.codes)
        c_geoms = to_mercator(np.asarray(pts, dtype=object))
        c_ids = [feature_id(pr["code"]) for pr in c_props]
        c_min = np.asarray([RANK_MINZOOM[pr["rank"]] for pr in c_props])
        d_pts, d_props = departement_places(ds, set(cm.deps))
        d_geoms = to_mercator(np.asarray(d_pts, dtype=object))

        def places_at(z):
            sel = np.flatnonzero(c_min <= z)
            layers = [Layer("communes", c_geoms[sel], [c_props[i] for i in sel], [c_ids[i] for i in sel])]
            if DEPARTEMENT_ZOOMS[0] <= z <= DEPARTEMENT_ZOOMS[1] and len(d_geoms):
                layers.append(Layer("departements", d_geoms, d_props))
            return layers

        pmax = min(PLACES_MAXZOOM, maxzoom)
        vl = [_vl("communes", {"code": "String", "nom": "String", "rank": "Number", "population": "Number"},
                  MINZOOM, pmax, "Commune names at their reference points; rank 1 (préfecture de région) to "
                  "7 (village), a commune is in the tiles from zoom 4/6/7/8/9/10/11 for ranks 1…7"),
              _vl("departements", {"code": "String", "nom": "String"}, *DEPARTEMENT_ZOOMS,
                  "Département names at a point inside each département")]
        results["places"] = _write(run, out / layout.tileset("places"), "places", "Place names for map labels",
                                   [(z, places_at(z)) for z in range(MINZOOM, pmax + 1)], vl,
                                   ("decoupage-administratif", "communes-centroides", "france-geojson"))

    # -- styles
    fontstack = font["fontstack"] if font else None
    _, thresholds = density.apl_quartiles(ds)
    apl_source = ds.sources.get("apl")
    dens = density.legend(thresholds, {"id": "apl", "title": apl_source.title, "license": apl_source.license,
                                       "vintage": apl_source.vintage} if apl_source else None) if thresholds else None
    for p in PROFESSIONS:
        doc = style(p, MINZOOM, COMMUNE_MINZOOM, "facilities" in results, fontstack, dens)
        (out / layout.style(p)).write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    return {
        "maxzoom": maxzoom,
        "bounds": list(bounds),
        "tilesets": results,
        "styles": list(PROFESSIONS),
        "glyphs": font,
        "max_tile_bytes": max(r["max_tile"] for r in results.values()),
        "processes": processes,
        "zone_tolerance_units": ZONE_TOLERANCE,
        "absorb_units": ABSORB_UNITS,
        "commune_tolerance_units": COMMUNE_TOLERANCE,
        "z5_view_bytes": {k: r["zooms"].get("5", {}).get("total") for k, r in results.items()},
    }

"""Tile math and MVT encoding: Web Mercator projection, tile bounds, clip, quantise, encode.

Geometries are projected once to Web Mercator metres (EPSG:3857); a tile's local frame is
``EXTENT`` units wide with ``y`` down (MVT convention). Clipping keeps a ``BUFFER`` margin so
polygon edges and line joins never show at tile seams. Quantisation snaps each
coordinate onto the integer grid, vertex by vertex: shared vertices of neighbouring polygons round to
the same integer point, so a valid coverage stays gap-free after encoding.
"""

from __future__ import annotations

import gzip
import math
from typing import NamedTuple

import numpy as np
import shapely

from .mvt import encode_features, encode_layers, geometry_commands

__all__ = [
    "BUFFER",
    "EXTENT",
    "MAX_LAT",
    "WORLD",
    "Bbox",
    "clip_to_tile",
    "encode_tile",
    "lonlat_to_merc",
    "lonlat_to_tile",
    "merc_to_lonlat",
    "quantise",
    "render_tiles",
    "tile_bounds",
    "tile_range",
    "tile_size",
    "to_mercator",
    "unit",
]

EXTENT = 4096
BUFFER = 64
WORLD = 20037508.342789244  # half the Web Mercator world width, metres
MAX_LAT = 85.0511287798066


class Bbox(NamedTuple):
    minx: float
    miny: float
    maxx: float
    maxy: float


def lonlat_to_merc(lon, lat):
    """Web Mercator metres of lon/lat degrees (arrays or scalars); latitude clamped to ±MAX_LAT."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -MAX_LAT, MAX_LAT)
    x = lon * (WORLD / 180.0)
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * (WORLD / np.pi)
    return x, y


def merc_to_lonlat(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lon = x * (180.0 / WORLD)
    lat = np.degrees(2 * np.arctan(np.exp(y * (np.pi / WORLD))) - np.pi / 2)
    return lon, lat


def _merc_coords(c: np.ndarray) -> np.ndarray:
    x, y = lonlat_to_merc(c[:, 0], c[:, 1])
    return np.column_stack([x, y])


def to_mercator(geoms):
    """Project shapely geometries (a geometry or an array) from WGS84 lon/lat to Web Mercator."""
    return shapely.transform(geoms, _merc_coords)


def tile_size(z: int) -> float:
    """Width of a tile at zoom ``z`` in Mercator metres."""
    return 2 * WORLD / (1 << z)


def unit(z: int) -> float:
    """One tile unit (1/EXTENT of a tile) at zoom ``z`` in Mercator metres."""
    return tile_size(z) / EXTENT


def tile_bounds(z: int, x: int, y: int) -> Bbox:
    s = tile_size(z)
    minx = -WORLD + x * s
    maxy = WORLD - y * s
    return Bbox(minx, maxy - s, minx + s, maxy)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile containing a lon/lat point at zoom ``z`` (edges belong to the east/south tile)."""
    mx, my = lonlat_to_merc(lon, lat)
    n = 1 << z
    s = tile_size(z)
    x = min(n - 1, max(0, math.floor((float(mx) + WORLD) / s)))
    y = min(n - 1, max(0, math.floor((WORLD - float(my)) / s)))
    return x, y


def tile_range(bounds, z: int, margin: float = 0.0) -> tuple[int, int, int, int]:
    """Inclusive tile index range (x0, y0, x1, y1) touched by Mercator ``bounds`` grown by ``margin`` metres."""
    minx, miny, maxx, maxy = bounds
    n = 1 << z
    s = tile_size(z)
    x0 = max(0, math.floor((minx - margin + WORLD) / s))
    x1 = min(n - 1, math.floor((maxx + margin + WORLD) / s))
    y0 = max(0, math.floor((WORLD - maxy - margin) / s))
    y1 = min(n - 1, math.floor((WORLD - miny + margin) / s))
    return x0, y0, x1, y1


def clip_to_tile(geoms: np.ndarray, z: int, x: int, y: int, buffer: int = BUFFER) -> np.ndarray:
    """Clip Mercator geometries to the tile (plus ``buffer`` units) and map them to tile units (float, y down)."""
    b = tile_bounds(z, x, y)
    m = buffer * unit(z)
    clipped = shapely.clip_by_rect(geoms, b.minx - m, b.miny - m, b.maxx + m, b.maxy + m)
    scale = EXTENT / tile_size(z)

    def local(c: np.ndarray) -> np.ndarray:
        return np.column_stack([(c[:, 0] - b.minx) * scale, (b.maxy - c[:, 1]) * scale])

    return shapely.transform(clipped, local)


def quantise(geoms: np.ndarray) -> np.ndarray:
    """Round tile-unit coordinates to the integer grid, vertex by vertex.

    Vertices shared by neighbours round to the same grid point, so shared borders stay shared
    (a snap-rounding noder, working polygon by polygon, can open pinholes at triple junctions).
    Geometries that rounding made invalid (spikes, collapsed rings) and mixed collections left by
    clipping are repaired with ``make_valid``, keeping only parts of their highest dimension;
    collapsed ones become empty.
    """
    q = shapely.set_precision(np.asarray(geoms, dtype=object), 1.0, mode="pointwise")
    bad = np.flatnonzero((~shapely.is_valid(q) | (shapely.get_type_id(q) == 7)) & ~shapely.is_empty(q))
    for i in bad:
        q[i] = _same_dimension(q[i], shapely.get_dimensions(q[i]))
    return shapely.remove_repeated_points(q)


def _same_dimension(g, dim: int):
    """Valid parts of ``g`` of dimension ``dim`` (collapsed ones dropped), as one geometry."""
    out = []
    for p in shapely.get_parts(g):
        if p.is_empty or shapely.get_dimensions(p) != dim:
            continue
        try:
            v = shapely.make_valid(p, method="structure", keep_collapsed=False) if dim == 2 else shapely.make_valid(p)
        except shapely.errors.GEOSException:
            continue
        out += [q for q in shapely.get_parts(v) if not q.is_empty and shapely.get_dimensions(q) == dim]
    if not out:
        return shapely.Polygon() if dim == 2 else shapely.LineString() if dim == 1 else shapely.Point()
    return shapely.union_all(out) if len(out) > 1 else out[0]


def encode_tile(layers: list[dict]) -> bytes | None:
    """Gzip-compressed MVT of ``[{"name", "geoms" (tile units, quantised), "props", "ids"}]``.

    Layers without features are left out; returns None when no layer has a feature.
    """
    raw = encode_layers(layers, EXTENT)
    return None if raw is None else gzip.compress(raw, compresslevel=9, mtime=0)


def render_tiles(z: int, layers, tiles) -> list[tuple[int, int, bytes]]:
    """Gzip MVT of each of ``tiles`` (``[(x, y), …]`` at zoom ``z``) that has a feature, in the given order.

    ``layers``: objects with ``name``, ``geoms`` (Mercator, object array), ``props``, ``ids`` (or None)
    and ``tree`` (an STRtree of ``geoms``). The whole batch is done with array calls: one bulk tree
    query per layer, one rectangle clip per tile and layer, then the local transform, quantisation and
    command encoding over every (tile, feature) pair at once; only the protobuf assembly and gzip are
    per tile. Same output as clipping, quantising and encoding tile by tile.
    """
    if not len(tiles):
        return []
    xy = np.asarray(tiles, dtype=np.int64).reshape(-1, 2)
    s = tile_size(z)
    m = BUFFER * unit(z)
    minx = -WORLD + xy[:, 0] * s
    maxy = WORLD - xy[:, 1] * s
    scale = EXTENT / s
    boxes = shapely.box(minx - m, maxy - s - m, minx + s + m, maxy + m)
    per_layer = []
    for layer in layers:
        ti, fi = layer.tree.query(boxes, predicate="intersects")
        order = np.lexsort((fi, ti))
        ti, fi = ti[order], fi[order]
        clipped = np.empty(len(fi), dtype=object)
        starts = np.searchsorted(ti, np.arange(len(xy) + 1))
        for t in np.flatnonzero(starts[1:] > starts[:-1]):
            a, b = starts[t], starts[t + 1]
            clipped[a:b] = shapely.clip_by_rect(layer.geoms[fi[a:b]], minx[t] - m, maxy[t] - s - m,
                                                minx[t] + s + m, maxy[t] + m)
        if len(clipped):
            coords, idx = shapely.get_coordinates(clipped, return_index=True)
            t = ti[idx]
            local = np.column_stack([(coords[:, 0] - minx[t]) * scale, (maxy[t] - coords[:, 1]) * scale])
            clipped = shapely.set_coordinates(clipped.copy(), local)
            q = quantise(clipped)
            ok = ~shapely.is_empty(q)
            cmds = [None] * len(q)
            types = [0] * len(q)
            okc, okt = geometry_commands(q[ok])
            for j, c, g in zip(np.flatnonzero(ok), okc, okt):
                cmds[j], types[j] = c, g
        else:
            cmds, types = [], []
        per_layer.append((layer, starts, fi, cmds, types))
    out = []
    for t in range(len(xy)):
        specs = []
        for layer, starts, fi, cmds, types in per_layer:
            a, b = starts[t], starts[t + 1]
            if a == b:
                continue
            f = fi[a:b]
            specs.append({"name": layer.name, "cmds": cmds[a:b], "types": types[a:b],
                          "props": [layer.props[i] for i in f],
                          "ids": None if layer.ids is None else [layer.ids[i] for i in f]})
        raw = encode_features(specs, EXTENT) if specs else None
        if raw is not None:
            out.append((int(xy[t, 0]), int(xy[t, 1]), gzip.compress(raw, compresslevel=9, mtime=0)))
    return out

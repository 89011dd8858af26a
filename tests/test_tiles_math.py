"""Tile math, quantisation and the PMTiles reader, with hypothesis (no source data needed)."""

from __future__ import annotations

import gzip
import math

import mercantile
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pmtiles.tile import zxy_to_tileid as reference_tileid
from rezone.tiles import Archive, PMTilesError, zxy_to_tileid
from rezone_build.generalize import absorb_small, dissolve, simplify_coverage
from rezone_build.pmtiles_write import ArchiveWriter
from rezone_build.tiling import (
    EXTENT,
    clip_to_tile,
    encode_tile,
    lonlat_to_merc,
    lonlat_to_tile,
    merc_to_lonlat,
    quantise,
    tile_bounds,
    tile_range,
    unit,
)
from tiles_support import decode

lons = st.floats(-179.999, 179.999, allow_nan=False)
lats = st.floats(-85.0, 85.0, allow_nan=False)
zooms = st.integers(0, 22)


@given(lons, lats)
def test_mercator_round_trip(lon, lat):
    x, y = lonlat_to_merc(lon, lat)
    lon2, lat2 = merc_to_lonlat(x, y)
    assert math.isclose(float(lon2), lon, abs_tol=1e-9)
    assert math.isclose(float(lat2), lat, abs_tol=1e-9)


@given(lons, lats, zooms)
def test_point_falls_in_its_tile(lon, lat, z):
    x, y = lonlat_to_tile(lon, lat, z)
    assert 0 <= x < 2**z and 0 <= y < 2**z
    b = tile_bounds(z, x, y)
    mx, my = lonlat_to_merc(lon, lat)
    eps = 1e-6 * unit(z) * EXTENT
    assert b.minx - eps <= mx <= b.maxx + eps and b.miny - eps <= my <= b.maxy + eps
    # agrees with mercantile (the reference implementation) away from tile edges
    t = mercantile.tile(lon, lat, z)
    if min(abs(mx - b.minx), abs(mx - b.maxx), abs(my - b.miny), abs(my - b.maxy)) > 1e-3 * unit(z):
        assert (t.x, t.y) == (x, y)
    x0, y0, x1, y1 = tile_range((mx, my, mx, my), z)
    assert x0 <= x <= x1 and y0 <= y <= y1


@given(st.integers(0, 24).flatmap(lambda z: st.tuples(st.just(z), st.integers(0, 2**z - 1), st.integers(0, 2**z - 1))))
def test_tile_id_matches_pmtiles_reference(zxy):
    assert zxy_to_tileid(*zxy) == reference_tileid(*zxy)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=60)
@given(lons.filter(lambda v: abs(v) < 170), st.floats(-60, 60), st.integers(4, 14),
       st.floats(0.05, 0.9), st.floats(0.05, 0.9), st.floats(0.01, 0.5))
def test_clip_and_quantise_round_trip(lon, lat, z, fx, fy, size):
    """A square inside a tile survives clip → quantise → encode → decode within half a unit per vertex."""
    x, y = lonlat_to_tile(lon, lat, z)
    b = tile_bounds(z, x, y)
    w = b.maxx - b.minx
    x0, y0 = b.minx + fx * w, b.miny + fy * w
    sq = shapely.box(x0, y0, x0 + size * w, y0 + size * w)
    local = clip_to_tile(np.asarray([sq], dtype=object), z, x, y)[0]
    q = quantise(np.asarray([local], dtype=object))[0]
    expected = shapely.box(*(v for v in shapely.bounds(local)))
    if q.is_empty:
        assert expected.area < 4  # collapsed below a unit or two
        return
    assert shapely.hausdorff_distance(q, local) <= math.sqrt(2) / 2 + 1e-9
    data = encode_tile([{"name": "t", "geoms": [q], "props": [{"k": "v"}], "ids": [7]}])
    feat = decode(data)["t"]["features"][0]
    got = shapely.geometry.shape(feat["geometry"])
    assert feat["id"] == 7 and feat["properties"] == {"k": "v"}
    assert got.equals(q)


def test_clip_keeps_buffer_and_drops_outside():
    z, x, y = 10, 520, 350
    b = tile_bounds(z, x, y)
    far = shapely.box(b.maxx + 10 * (b.maxx - b.minx), b.miny, b.maxx + 11 * (b.maxx - b.minx), b.maxy)
    over = shapely.box(b.minx - 1000 * unit(z), b.miny, b.maxx + 1000 * unit(z), b.maxy)
    got = clip_to_tile(np.asarray([far, over], dtype=object), z, x, y)
    assert got[0].is_empty
    minx, miny, maxx, maxy = got[1].bounds
    assert math.isclose(minx, -64) and math.isclose(maxx, EXTENT + 64)
    assert math.isclose(miny, 0, abs_tol=1e-6) and math.isclose(maxy, EXTENT, abs_tol=1e-6)


def test_encode_empty_layers_is_none():
    assert encode_tile([{"name": "x", "geoms": [], "props": [], "ids": None}]) is None
    assert encode_tile([{"name": "x", "geoms": [shapely.Polygon()], "props": [{}], "ids": None}]) is None


def _grid_coverage(n: int, seed: int):
    """An n×n grid of jittered cells whose wiggly edges are shared exactly: a valid coverage."""
    rng = np.random.default_rng(seed)
    pts = np.stack(np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij"), -1).astype(float) * 1000
    pts[1:-1, 1:-1] += rng.uniform(-300, 300, size=(n - 1, n - 1, 2))
    edges: dict = {}

    def edge(p, q):
        """Interior points of the edge p→q (nodes are grid indices), the same for both cells."""
        key = (min(p, q), max(p, q))
        if key not in edges:
            a, c = pts[key[0]], pts[key[1]]
            normal = np.array([-(c - a)[1], (c - a)[0]]) / 1000
            on_border = (a == c).any() and ((a == 0) | (a == n * 1000)).any() and ((c == 0) | (c == n * 1000)).any()
            edges[key] = [tuple(a + (c - a) * t + (0 if on_border else rng.uniform(-40, 40)) * normal)
                          for t in np.linspace(0, 1, 7)[1:-1]]
        inner = edges[key]
        return inner if key[0] == p else inner[::-1]

    cells = []
    for i in range(n):
        for j in range(n):
            nodes = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            ring = []
            for p, q in zip(nodes, nodes[1:] + nodes[:1]):
                ring.append(tuple(pts[p]))
                ring.extend(edge(p, q))
            cells.append(shapely.Polygon(ring))
    return np.asarray(cells, dtype=object)


@settings(deadline=None, max_examples=15)
@given(st.integers(3, 8), st.integers(0, 10_000), st.floats(10, 400))
def test_coverage_simplification_keeps_a_gap_free_coverage(n, seed, tol):
    cov = _grid_coverage(n, seed)
    assert shapely.coverage_is_valid(cov)
    simp = simplify_coverage(cov, tol)
    assert shapely.coverage_is_valid(simp)
    # no gap: the union is one polygon without holes covering the same outline
    u = shapely.coverage_union_all(simp)
    assert u.geom_type == "Polygon" and len(u.interiors) == 0
    assert math.isclose(sum(shapely.area(simp)), u.area, rel_tol=1e-9)


@settings(deadline=None, max_examples=15)
@given(st.integers(4, 8), st.integers(0, 10_000), st.integers(2, 4))
def test_absorb_small_leaves_no_hole(n, seed, k):
    cov = _grid_coverage(n, seed)
    rng = np.random.default_rng(seed)
    groups = list(rng.integers(0, k, size=len(cov)))
    zones = dissolve(cov, groups)
    absorbed = absorb_small(zones, min_area=2.5e6)  # every single cell (~1e6 m²) is "small"
    total = shapely.coverage_union_all(cov)
    parts = np.asarray(list(absorbed.values()), dtype=object)
    assert math.isclose(sum(shapely.area(parts)), total.area, rel_tol=1e-9)  # no gap, no overlap
    assert math.isclose(shapely.union_all(parts).area, total.area, rel_tol=1e-9)
    for g in parts:  # no part left below the threshold unless its whole group is that small
        assert all(p.area >= 2.5e6 for p in shapely.get_parts(g)) or len(absorbed) == 1


def _archive(tmp_path, tiles: dict, **kw) -> tuple[Archive, list]:
    path = tmp_path / "t.pmtiles"
    with ArchiveWriter(path) as w:
        for (z, x, y) in sorted(tiles, key=lambda t: (t[0], reference_tileid(*t))):
            w.add(z, x, y, tiles[(z, x, y)])
        w.metadata = {"name": "t", "vector_layers": [], **kw}
    data = path.read_bytes()
    reads = []

    def get_bytes(offset, length):
        reads.append((offset, length))
        return data[offset : offset + length]

    return Archive(get_bytes), reads


def test_reader_small_archive(tmp_path):
    tiles = {(z, x, y): gzip.compress(f"{z}/{x}/{y}".encode(), mtime=0)
             for z in range(6) for x in range(2**z) for y in range(2**z) if (x + y) % 3}
    tiles[(6, 0, 0)] = tiles[(5, 0, 1)]  # duplicate content is stored once
    a, reads = _archive(tmp_path, tiles, description="d")
    assert a.metadata["description"] == "d" and a.header.min_zoom == 1 and a.header.max_zoom == 6  # 0/0/0 is absent
    assert len(reads) == 1  # header, root directory and metadata come from the first read
    for (z, x, y), v in tiles.items():
        assert a.tile(z, x, y) == v
    assert a.tile(3, 0, 0) is None  # (0+0)%3 == 0: absent
    assert a.tile(7, 0, 0) is None


def test_reader_with_leaf_directories_reads_once_per_tile(tmp_path):
    rng = np.random.default_rng(1)
    z = 10
    coords = {(z, int(x), int(y)) for x, y in rng.integers(0, 2**z, size=(60_000, 2))}
    tiles = {t: f"{t}".encode() for t in coords}
    a, reads = _archive(tmp_path, tiles)
    assert a.header.leaf_length > 0, "the archive should need leaf directories"
    sample = sorted(coords)[::97]
    a.tile(*sample[0])  # warm-up: the leaf section is read once
    reads.clear()
    for t in sample:
        assert a.tile(*t) == tiles[t]
    assert len(reads) == len(sample)


def test_reader_rejects_garbage():
    with pytest.raises(PMTilesError):
        Archive(lambda o, n: b"not a pmtiles archive at all" * 10)


coords = st.integers(-64, EXTENT + 64)


@st.composite
def tile_geometries(draw):
    """Valid geometries on the integer grid: polygons with holes, multipolygons, lines, points."""
    kind = draw(st.sampled_from(["polygon", "multipolygon", "line", "multiline", "point", "multipoint"]))
    pts = draw(st.lists(st.tuples(coords, coords), min_size=3, max_size=30))
    if kind in ("polygon", "multipolygon"):
        g = shapely.MultiPoint(pts).buffer(draw(st.integers(5, 300)), quad_segs=draw(st.integers(1, 4)))
        if draw(st.booleans()):
            g = g.difference(shapely.Point(pts[0]).buffer(3))
        if kind == "multipolygon":
            g = shapely.union_all([g, shapely.box(5000, 5000, 5100, 5200)])
    elif kind in ("line", "multiline"):
        g = shapely.LineString(pts)
        if kind == "multiline":
            g = shapely.MultiLineString([pts, [(p[1], p[0]) for p in pts]])
    else:
        g = shapely.Point(pts[0]) if kind == "point" else shapely.MultiPoint(pts)
    return quantise(np.asarray([g], dtype=object))[0]


@settings(deadline=None, max_examples=80)
@given(st.lists(tile_geometries(), min_size=1, max_size=6), st.data())
def test_numpy_encoder_round_trips_through_mapbox_vector_tile(geoms, data):
    """Our vectorised encoder writes what mapbox-vector-tile's decoder reads back exactly."""
    geoms = [g for g in geoms if not g.is_empty]
    props = [{"code": f"c{i}", "flag": bool(i % 2), "n": i} for i in range(len(geoms))]
    ids = [data.draw(st.one_of(st.none(), st.integers(1, 2**40))) for _ in geoms]
    tile = encode_tile([{"name": "t", "geoms": geoms, "props": props, "ids": ids}])
    if not geoms:
        assert tile is None
        return
    feats = decode(tile)["t"]["features"]
    assert len(feats) == len(geoms)
    for f, g, p, i in zip(feats, geoms, props, ids):
        got = shapely.geometry.shape(f["geometry"])
        assert got.equals(g) or shapely.normalize(got).equals_exact(shapely.normalize(g), 0)
        assert f["properties"] == p and (f.get("id") or None) == i


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=1, max_value=8), st.integers(min_value=0, max_value=10**6), st.integers(8, 11))
def test_batched_rendering_equals_tile_by_tile(n, seed, z):
    """render_tiles (a whole batch at once) gives the same bytes as clip → quantise → encode per tile."""
    from rezone_build.tilesets import Layer, candidate_tiles
    from rezone_build.tiling import render_tiles, to_mercator

    rng = np.random.default_rng(seed)
    lon0, lat0 = 2.0 + rng.random(), 46.0 + rng.random()
    step = 0.05 * (1 + rng.random())
    cells = [shapely.box(lon0 + i * step, lat0 + j * step, lon0 + (i + 1) * step, lat0 + (j + 1) * step)
             for i in range(n) for j in range(n)]
    geoms = to_mercator(np.asarray(cells, dtype=object))
    layers = [Layer("cells", geoms, [{"k": i % 3} for i in range(len(cells))], list(range(len(cells)))),
              Layer("outline", shapely.boundary(geoms[:1]), [{"name": "x"}])]
    tiles = candidate_tiles(z, layers)
    batched = {(x, y): data for x, y, data in render_tiles(z, layers, tiles)}
    for x, y in tiles:
        specs = []
        for layer in layers:
            idx = np.sort(layer.tree.query(shapely.box(*_buffered_bounds(z, x, y)), predicate="intersects"))
            if len(idx):
                specs.append({"name": layer.name, "geoms": quantise(clip_to_tile(layer.geoms[idx], z, x, y)),
                              "props": [layer.props[i] for i in idx],
                              "ids": None if layer.ids is None else [layer.ids[i] for i in idx]})
        assert batched.get((x, y)) == (encode_tile(specs) if specs else None)


def _buffered_bounds(z, x, y):
    from rezone_build.tiling import BUFFER, tile_bounds, unit

    b, m = tile_bounds(z, x, y), BUFFER * unit(z)
    return b.minx - m, b.miny - m, b.maxx + m, b.maxy + m

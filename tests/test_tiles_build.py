"""The ``tiles`` step on real data (Somme, Bouches-du-Rhône, Corse-du-Sud, Paris): zonage decoded back
from served tiles, shared borders without gaps or overlaps, sizes, metadata."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from rezone.api.functions import tiles as tiles_function
from rezone.constants import PROFESSIONS
from rezone_build.generalize import simplify_coverage
from rezone_build.tilesets import COMMUNE_MINZOOM, LOW_MAXZOOM, MINZOOM, feature_id
from rezone_build.tiling import EXTENT, lonlat_to_tile, merc_to_lonlat, tile_bounds, to_mercator, unit
from shapely.geometry import shape
from tiles_support import body_bytes, build_tiles_release, decode, event

pytestmark = pytest.mark.needs_sources


@pytest.fixture
def served(live_store):
    """The session's small release, served (REZONE_STORE set, caches reset), with its tiles summary."""
    return build_tiles_release(live_store)


def get_tile(tileset, z, x, y):
    r = tiles_function(event(f"/tiles/{tileset}/{z}/{x}/{y}.mvt"), None)
    assert r["statusCode"] in (200, 204), r
    return decode(body_bytes(r)) if r["statusCode"] == 200 else {}


def _inner_point(geom_merc, z):
    """A Mercator point well inside a polygon (5 tile units from its border at zoom z), or None."""
    inner = geom_merc.buffer(-5 * unit(z))
    return None if inner.is_empty else inner.point_on_surface()


def _tile_of(pt_merc, z):
    lon, lat = merc_to_lonlat(pt_merc.x, pt_merc.y)
    return lonlat_to_tile(float(lon), float(lat), z)


def _to_tile_units(pt_merc, z, x, y):
    b = tile_bounds(z, x, y)
    s = EXTENT / (b.maxx - b.minx)
    return shapely.Point((pt_merc.x - b.minx) * s, (b.maxy - pt_merc.y) * s)


def _sample_communes(ds):
    """Known communes plus, for every profession, the first commune of each zone code in the data."""
    codes = {"80021", "2A004", "13055", "75056", "13001"}
    for p in PROFESSIONS:
        seen = set()
        for code, c in sorted(ds.communes.items()):
            z = c.zonage.get(p)
            key = z.code if z else None
            if key not in seen and c.geometry is not None:
                seen.add(key)
                codes.add(code)
    return sorted(c for c in codes if c in ds.communes)


def test_served_tiles_give_each_communes_real_zonage(served, small_dataset):
    ds = small_dataset
    sample = _sample_communes(ds)
    assert {"80021", "2A004", "13055", "75056"} <= set(sample)
    zone_kinds = {p: set() for p in PROFESSIONS}
    for code in sample:
        c = ds.communes[code]
        merc = to_mercator(c.geometry)
        for z in (COMMUNE_MINZOOM, 12):
            pt = _inner_point(merc, z)
            if pt is None:
                continue
            x, y = _tile_of(pt, z)
            feats = [f for f in get_tile("zonage", z, x, y).get("communes", {}).get("features", [])
                     if f["properties"]["code"] == code]
            assert len(feats) == 1, (code, z)
            f = feats[0]
            assert f["id"] == feature_id(code)
            assert f["properties"]["nom"] == c.name
            for p in PROFESSIONS:
                zv = c.zonage.get(p)
                expected = zv.code if zv else None
                assert f["properties"].get(p) == expected, (code, p)
                zone_kinds[p].add(expected)
            # the decoded polygon covers the commune's inner point
            assert shape(f["geometry"]).distance(_to_tile_units(pt, z, x, y)) < 1.0
    # the sample really spans several zones of each profession
    assert all(len(v) >= 2 for v in zone_kinds.values()), zone_kinds
    assert {"ZIP", "ZAC", "HZ"} <= zone_kinds["medecin"]


def test_corsica_feature_ids(served, small_dataset):
    assert feature_id("2A004") == 201004 and feature_id("2B033") == 202033 and feature_id("80021") == 80021


def test_low_zoom_zones_match_big_communes(served, small_dataset):
    """At z4–7 the dissolved zone under a large commune's interior carries that commune's zone code."""
    ds = small_dataset
    checked = 0
    for code in ("80021", "13004", "2A004", "13055"):  # Amiens, Arles, Ajaccio, Marseille
        c = ds.communes[code]
        merc = to_mercator(c.geometry)
        for z in range(5, LOW_MAXZOOM + 1):
            inner = merc.buffer(-40 * unit(z))  # far from borders moved by absorption/simplification
            if inner.is_empty:
                continue
            pt = inner.point_on_surface()
            x, y = _tile_of(pt, z)
            local = _to_tile_units(pt, z, x, y)
            for p in PROFESSIONS:
                zv = c.zonage.get(p)
                feats = get_tile(f"zonage-{p}", z, x, y)["zones"]["features"]
                hit = [f for f in feats if shape(f["geometry"]).contains(local)]
                assert len(hit) == 1, (code, z, p)
                assert hit[0]["properties"].get("zone") == (zv.code if zv else None), (code, z, p)
                both = get_tile("zonage", z, x, y)["zones"]["features"]
                same = [f for f in both if f["properties"]["profession"] == p and shape(f["geometry"]).contains(local)]
                assert len(same) == 1 and same[0]["properties"].get("zone") == hit[0]["properties"].get("zone")
                checked += 1
    assert checked >= 30


def _decoded_polygons(feats):
    box = shapely.box(0, 0, EXTENT, EXTENT)
    geoms = [shapely.intersection(shapely.make_valid(shape(f["geometry"])), box) for f in feats]
    return np.asarray([g for g in geoms if not g.is_empty and g.area > 0], dtype=object)


def _source_in_tile(ds, z, x, y, deps=None):
    b = tile_bounds(z, x, y)
    geoms = to_mercator(np.asarray([c.geometry for c in ds.communes.values()
                                    if c.geometry is not None and (deps is None or c.departement in deps)],
                                   dtype=object))
    u = shapely.coverage_union_all(geoms)
    s = EXTENT / (b.maxx - b.minx)
    return shapely.transform(shapely.clip_by_rect(u, *b), lambda c: np.column_stack(
        [(c[:, 0] - b.minx) * s, (b.maxy - c[:, 1]) * s]))


def _holes(g):
    return sum(len(p.interiors) for p in shapely.get_parts(g) if p.geom_type == "Polygon")


@pytest.mark.parametrize("z", [COMMUNE_MINZOOM, 10, 12])
def test_neighbouring_communes_share_borders_in_tiles(served, small_dataset, z):
    """Decoded communes of a tile around Amiens: no overlap, no gap, same covered area as the source."""
    c = small_dataset.communes["80021"]
    pt = to_mercator(c.geometry).point_on_surface()
    x, y = _tile_of(pt, z)
    feats = get_tile("zonage", z, x, y)["communes"]["features"]
    assert len(feats) >= 5
    polys = _decoded_polygons(feats)
    union = shapely.union_all(polys)
    tile_area = EXTENT**2
    overlap = sum(shapely.area(polys)) - union.area
    assert overlap < 1e-4 * tile_area, f"overlap {overlap / tile_area:.2e} of the tile"
    source = _source_in_tile(small_dataset, z, x, y)
    assert abs(union.area - source.area) < 2e-3 * tile_area
    assert _holes(union) <= _holes(source), "a gap opened between neighbours"
    assert shapely.coverage_is_valid(polys)


def test_simplified_coverage_of_a_departement_stays_valid(small_dataset):
    """coverage_simplify over all of the Somme at each zoom: valid coverage, no new hole, area kept."""
    geoms = to_mercator(np.asarray([c.geometry for c in small_dataset.communes.values()
                                    if c.departement == "80" and c.geometry is not None], dtype=object))
    assert len(geoms) > 700
    src = shapely.coverage_union_all(geoms)
    for z in range(MINZOOM, 13):
        simp = simplify_coverage(geoms, unit(z))
        assert shapely.coverage_is_valid(simp), z
        u = shapely.coverage_union_all(simp)
        assert _holes(u) <= _holes(src), z
        assert math.isclose(sum(shapely.area(simp)), u.area, rel_tol=1e-9)
        assert math.isclose(u.area, src.area, rel_tol=1e-3)


@pytest.mark.parametrize("z", [5, 6, 7])
def test_low_zoom_zones_have_no_gap_or_overlap(served, small_dataset, z):
    c = small_dataset.communes["80021"]
    x, y = _tile_of(to_mercator(c.geometry).point_on_surface(), z)
    source = _source_in_tile(small_dataset, z, x, y, deps={"80", "13", "2A", "75"})
    tile_area = EXTENT**2
    for p in PROFESSIONS:
        polys = _decoded_polygons(get_tile(f"zonage-{p}", z, x, y)["zones"]["features"])
        union = shapely.union_all(polys)
        assert sum(shapely.area(polys)) - union.area < 1e-4 * tile_area, p
        # only specks (isolated islets) may disappear
        assert abs(union.area - source.area) < 3e-3 * tile_area, p
        assert _holes(union) <= _holes(source), p


def test_sizes_and_metadata(served):
    rel = served
    res = rel["result"]
    assert res["max_tile_bytes"] <= 500 * 1024
    for p in PROFESSIONS:
        assert res["z5_view_bytes"][f"zonage-{p}"] <= 300 * 1024
    ts = res["tilesets"]
    assert {"zonage", "boundaries", *(f"zonage-{p}" for p in PROFESSIONS)} <= set(ts)
    assert set(ts["zonage"]["zooms"]) == {str(z) for z in range(MINZOOM, res["maxzoom"] + 1)}
    for p in PROFESSIONS:
        assert (rel["release_dir"] / "tiles" / "styles" / f"{p}.json").is_file()


def test_boundaries_lines(served, small_dataset):
    c = small_dataset.communes["80021"]
    x, y = _tile_of(to_mercator(c.geometry).point_on_surface(), 7)
    t = get_tile("boundaries", 7, x, y)
    deps = {f["properties"]["code"]: f for f in t["departements"]["features"]}
    assert "80" in deps and deps["80"]["properties"]["nom"] == small_dataset.departements["80"].name
    assert deps["80"]["geometry"]["type"] in ("LineString", "MultiLineString")
    assert any(f["properties"]["code"] == "32" for f in t["regions"]["features"])  # Hauts-de-France


def test_cpts_layer(served, small_dataset):
    """The CPTS of Les Baux-de-Provence (13) is a named polygon of the boundaries tileset from z7."""
    c = small_dataset.communes["13011"]
    x, y = _tile_of(to_mercator(c.geometry).point_on_surface(), 9)
    t = get_tile("boundaries", 9, x, y)
    names = {f["properties"]["nom"] for f in t["cpts"]["features"]}
    assert "CPTS du Pays d'Arles" in names
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in t["cpts"]["features"])
    x6, y6 = _tile_of(to_mercator(c.geometry).point_on_surface(), 6)
    assert "cpts" not in get_tile("boundaries", 6, x6, y6)  # outlines only from z7


def test_qpv_layer(served, small_dataset):
    qpvs = [q for q in small_dataset.qpvs.values() if q.geometry is not None and q.zonage_medecin is not None]
    if not qpvs:
        pytest.skip("the dataset has no QPV with its own zonage yet")
    q = min(qpvs, key=lambda q: q.code)
    z = 12
    pt = _inner_point(to_mercator(q.geometry), z) or to_mercator(q.geometry).point_on_surface()
    x, y = _tile_of(pt, z)
    feats = [f for f in get_tile("zonage", z, x, y)["qpv"]["features"] if f["properties"]["code"] == q.code]
    assert feats and feats[0]["properties"].get("medecin") == q.zonage_medecin.code


def test_facilities_layer(served, small_dataset):
    fs = [f for f in small_dataset.facilities if f.lon is not None]
    if not fs:
        pytest.skip("the dataset has no located facility yet")
    f = min(fs, key=lambda f: f.id)
    x, y = lonlat_to_tile(f.lon, f.lat, 12)
    feats = [g for g in get_tile("facilities", 12, x, y)["facilities"]["features"] if g["properties"]["id"] == f.id]
    assert feats and feats[0]["properties"]["nom"] == f.name and feats[0]["properties"]["precision"] == f.precision

"""Point lookup: pure-Python geometry against shapely, the tiny hand-made release, real reference points."""

from __future__ import annotations

import csv
import json
import random

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from rezone import release
from rezone.errors import DomainError
from rezone.locate import covers, find_commune, locate, lookup, parse_wkb
from shapely.geometry import Point, box

SMALL = ("80", "13", "2A", "75")


# ---------------------------------------------------------------- geometry core vs shapely

polygons = st.builds(
    lambda x, y, r, n, hole: (Point(x, y).buffer(r, quad_segs=n).difference(Point(x, y).buffer(r / 3))
                              if hole else Point(x, y).buffer(r, quad_segs=n)),
    st.floats(-5, 10), st.floats(40, 50), st.floats(0.001, 1), st.integers(1, 8), st.booleans())


@settings(max_examples=200, deadline=None)
@given(polygons, st.floats(-6, 11), st.floats(39, 51))
def test_covers_agrees_with_shapely(poly, x, y):
    (rings,) = parse_wkb(shapely.to_wkb(poly))
    assert covers(rings, x, y) == poly.covers(Point(x, y))


@settings(max_examples=100, deadline=None)
@given(polygons, st.data())
def test_polygon_vertices_are_covered(poly, data):
    """Every vertex is on the boundary, hence covered (the half-open ray rule alone would miss some)."""
    (rings,) = parse_wkb(shapely.to_wkb(poly))
    ext = rings[0]
    i = data.draw(st.integers(0, len(ext) // 2 - 1)) * 2
    assert covers(rings, ext[i], ext[i + 1])


def test_parse_wkb_multipolygon_both_byte_orders():
    mp = shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3).difference(box(2.4, 2.4, 2.6, 2.6))])
    for big in (False, True):
        parts = parse_wkb(shapely.to_wkb(mp, byte_order=0 if big else 1))
        assert [len(p) for p in parts] == [1, 2]
        assert list(parts[0][0][:4]) == list(shapely.get_coordinates(mp.geoms[0].exterior)[0:2].ravel())
        assert covers(parts[1], 2.1, 2.1) and not covers(parts[1], 2.5, 2.5)


# ---------------------------------------------------------------- the tiny hand-made release



def test_tiny_inside_and_outside(tiny_release):
    assert find_commune(tiny_release, 2.1, 49.1) == "80001"
    assert find_commune(tiny_release, 2.45, 49.15) == "80003"
    assert find_commune(tiny_release, 5.0, 49.1) is None  # no shard there
    assert find_commune(tiny_release, 2.1, 49.21) is None  # shard exists, no commune (≥ SNAP_DEG away)


def test_tiny_shared_border_is_deterministic(tiny_release):
    # x = 2.2 is the border of 80001 and 80002: both cover it, the lowest code wins, every time.
    assert {find_commune(tiny_release, 2.2, 49.0 + k / 100) for k in range(1, 20)} == {"80001"}
    # x = 2.25 is a grid line (two shards), inside 80002 on both sides.
    assert find_commune(tiny_release, 2.25, 49.1) == "80002"
    assert find_commune(tiny_release, 2.2499999, 49.1) == "80002"


def test_tiny_sliver_snaps_to_nearest(tiny_release):
    code, _, match = lookup(tiny_release, 2.6007, 49.1)
    assert code == "80003" and match["method"] == "nearest" and match["distance_deg"] == pytest.approx(0.0007)


def test_tiny_qpv_overrides_doctors_zonage(tiny_release):
    ans = locate(tiny_release, 2.32, 49.07)
    assert ans["commune"]["code"] == "80002" and ans["qpv"]["code"] == "QN08001M"
    assert ans["zonage"]["medecin"]["code"] == "ZIP" and ans["zonage"]["medecin"]["commune_zonage"]["code"] == "ZAC"
    assert ans["flags"]["in_qpv"] is True
    out = locate(tiny_release, 2.38, 49.07)
    assert out["qpv"] is None and out["zonage"]["medecin"]["code"] == "ZAC" and out["flags"]["in_qpv"] is False


@pytest.mark.parametrize("lon,lat,param", [(float("nan"), 49.0, "lon"), (2.0, float("inf"), "lat"),
                                           (181.0, 49.0, "lon"), (2.0, -90.5, "lat")])
def test_tiny_bad_coordinates_raise_400(tiny_release, lon, lat, param):
    with pytest.raises(DomainError) as err:
        find_commune(tiny_release, lon, lat)
    assert err.value.status == 400 and err.value.param == param


def test_tiny_sea_is_404(tiny_release):
    with pytest.raises(DomainError) as err:
        locate(tiny_release, -5.0, 45.0)
    assert err.value.status == 404


# ---------------------------------------------------------------- real data (small build)

@pytest.mark.needs_sources
def test_reference_points_locate_to_their_commune(live_store, small_dataset, sources_dir):
    ds = small_dataset
    former = {f: c.code for c in ds.communes.values() for f in c.former_codes}
    rows = {}
    with open(sources_dir / "communes-centroides" / "communes.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["commune_type"] == "COM" and r["insee_dep"] in SMALL:
                rows.setdefault(r["insee_com"], (float(r["lng"]), float(r["lat"])))
    sample = random.Random(4).sample(sorted(rows), 400)
    rel = release.current()
    misses = []
    for code in sample:
        expected = code if code in ds.communes else former.get(code)
        got = find_commune(rel, *rows[code])
        if got != expected:
            misses.append((code, expected, got))
    print(f"\n{len(misses)} of {len(sample)} reference points fall outside their own commune polygon: {misses}")
    assert len(misses) <= len(sample) * 0.02, misses
    assert all(got is not None for _, _, got in misses)  # they still fall in a neighbour, not at sea


@pytest.mark.needs_sources
def test_known_places(live_store):
    rel = release.current()
    assert find_commune(rel, 2.2957, 49.8942) == "80021"  # Amiens
    assert find_commune(rel, 5.3698, 43.2965) == "13055"  # Marseille
    assert find_commune(rel, 8.7386, 41.9192) == "2A004"  # Ajaccio
    assert find_commune(rel, 2.3522, 48.8566) == "75056"  # Paris
    assert find_commune(rel, -5.0, 45.0) is None


@pytest.mark.needs_sources
def test_amiens_locate_answer(live_store, small_dataset):
    ans = locate(release.current(), 2.2957, 49.8942)
    c = small_dataset.communes["80021"]
    assert ans["commune"] == {"code": "80021", "name": "Amiens"}
    assert ans["epci"]["code"] == c.epci and ans["departement"]["code"] == "80" and ans["region"]["code"] == "32"
    for p, z in c.zonage.items():
        assert ans["zonage"][p]["code"] == z.code and ans["zonage"][p]["source"] == z.source
    assert ans["release"] == live_store["version"]


@pytest.mark.needs_sources
def test_marseille_qpv_point_gets_the_qpv_zonage(live_store, small_dataset, sources_dir):
    """A point inside a PACA QPV 2024 answers the QPV's own doctors' zonage, as the ARS file says."""
    listing = json.loads((sources_dir / "qpv" / "paca-2024" / "qpv-zonage.json").read_text())
    official = {q["id"]: q["z"] for q in listing["communes"]["13055"]["qpv"]}
    qpvs = [q for q in small_dataset.qpvs.values() if q.code in official and q.geometry is not None]
    if not qpvs:
        pytest.skip("the ingested dataset has no PACA QPV polygons yet")
    rel = release.current()
    checked = 0
    for q in sorted(qpvs, key=lambda q: q.code)[:10]:
        pt = q.geometry.representative_point()
        ans = locate(rel, pt.x, pt.y)
        assert ans["qpv"]["code"] == q.code
        assert ans["zonage"]["medecin"]["code"] == official[q.code]
        assert ans["zonage"]["medecin"]["territory"] == {"level": "qpv", "code": q.code}
        assert ans["flags"]["in_qpv"] is True
        checked += 1
    assert checked >= 5

"""The raster step: distance to the nearest hospital (COG), PNG tiles (PMTiles), access figures.

Most tests use a tiny hand-made Dataset cut from the real files: the département polygons of
Corse-du-Sud, Haute-Garonne and La Réunion, every hospital of the geolocated FINESS list (all of
France, as in a full build), the Haute-Garonne ambulatory structures, and the communes of
Corse-du-Sud with their reference point and population. Expected distances are computed
independently with pyproj.Geod on the ellipsoid.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import mercantile
import numpy as np
import pytest
import rasterio
import shapely.geometry as sg
from conftest import SMALL_DEPS
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import TileType
from pyproj import Geod, Transformer
from rezone_build.model import Commune, Dataset, Departement, Facility
from rezone_build.pipeline import BuildContext
from rezone_build.raster import HOSPITAL_TYPES, build, select_hospitals
from rezone_build.raster_grid import nearest_distance
from rezone_build.raster_tiles import CLASSES, classify
from tiles_support import body_bytes, event

ROOT = Path(__file__).resolve().parents[1]
DEPS = ["2A", "31", "971", "972", "973", "974", "976"]
GEOD = Geod(ellps="GRS80")
CELL = 1000.0
STRUCTURE_TYPES = {"Pharmacie d'Officine": "pharmacie", "Centre de Santé": "centre_de_sante",
                   "Maison de santé (L.6223-3)": "msp"}


def _hospitals(src: Path) -> list[Facility]:
    out = []
    with open(src / "etablissements-geolocalises/hopitaux-france/FR.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            try:
                lon, lat = float(r["lon"]), float(r["lat"])
            except ValueError:
                continue
            finess = r["id"].zfill(9)
            public = {"public": True, "private": False}.get(r["public_private"])
            kind = {True: "hopital_public", False: "etablissement_prive"}.get(public, "etablissement_de_sante")
            out.append(Facility(finess, finess, r["hospital_name"], kind, r["facility_type"], None, lon, lat,
                                "exact", public, "hopitaux-france", "2020"))
    return out


def _structures(src: Path) -> list[Facility]:
    data = json.loads((src / "etablissements-geolocalises/haute-garonne/structures-finess-31.json").read_text())
    return [Facility(s["id"], None, s["nom"], STRUCTURE_TYPES[s["cat"]], s["cat"], None, s["lon"], s["lat"], "exact",
                     None, "haute-garonne", data["maj"][:4])
            for s in data["structures"] if s["cat"] in STRUCTURE_TYPES]


def _communes(src: Path, dep: str) -> dict[str, Commune]:
    out = {}
    with open(src / "communes-centroides/communes.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["insee_dep"] == dep and r["commune_type"] == "COM" and r["insee_com"] not in out:
                out[r["insee_com"]] = Commune(
                    r["insee_com"], r["commune"], dep, r["insee_reg"], None, int(r["population_2021"] or 0),
                    [], (float(r["lng"]), float(r["lat"])), "communes-centroides", None, None, {})
    return out


@pytest.fixture(scope="module")
def tiny(sources_dir):
    gj = json.loads((sources_dir / "france-geojson/departements-avec-outre-mer.geojson").read_text())
    deps = {f["properties"]["code"]: Departement(f["properties"]["code"], f["properties"]["nom"], "",
                                                 sg.shape(f["geometry"]))
            for f in gj["features"] if f["properties"]["code"] in DEPS}
    return Dataset(communes=_communes(sources_dir, "2A"), departements=deps, regions={}, epcis={}, qpvs={},
                   facilities=_hospitals(sources_dir) + _structures(sources_dir), sources={}, scope=DEPS)


@pytest.fixture(scope="module")
def built(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("raster")
    summary = build(tiny, out, BuildContext("test", None, out, departements=DEPS, quiet=True))
    return out, summary


def _sample(path: Path, lon: float, lat: float, band: int = 1) -> tuple[int, tuple[float, float]]:
    """Value of the cell containing (lon, lat) and that cell's centre (lon, lat)."""
    with rasterio.open(path) as ds:
        x, y = Transformer.from_crs("EPSG:4326", ds.crs, always_xy=True).transform(lon, lat)
        row, col = ds.index(x, y)
        value = int(ds.read(band, window=((row, row + 1), (col, col + 1)))[0, 0])
        cx, cy = ds.xy(row, col)
        return value, Transformer.from_crs(ds.crs, "EPSG:4326", always_xy=True).transform(cx, cy)


def _geodesic_min(facilities, lon: float, lat: float) -> float:
    lons = np.array([f.lon for f in facilities])
    lats = np.array([f.lat for f in facilities])
    _, _, d = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), lons, lats)
    return float(d.min())


def _metro_hospitals(ds):
    return [f for f in ds.facilities if f.type in HOSPITAL_TYPES and -6 < f.lon < 10 and 41 < f.lat < 52]


def _tile_pixel(pmtiles_path: Path, lon: float, lat: float, z: int) -> tuple[int, int, int, int] | None:
    t = mercantile.tile(lon, lat, z)
    with open(pmtiles_path, "rb") as f:
        data = Reader(MmapSource(f)).get(z, t.x, t.y)
    if data is None:
        return None
    img = Image.open(io.BytesIO(data)).convert("RGBA")
    assert img.size == (256, 256)
    b = mercantile.xy_bounds(t)
    x, y = mercantile.xy(lon, lat)
    px = int((x - b.left) / (b.right - b.left) * 256)
    py = int((b.top - y) / (b.top - b.bottom) * 256)
    return img.getpixel((px, py))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_files_written(built):
    out, summary = built
    assert sorted(summary["files"]) == [f"raster/distance-hopital-{a}.tif"
                                        for a in ("971", "972", "973", "974", "976", "metropole")]
    assert (out / "tiles/acces-hopital.pmtiles").is_file()
    assert (out / "raster/access-shares.json").is_file()
    index = json.loads((out / "raster/index.json").read_text())
    assert "6 March 2020" in index["vintage"]
    assert "pas un temps de trajet" in index["method"]
    assert index["structures"] == {"pharmacie": 394, "centre_de_sante": 60, "msp": 59}


def test_distance_at_hospital_cell_is_zero(tiny, built):
    out, _ = built
    path = out / "raster/distance-hopital-metropole.tif"
    in_2a = [f for f in tiny.facilities if f.type in HOSPITAL_TYPES and tiny.departements["2A"].geometry.contains(
        sg.Point(f.lon, f.lat))]
    assert len(in_2a) >= 5
    values = [_sample(path, f.lon, f.lat)[0] for f in in_2a]
    assert min(values) >= 0  # a cell touching France has data, even on the coast
    assert max(values) <= CELL * 2 ** 0.5


@pytest.mark.parametrize("lon,lat", [(9.1306, 41.9067), (9.05, 42.03), (0.83, 42.88)])  # Zicavo, Bastelica, Melles
def test_remote_point_matches_geodesic(tiny, built, lon, lat):
    out, _ = built
    value, (clon, clat) = _sample(out / "raster/distance-hopital-metropole.tif", lon, lat)
    hospitals = _metro_hospitals(tiny)
    assert value > 5000  # really remote from every hospital
    assert abs(value - _geodesic_min(hospitals, lon, lat)) <= CELL
    # At the cell centre itself only the projection's scale error remains (< 0.3 %).
    assert abs(value - _geodesic_min(hospitals, clon, clat)) <= 0.003 * value + 1


@pytest.mark.parametrize("dep,epsg,lon,lat", [
    ("971", 5490, -61.68, 16.17),  # Basse-Terre, national park
    ("972", 5490, -61.13, 14.80),  # Montagne Pelée
    ("973", 2972, -53.20, 3.62),  # Saül, Guyane interior
    ("974", 2975, 55.48, -21.10),  # Cirque de Mafate, no road
    ("976", 4471, 45.15, -12.85),  # Mayotte, central hills
])
def test_overseas_grids(tiny, built, dep, epsg, lon, lat):
    out, _ = built
    path = out / f"raster/distance-hopital-{dep}.tif"
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == epsg and ds.res == (CELL, CELL)
    w, s, e, n = tiny.departements[dep].geometry.bounds
    local = [f for f in tiny.facilities if f.type in HOSPITAL_TYPES and w - 1 < f.lon < e + 1 and s - 1 < f.lat < n + 1]
    value, _ = _sample(path, lon, lat)
    assert value > 2000 and abs(value - _geodesic_min(local, lon, lat)) <= CELL
    inside = [f for f in local if tiny.departements[dep].geometry.contains(sg.Point(f.lon, f.lat))]
    own = [_sample(path, f.lon, f.lat)[0] for f in inside]
    assert own and min(own) >= 0 and max(own) <= CELL * 2 ** 0.5


def test_public_band_and_structure_bands(tiny, built):
    out, _ = built
    path = out / "raster/distance-hopital-metropole.tif"
    lon, lat = 9.05, 42.03
    public = [f for f in _metro_hospitals(tiny) if f.public is True]
    any_d, _ = _sample(path, lon, lat, band=1)
    pub_d, _ = _sample(path, lon, lat, band=2)
    assert pub_d >= any_d
    assert abs(pub_d - _geodesic_min(public, lon, lat)) <= CELL
    # Structures: only in Haute-Garonne.
    assert _sample(path, lon, lat, band=3)[0] == -1
    toulouse_rural = (1.05, 43.25)  # south of Toulouse, Haute-Garonne
    pharm = [f for f in tiny.facilities if f.type == "pharmacie"]
    d3, _ = _sample(path, *toulouse_rural, band=3)
    assert abs(d3 - _geodesic_min(pharm, *toulouse_rural)) <= CELL


def test_cog_has_overviews_and_honest_tags(built):
    out, _ = built
    with rasterio.open(out / "raster/distance-hopital-metropole.tif") as ds:
        assert ds.crs.to_epsg() == 2154
        assert ds.res == (CELL, CELL)
        assert ds.count == 5 and ds.dtypes[0] == "int32" and ds.nodata == -1
        assert ds.overviews(1), "internal overviews expected"
        assert ds.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert ds.profile["tiled"] and ds.profile["compress"] == "deflate"
        tags = ds.tags()
        assert "vol d'oiseau" in tags["method"] and "pas un temps de trajet" in tags["method"]
        assert "6 March 2020" in tags["vintage"] and tags["units"].startswith("metres")
        assert "hopitaux-france" in tags["source"]
        assert ds.descriptions[0].startswith("distance à l'hôpital")
        assert ds.tags(3)["coverage"] == "département 31 only"
    with rasterio.open(out / "raster/distance-hopital-974.tif") as ds:
        assert ds.crs.to_epsg() == 2975
    # At sea west of Ajaccio: outside France.
    assert _sample(out / "raster/distance-hopital-metropole.tif", 8.45, 41.85)[0] == -1


def test_tiles_decode_with_class_colours(tiny, built):
    out, summary = built
    path = out / "tiles/acces-hopital.pmtiles"
    with open(path, "rb") as f:
        reader = Reader(MmapSource(f))
        header, meta = reader.header(), reader.metadata()
    assert header["tile_type"] == TileType.PNG
    assert (header["min_zoom"], header["max_zoom"]) == (4, 10)
    assert "vol d'oiseau" in meta["description"] and "6 mars 2020" in meta["description"]
    assert [c["color"] for c in meta["legend"]] == [c[4] for c in CLASSES]
    assert meta["maplibre_layer"]["type"] == "raster"
    hospital = next(f for f in tiny.facilities if f.finess == "2A0000022")  # CH Notre-Dame de la Miséricorde, Ajaccio
    assert _tile_pixel(path, hospital.lon, hospital.lat, 10)[:3] == _rgb(CLASSES[0][4])
    # The remotest cell of Corse-du-Sud: colour of the class of its independently computed distance.
    lon, lat = 9.1306, 41.9067
    d = _geodesic_min(_metro_hospitals(tiny), lon, lat)
    expected = next(c for c in CLASSES if c[2] is None or d < c[2] * 1000)
    assert _tile_pixel(path, lon, lat, 10)[:3] == _rgb(expected[4])
    # Outside France: transparent pixel, or no tile at all.
    sea = _tile_pixel(path, 8.45, 41.85, 10)
    assert sea is None or sea[3] == 0
    assert summary["tiles"] > 20


def test_access_shares(tiny, built):
    out, _ = built
    shares = json.loads((out / "raster/access-shares.json").read_text())
    assert "6 March 2020" in shares["vintage"] and "vol d'oiseau" in shares["method"]
    assert "reference point" in shares["method"]
    levels = shares["levels"]
    assert set(levels) == {"commune", "epci", "departement", "region", "france"}
    ajaccio = levels["commune"]["2A004"]
    assert ajaccio["share_gt_10km"] == 0 and ajaccio["distance_km"] < 5
    hospitals = _metro_hospitals(tiny)
    for code in ("2A004", "2A359", "2A323"):
        c = tiny.communes[code]
        d_km = _geodesic_min(hospitals, *c.center) / 1000
        fig = levels["commune"][code]
        assert abs(fig["distance_km"] - d_km) <= 0.003 * d_km + 0.01
        assert fig["share_gt_10km"] == (1.0 if d_km > 10 else 0.0)
    # Département share = population beyond 10 km / population, recomputed from the communes.
    communes = levels["commune"]
    pop = sum(c["population"] for c in communes.values())
    far = sum(c["population"] for c in communes.values() if c["share_gt_10km"] == 1.0)
    dep = levels["departement"]["2A"]
    assert dep["population"] == pop and abs(dep["share_gt_10km"] - far / pop) < 1e-4
    assert 0 <= dep["share_gt_30km"] <= dep["share_gt_20km"] <= dep["share_gt_10km"]
    assert 0 < dep["share_gt_10km"] < 1
    assert levels["france"]["FR"]["population"] == pop and levels["france"]["FR"]["partial"] is True
    assert "partial" not in dep


@given(st.lists(st.floats(min_value=0, max_value=500_000, allow_nan=False), min_size=1, max_size=50))
def test_classify_matches_class_bounds(dists):
    classes = classify(np.array(dists))
    for d, k in zip(dists, classes):
        _, lo, hi, _, _ = CLASSES[k - 1]
        assert lo * 1000 <= d and (hi is None or d < hi * 1000)


coords = st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))


@given(st.lists(coords, min_size=1, max_size=30), st.lists(coords, min_size=1, max_size=30))
def test_kdtree_distance_is_the_brute_force_minimum(points, queries):
    p, q = np.array(points), np.array(queries)
    brute = np.sqrt(((q[:, None, :] - p[None, :, :]) ** 2).sum(-1)).min(1)
    assert np.allclose(nearest_distance(p, q), brute, rtol=1e-9, atol=1e-6)


def test_classify_nodata():
    assert classify(np.array([np.nan, 0.0]))[0] == 0


def test_serving_functions_never_import_rasterio():
    apps = sorted((ROOT / "functions").glob("*/app.py"))
    if not apps:
        pytest.skip("no handler yet")
    code = (
        "import importlib.util, json, sys, time\n"
        "t = time.perf_counter()\n"
        f"for i, p in enumerate({[str(a) for a in apps]!r}):\n"
        "    spec = importlib.util.spec_from_file_location(f'app{i}', p)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "heavy = [m for m in ('rasterio', 'scipy', 'pyproj', 'mercantile', 'mapbox_vector_tile',"
        " 'rezone_build', 'PIL') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'import_s': time.perf_counter() - t}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"handlers import time: {report['import_s'] * 1000:.0f} ms")
    assert report["heavy"] == []


@pytest.mark.needs_sources
def test_real_ingest_of_haute_garonne_feeds_every_band(sources_dir):
    """The selections match what the ingest really emits (source ids, types, precision)."""
    from rezone_build.ingest import ingest
    from rezone_build.raster import select_structures

    ds = ingest(sources_dir, departements=["31"], progress=False)
    structures = select_structures(ds)
    assert {t: len(v) for t, v in structures.items()} == {"pharmacie": 394, "centre_de_sante": 60, "msp": 59}
    hospitals = select_hospitals(ds)
    assert len(hospitals) > 30 and any(f.public for f in hospitals)
    assert all(f.precision == "exact" and "haute-garonne" not in f.source for f in hospitals)


@pytest.mark.needs_sources
def test_small_build_on_real_ingest(small_dataset, tmp_path):
    """The step on the shared small dataset (80, 13, 2A, 75) as the pipeline runs it."""
    hospitals = select_hospitals(small_dataset)
    if not hospitals:
        pytest.skip("this ingest loads no exactly located hospital yet")
    summary = build(small_dataset, tmp_path, BuildContext("small", None, tmp_path, departements=SMALL_DEPS,
                                                          quiet=True))
    assert summary["files"] == ["raster/distance-hopital-metropole.tif"]
    assert all(f.precision == "exact" for f in hospitals)
    levels = json.loads((tmp_path / "raster/access-shares.json").read_text())["levels"]
    assert set(levels["departement"]) == set(SMALL_DEPS)
    assert levels["commune"]["75056"]["share_gt_10km"] == 0  # Paris: hospitals everywhere
    amiens = small_dataset.communes["80021"]
    d_km = _geodesic_min(hospitals, *amiens.center) / 1000
    assert abs(levels["commune"]["80021"]["distance_km"] - d_km) <= 0.003 * d_km + 0.01
    somme = levels["departement"]["80"]
    assert "partial" not in levels["epci"][amiens.epci] and levels["france"]["FR"]["partial"] is True
    assert somme["population"] > 500_000 and 0 < somme["share_gt_10km"] < 1
    # A remote cell of the Somme agrees with the geodesic distance to the in-scope hospitals.
    lon, lat = 1.90, 49.85  # Hornoy-le-Bourg, rural south-west of the Somme
    value, _ = _sample(tmp_path / "raster/distance-hopital-metropole.tif", lon, lat)
    assert abs(value - _geodesic_min(hospitals, lon, lat)) <= CELL


def _handler(name: str):
    spec = importlib.util.spec_from_file_location(f"app_{name}", ROOT / "functions" / name / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.handler


@pytest.fixture(scope="module")
def served(small_dataset, tmp_path_factory):
    """A published release of the small area with the ``query`` and ``raster`` steps, served live."""
    from rezone import release
    from rezone_build.pipeline import build_release

    if not select_hospitals(small_dataset):
        pytest.skip("this ingest loads no exactly located hospital yet")
    work, store = tmp_path_factory.mktemp("raster-work"), tmp_path_factory.mktemp("raster-store")
    res = build_release(None, store, work, departements=SMALL_DEPS, dataset=small_dataset,
                        steps=["query", "raster"], quiet=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("REZONE_STORE", str(store))
    release.reset(str(store))
    yield Path(res["release_dir"])
    release.reset()
    mp.undo()


@pytest.mark.needs_sources
def test_served_tilejson_and_png_tile(small_dataset, served):
    handler = _handler("tiles")
    tj = handler(event("/tiles/acces-hopital.json"), None)
    assert tj["statusCode"] == 200
    doc = json.loads(tj["body"])
    assert doc["format"] == "png" and doc["tiles"][0].split("?")[0].endswith("/tiles/acces-hopital/{z}/{x}/{y}.png")
    assert (doc["minzoom"], doc["maxzoom"]) == (4, 10)
    assert "vol d'oiseau" in doc["description"] and "6 mars 2020" in doc["description"]
    amiens_chu = next(f for f in select_hospitals(small_dataset) if f.finess == "800000192")  # CHU Amiens-Nord
    t = mercantile.tile(amiens_chu.lon, amiens_chu.lat, 10)
    resp = handler(event(f"/tiles/acces-hopital/10/{t.x}/{t.y}.png"), None)
    assert resp["statusCode"] == 200 and resp["headers"]["Content-Type"] == "image/png"
    img = Image.open(io.BytesIO(body_bytes(resp))).convert("RGBA")
    assert img.size == (256, 256)
    b = mercantile.xy_bounds(t)
    x, y = mercantile.xy(amiens_chu.lon, amiens_chu.lat)
    px = (int((x - b.left) / (b.right - b.left) * 256), int((b.top - y) / (b.top - b.bottom) * 256))
    assert img.getpixel(px)[:3] == _rgb(CLASSES[0][4])


@pytest.mark.needs_sources
def test_served_territory_access_figures(served):
    """The query function (recorded API Gateway event for Amiens) serves the figures beside the others."""
    shares = json.loads((served / "raster/access-shares.json").read_text())["levels"]
    ev = json.loads((ROOT / "tests/events/territory_commune_amiens.json").read_text())
    resp = _handler("query")(ev, None)
    assert resp["statusCode"] == 200
    fig = json.loads(resp["body"])["figures"]["acces_hopital"]
    assert fig["value"] == shares["commune"]["80021"] and fig["value"]["share_gt_10km"] == 0
    assert "vol d'oiseau" in fig["method"] and "6 March 2020" in fig["vintage"]
    assert fig["enclosing"]["departement"]["value"] == shares["departement"]["80"]
    assert fig["enclosing"]["france"]["value"] == shares["france"]["FR"]

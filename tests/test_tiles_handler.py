"""The tiles function: status codes, headers, TileJSON, styles, storage reads, raster tilesets."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
from pmtiles.tile import Compression
from rezone import release as release_mod
from rezone.constants import PROFESSIONS
from rezone.http import IMMUTABLE, SHORT_CACHE
from rezone.storage import LocalStore
from rezone_build.pmtiles_write import ArchiveWriter, TileType
from tiles_support import body_bytes, build_tiles_release, decode, event

pytestmark = pytest.mark.needs_sources

ROOT = Path(__file__).resolve().parents[1]
AMIENS_Z12 = (12, 2074, 1391)  # contains Amiens (80021)


def _load_handler():
    spec = importlib.util.spec_from_file_location("rezone_fn_tiles_test", ROOT / "functions" / "tiles" / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.handler


handler = _load_handler()


@pytest.fixture
def served(live_store):
    """The session's small release, served (REZONE_STORE set, caches reset), with its tiles summary."""
    return build_tiles_release(live_store)


def call(path, headers=None, method="GET", query=""):
    r = handler(event(path, headers, method, query), None)
    h = {k.lower(): v for k, v in r["headers"].items()}
    return r["statusCode"], h, body_bytes(r)


def assert_problem(status, h, body, expected, param=None):
    assert status == expected
    assert h["content-type"].startswith("application/problem+json")
    assert h["access-control-allow-origin"] == "*"
    assert h["cache-control"] == "no-store"
    p = json.loads(body)
    assert p["status"] == expected and p["title"]
    if param:
        assert p["param"] == param


def test_tile_200_gzip_passthrough(served):
    s, h, b = call("/tiles/zonage/{}/{}/{}.mvt".format(*AMIENS_Z12))
    assert s == 200
    assert h["content-type"] == "application/vnd.mapbox-vector-tile"
    assert h["content-encoding"] == "gzip" and b[:2] == b"\x1f\x8b"
    assert h["cache-control"] == SHORT_CACHE  # no release in the URL: the live one, for a short while
    assert h["access-control-allow-origin"] == "*"
    assert h["etag"].startswith('"') and served["version"] in h["etag"]
    codes = {f["properties"]["code"] for f in decode(b)["communes"]["features"]}
    assert "80021" in codes
    # the URL TileJSON gives names the release: cached for a year, same bytes
    s2, h2, b2 = call("/tiles/zonage/{}/{}/{}.mvt".format(*AMIENS_Z12), query=f"v={served['version']}")
    assert (s2, h2["cache-control"], b2) == (200, IMMUTABLE, b)


def test_tile_204_at_sea_and_outside_data(served):
    s, h, b = call("/tiles/zonage/8/115/90.mvt")  # Atlantic
    assert s == 204 and b == b"" and h["access-control-allow-origin"] == "*"
    assert h["cache-control"] == "no-store"
    s, _, _ = call("/tiles/zonage/12/0/0.mvt")
    assert s == 204


def test_etag_304(served):
    path = "/tiles/zonage/{}/{}/{}.mvt".format(*AMIENS_Z12)
    _, h, _ = call(path)
    etag = h["etag"]
    for inm in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        s, h2, b = call(path, {"if-none-match": inm})
        assert s == 304 and b == b"" and h2["etag"] == etag
    s, _, _ = call(path, {"if-none-match": '"something-else"'})
    assert s == 200
    _, h3, _ = call("/tiles/zonage/11/1037/695.mvt")
    assert h3["etag"] != etag


@pytest.mark.parametrize("path,param", [
    ("/tiles/zonage/a/b/c.mvt", "z"),
    ("/tiles/zonage/8/-1/90.mvt", "x"),
    ("/tiles/zonage/8/1/-1.mvt", "y"),
    ("/tiles/zonage/99/1/1.mvt", "z"),
    ("/tiles/zonage/8/99999999999999999999/1.mvt", "x"),
    ("/tiles/zonage/8/1.5/1.mvt", "x"),
    ("/tiles/zonage/8//1.mvt", "x"),
    ("/tiles/zonage/8/0x1/1.mvt", "x"),
    ("/tiles/zonage/../../manifest.json", "path"),
    ("/tiles/../manifest.json", "path"),
    ("/tiles/zonage/8/..%2F/1.mvt", "path"),
])
def test_bad_coordinates_400(served, path, param):
    assert_problem(*call(path), 400, param)


@pytest.mark.parametrize("path,param", [
    ("/tiles/nothing/5/1/1.mvt", "tileset"),
    ("/tiles/Zonage/5/16/11.mvt", "tileset"),
    ("/tiles/release/5/16/11.mvt", "tileset"),
    ("/tiles/zonage/3/4/2.mvt", "z"),
    ("/tiles/zonage/8/256/90.mvt", "x"),  # outside the pyramid (x, y < 2^z): 404, like a missing tile
    ("/tiles/zonage/8/1/256.mvt", "y"),
    ("/tiles/zonage/13/4148/2776.mvt", "z"),
    ("/tiles/zonage/8/129/86.png", "format"),
    ("/tiles/nothing.json", "tileset"),
    ("/tiles/styles/plombier.json", "profession"),
    ("/tiles/", "path"),
    ("/tiles/zonage", "path"),
])
def test_not_found_404(served, path, param):
    assert_problem(*call(path), 404, param)


def test_methods(served):
    s, h, _ = call("/tiles/zonage.json", method="OPTIONS")
    assert s == 204 and h["access-control-allow-origin"] == "*"
    assert_problem(*call("/tiles/zonage.json", method="POST"), 405)


def test_tilejson(served, small_dataset):
    s, h, b = call("/tiles/zonage.json")
    assert s == 200 and h["cache-control"] == "public, max-age=60"
    tj = json.loads(b)
    v = served["version"]
    assert tj["tilejson"] == "3.0.0" and tj["version"] == "1.0.0" and tj["release"] == v
    assert tj["tiles"] == [f"https://tiles.example.org/tiles/zonage/{{z}}/{{x}}/{{y}}.mvt?v={v}"]
    assert tj["minzoom"] == 4 and tj["maxzoom"] == served["result"]["maxzoom"]
    w, s_, e, n = tj["bounds"]
    assert w < 2.3 < e and s_ < 41.9 < n and n > 49.9  # Corse-du-Sud … Somme
    layers = {vl["id"]: vl for vl in tj["vector_layers"]}
    assert set(layers) == {"zones", "communes", "qpv"}
    assert set(PROFESSIONS) <= set(layers["communes"]["fields"])
    assert "Licence Ouverte" in tj["attribution"]
    assert small_dataset.sources["france-geojson"].title in tj["attribution"]
    # local host without proto header → http
    r = handler(event("/tiles/boundaries.json", {"host": "localhost:8000", "x-forwarded-proto": ""}), None)
    assert json.loads(r["body"])["tiles"][0].startswith("http://localhost:8000/tiles/boundaries/")
    # hostile host header is not echoed
    r = handler(event("/tiles/boundaries.json", {"host": 'evil"><script>'}), None)
    assert json.loads(r["body"])["tiles"][0].startswith("/tiles/boundaries/")


def test_styles_point_at_this_host(served):
    for p in PROFESSIONS:
        s, _, b = call(f"/tiles/styles/{p}.json")
        assert s == 200
        st = json.loads(b)
        assert st["version"] == 8 and st["metadata"]["rezone:profession"] == p
        assert st["sources"]["zonage"]["url"] == "https://tiles.example.org/tiles/zonage.json"
        assert st["sources"]["zonage_low"]["url"] == f"https://tiles.example.org/tiles/zonage-{p}.json"
        assert st["sources"]["zonage"]["promoteId"] == {"communes": "code", "qpv": "code"}
        # every TileJSON the style names exists
        for src in st["sources"].values():
            path = src["url"].removeprefix("https://tiles.example.org")
            if path != "/tiles/facilities.json" or (served["release_dir"] / "tiles/facilities.pmtiles").exists():
                assert call(path)[0] == 200, path


class CountingStore(LocalStore):
    def __init__(self, root):
        super().__init__(root)
        self.reads = 0

    def get_range(self, key, offset, length):
        self.reads += 1
        return super().get_range(key, offset, length)


def test_one_storage_read_per_tile_when_warm(served):
    store = CountingStore(served["store"])
    release_mod._state.update(store=store, release=None, checked=0.0)
    tiles = [(12, 2074 + dx, 1391 + dy) for dx in range(-2, 3) for dy in range(-2, 3)]
    for z, x, y in tiles[:1]:
        call(f"/tiles/zonage/{z}/{x}/{y}.mvt")  # warm-up: header, root, leaves
    store.reads = 0
    n200 = 0
    for z, x, y in tiles:
        s, _, _ = call(f"/tiles/zonage/{z}/{x}/{y}.mvt")
        n200 += s == 200
    assert n200 >= 20
    assert store.reads == n200  # one read per tile with data, none for 204s


def test_raster_tileset_served_generically(served, tmp_path):
    """Any tiles/<name>.pmtiles with PNG tiles answers .png with its content type and a TileJSON."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50  # opaque bytes: the server never decodes a tile
    path = tmp_path / "acces-test.pmtiles"
    with ArchiveWriter(path, tile_type=TileType.PNG, compression=Compression.NONE) as w:
        w.add(6, 32, 22, png)
        w.metadata = {"name": "acces-test", "attribution": "test raster"}
    store = LocalStore(served["store"])
    store.put(f"releases/{served['version']}/tiles/acces-test.pmtiles", path.read_bytes())
    try:
        release_mod.reset(str(served["store"]))
        s, h, b = call("/tiles/acces-test/6/32/22.png")
        assert s == 200 and h["content-type"] == "image/png" and "content-encoding" not in h and b == png
        assert call("/tiles/acces-test/6/32/23.png")[0] == 204
        assert_problem(*call("/tiles/acces-test/6/32/22.mvt"), 404, "format")
        tj = json.loads(call("/tiles/acces-test.json")[2])
        assert tj["format"] == "png" and tj["tiles"][0].endswith(f".png?v={served['version']}")
        assert "vector_layers" not in tj
    finally:
        store.delete(f"releases/{served['version']}/tiles/acces-test.pmtiles")


def test_no_release_is_503_not_500(tmp_path, monkeypatch):
    monkeypatch.setenv("REZONE_STORE", str(tmp_path))
    release_mod.reset(str(tmp_path))
    try:
        s, h, b = call("/tiles/zonage/5/16/11.mvt")
        assert s == 503 and h["access-control-allow-origin"] == "*"
        assert json.loads(b)["title"]
    finally:
        release_mod.reset()


def test_tile_bytes_are_stored_bytes(served):
    """gzip passed through untouched: the body equals the archive's bytes for that tile."""
    from rezone.tiles import Archive

    data = (served["release_dir"] / "tiles" / "zonage.pmtiles").read_bytes()
    a = Archive(lambda o, n: data[o : o + n])
    _, _, b = call("/tiles/zonage/{}/{}/{}.mvt".format(*AMIENS_Z12))
    assert b == a.tile(*AMIENS_Z12)
    assert gzip.decompress(b)  # a real gzip stream

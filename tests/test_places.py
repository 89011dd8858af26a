"""Place names (``places`` tileset) and the labels' glyphs, built from the real sources of the small
release: préfectures at z6, villages from z11, département names at low zoom, SDF glyph ranges."""

from __future__ import annotations

import gzip
import json

import pytest
from rezone.api.functions import tiles as tiles_function
from rezone_build.places import RANK_MINZOOM, rank
from rezone_build.tiling import lonlat_to_tile
from tiles_support import body_bytes, decode, event

pytestmark = pytest.mark.needs_sources


def _names(z, lon, lat, layer="communes"):
    x, y = lonlat_to_tile(lon, lat, z)
    r = tiles_function(event(f"/tiles/places/{z}/{x}/{y}.mvt"), None)
    assert r["statusCode"] in (200, 204), r
    feats = decode(body_bytes(r)).get(layer, {}).get("features", []) if r["statusCode"] == 200 else []
    return {f["properties"]["nom"]: f["properties"] for f in feats}


def test_rank_rules():
    assert rank("80021", 133_000, {"80021"}, {"80021"}) == 1
    assert rank("60057", 56_000, set(), {"60057"}) == 2  # a préfecture, whatever its size
    assert rank("92012", 120_000, set(), set()) == 2
    assert rank("80001", 22_000, set(), set()) == 3
    assert rank("80253", 4_000, set(), set()) == 6
    assert rank("80002", 150, set(), set()) == 7
    assert rank("80003", None, set(), set()) == 7
    assert RANK_MINZOOM[2] == 6 and RANK_MINZOOM[7] == 11


def test_places_ranked_from_the_cog(live_store, small_dataset):
    ds = small_dataset
    ranks = {}
    for code in ("80021", "13055", "2A004", "75056", "80001"):
        c = ds.communes[code]
        ranks[c.name] = _names(11, *c.center).get(c.name, {}).get("rank")
    # préfectures de région (COG chefLieu of PACA, Corse, Île-de-France), the Somme's préfecture (Hauts-de-France's
    # is Lille), Abbeville ≥ 20,000 inhabitants
    assert ranks == {"Amiens": 2, "Marseille": 1, "Ajaccio": 1, "Paris": 1, "Abbeville": 3}


def test_prefectures_at_z6_villages_from_z11(live_store, small_dataset):
    ds = small_dataset
    amiens = ds.communes["80021"]
    z6 = _names(6, *amiens.center)
    assert "Amiens" in z6
    assert all(p["rank"] <= 2 for p in z6.values()), z6
    # the smallest Somme village with a reference point: absent at z10, present at z11
    village = min((c for c in ds.communes.values() if c.departement == "80" and c.center and c.population),
                  key=lambda c: c.population)
    assert village.name not in _names(10, *village.center)
    assert _names(11, *village.center)[village.name]["rank"] == 7
    assert _names(11, *village.center)[village.name]["code"] == village.code


def test_departement_names_at_low_zoom(live_store, small_dataset):
    amiens = small_dataset.communes["80021"]
    assert "Somme" in _names(6, *amiens.center, layer="departements")
    assert _names(10, *amiens.center, layer="departements") == {}


def test_glyph_ranges_and_styles(live_store):
    rel = live_store["release_dir"]
    font = live_store["result"]["results"]["tiles"]["glyphs"]
    assert font is not None, "fontnik or the label font is missing: run scripts/setup.sh"
    ranges = sorted((rel / "fonts" / font["slug"]).glob("*.pbf"))
    assert len(ranges) == 256 and font["ranges"] == 256
    latin = gzip.decompress((rel / "fonts" / font["slug"] / "0-255.pbf").read_bytes())
    assert font["fontstack"].encode() in latin and len(latin) > 20_000  # SDF bitmaps of Basic Latin + Latin-1
    style = json.loads((rel / "tiles" / "styles" / "medecin.json").read_text())
    assert style["glyphs"] == "/tiles/fonts/{fontstack}/{range}.pbf"
    symbols = [lay for lay in style["layers"] if lay["type"] == "symbol"]
    assert {lay["id"] for lay in symbols} == {"places-communes", "places-departements"}
    assert all(lay["layout"]["text-font"] == [font["fontstack"]] for lay in symbols)
    assert style["layers"][-1]["id"] == "places-communes"  # names drawn over everything


def test_fonts_route(live_store):
    font = live_store["result"]["results"]["tiles"]["glyphs"]
    version = live_store["version"]
    style = json.loads(body_bytes(tiles_function(event("/tiles/styles/medecin.json"), None)))
    assert style["glyphs"] == f"https://tiles.example.org/tiles/fonts/{{fontstack}}/{{range}}.pbf?v={version}"
    stack = font["fontstack"].replace(" ", "%20")
    r = tiles_function(event(f"/tiles/fonts/{stack}/0-255.pbf"), None)
    assert r["statusCode"] == 200, r
    h = r["headers"]
    assert h["Content-Encoding"] == "gzip" and h["Content-Type"] == "application/x-protobuf"
    assert h["Access-Control-Allow-Origin"] == "*"
    assert h["Cache-Control"] == "public, max-age=60"  # not pinned to a release: may change with the next
    assert font["fontstack"].encode() in gzip.decompress(body_bytes(r))
    pinned = tiles_function({**event(f"/tiles/fonts/{stack}/256-511.pbf"), "queryStringParameters": {"v": version}}, None)
    assert pinned["statusCode"] == 200 and "immutable" in pinned["headers"]["Cache-Control"]
    # a list of fonts (MapLibre joins them with commas): the first the release has answers
    assert tiles_function(event(f"/tiles/fonts/Unknown%20Font,{stack}/0-255.pbf"), None)["statusCode"] == 200
    for bad in (f"/tiles/fonts/{stack}/0-254.pbf", f"/tiles/fonts/{stack}/65536-65791.pbf",
                f"/tiles/fonts/{stack}/1-256.pbf", "/tiles/fonts/Comic%20Sans/0-255.pbf",
                "/tiles/fonts/%2E%2E/0-255.pbf"):
        r = tiles_function(event(bad), None)
        assert r["statusCode"] == 404 and r["headers"]["Access-Control-Allow-Origin"] == "*", bad
        assert json.loads(body_bytes(r))["param"] == "range"

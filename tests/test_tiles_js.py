"""Node side: a served tile parses with @mapbox/vector-tile (MapLibre's parser) and the styles pass
``gl-style-validate`` from @maplibre/maplibre-gl-style-spec (tests/js, installed by scripts/setup.sh)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rezone import release as release_mod
from rezone.api.functions import tiles as tiles_function
from rezone.constants import PROFESSIONS
from tiles_support import body_bytes, build_tiles_release, decode, event

pytestmark = pytest.mark.needs_sources

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")
if NODE is None or not (JS / "node_modules" / "@mapbox" / "vector-tile").is_dir():
    pytest.skip("node or tests/js/node_modules missing (run scripts/setup.sh)", allow_module_level=True)


@pytest.fixture(scope="module")
def served(small_release):
    rel = build_tiles_release(small_release)
    release_mod.reset(str(rel["store"]))
    yield rel
    release_mod.reset()


def _get(path: str) -> bytes:
    r = tiles_function(event(path), None)
    assert r["statusCode"] == 200, r
    return body_bytes(r)


def test_served_tiles_parse_with_mapbox_vector_tile(served, small_dataset, tmp_path):
    paths = {
        "z12": "/tiles/zonage/12/2074/1391.mvt",  # Amiens
        "z6": "/tiles/zonage/6/32/21.mvt",  # dissolved zones, six professions
        "low": "/tiles/zonage-medecin/5/16/10.mvt",
        "lines": "/tiles/boundaries/8/129/86.mvt",
    }
    files, py = [], {}
    for k, p in paths.items():
        data = _get(p)
        f = tmp_path / f"{k}.mvt.gz"
        f.write_bytes(data)
        files.append(str(f))
        py[str(f)] = decode(data)
    out = subprocess.run([NODE, str(JS / "check_tile.mjs"), *files], capture_output=True, text=True, check=True,
                         timeout=60)
    js = json.loads(out.stdout)
    assert len(js) == len(files)
    for tile in js:
        ref = py[tile["path"]]
        assert set(tile["layers"]) == set(ref)
        for name, layer in tile["layers"].items():
            assert layer["version"] == 2 and layer["extent"] == 4096
            assert len(layer["features"]) == len(ref[name]["features"])
            for fj, fp in zip(layer["features"], ref[name]["features"]):
                assert fj["properties"] == fp["properties"]
                assert fj["id"] == (fp.get("id") or None)  # protobuf decodes an absent id as 0
                assert fj["points"] > 0
    by_name = {Path(t["path"]).name: t for t in js}
    amiens = [f for f in by_name["z12.mvt.gz"]["layers"]["communes"]["features"] if f["properties"]["code"] == "80021"]
    assert amiens and amiens[0]["id"] == 80021 and amiens[0]["type"] == 3  # polygon
    expected = {p: z.code for p, z in small_dataset.communes["80021"].zonage.items() if z and z.code}
    assert {p: amiens[0]["properties"].get(p) for p in expected} == expected
    assert {f["type"] for f in by_name["lines.mvt.gz"]["layers"]["departements"]["features"]} == {2}  # lines


def test_styles_validate_with_gl_style_validate(served, tmp_path):
    validator = JS / "node_modules" / ".bin" / "gl-style-validate"
    files = []
    for p in PROFESSIONS:
        f = tmp_path / f"{p}.json"
        f.write_bytes(_get(f"/tiles/styles/{p}.json"))  # as served: absolute source URLs
        files.append(f)
    files += sorted((served["release_dir"] / "tiles" / "styles").glob("*.json"))  # as stored
    for f in files:
        r = subprocess.run([NODE, str(validator), str(f)], capture_output=True, text=True, timeout=60, check=False)
        assert r.returncode == 0, f"{f.name}: {r.stdout}{r.stderr}"
    # the validator does reject a broken style (the check can fail)
    bad = json.loads(files[0].read_text())
    bad["layers"][1]["source"] = "nope"
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    r = subprocess.run([NODE, str(validator), str(tmp_path / "bad.json")], capture_output=True, text=True, timeout=60,
                       check=False)
    assert r.returncode != 0

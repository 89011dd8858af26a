"""Open downloads of a release (step ``downloads``): per profession the zonage of every commune as CSV,
the aid catalogue as JSON, listed with size and sha256."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from rezone.constants import PROFESSIONS

pytestmark = pytest.mark.needs_sources


def test_downloads_written_with_sizes_and_sha256(small_release, small_dataset):
    rel = small_release["release_dir"]
    index = json.loads((rel / "downloads" / "index.json").read_text())
    files = {f["id"]: f for f in index["files"]}
    assert set(files) == {f"zonage-{p}" for p in PROFESSIONS} | {"aides"}
    for f in files.values():
        data = (rel / f["path"]).read_bytes()
        assert len(data) == f["bytes"] and hashlib.sha256(data).hexdigest() == f["sha256"]
        assert f["title"] and f["vintage"] and f["sources"]
    rows = list(csv.DictReader(io.StringIO((rel / "downloads" / "zonage-medecin.csv").read_text("utf-8"))))
    assert len(rows) == len(small_dataset.communes) == files["zonage-medecin"]["rows"]
    amiens = next(r for r in rows if r["code_insee"] == "80021")
    z = small_dataset.communes["80021"].zonage["medecin"]
    assert (amiens["nom"], amiens["zonage_code"], amiens["zonage_libelle"], amiens["source"], amiens["millesime"]) == \
        ("Amiens", z.code, z.label, z.source, z.vintage)
    unknown = [r for r in rows if not r["zonage_code"]]
    assert all(r["raison"] for r in unknown)  # never an empty cell without a reason
    catalogue = json.loads((rel / "downloads" / "aides.json").read_text())
    served = json.loads((rel / "eligibility" / "aids.json").read_text())
    assert [a["id"] for a in catalogue["aids"]] == [a["id"] for a in served["aids"]]
    assert all(a["sources"] for a in catalogue["aids"])


def _get(path, query="", headers=None):
    from rezone_infra.server import load_handler, make_event

    return load_handler("query")(make_event("GET", path, query, {"host": "rezone.test", **(headers or {})}, None), None)


def _body(resp) -> bytes:
    import base64

    return base64.b64decode(resp["body"]) if resp.get("isBase64Encoded") else resp["body"].encode()


def test_downloads_api(live_store, small_dataset):
    version = live_store["version"]
    r = _get("/v1/downloads")
    assert r["statusCode"] == 200 and r["headers"]["Access-Control-Allow-Origin"] == "*"
    listing = json.loads(r["body"])
    assert listing["release"] == version
    files = {f["id"]: f for f in listing["files"]}
    med = files["zonage-medecin"]
    assert med["url"] == f"http://rezone.test/v1/downloads/zonage-medecin.csv?v={version}" or \
        med["url"] == f"https://rezone.test/v1/downloads/zonage-medecin.csv?v={version}"
    # the file as listed: same bytes, size and sha256; immutable when pinned to the release
    got = _get("/v1/downloads/zonage-medecin.csv", f"v={version}")
    assert got["statusCode"] == 200 and got["headers"]["Content-Type"].startswith("text/csv")
    assert "immutable" in got["headers"]["Cache-Control"]
    data = _body(got)
    assert len(data) == med["size"] and hashlib.sha256(data).hexdigest() == med["sha256"]
    assert data.decode().splitlines()[0].startswith("code_insee,nom,departement,profession,zonage_code")
    aides = _get("/v1/downloads/aides.json")
    assert aides["headers"]["Cache-Control"] == "public, max-age=60"  # not pinned: may change with the release
    assert hashlib.sha256(_body(aides)).hexdigest() == files["aides"]["sha256"]
    for bad in ("nope.csv", "..%2Frelease.json", "index.json", "zonage-medecin.CSV"):
        r = _get(f"/v1/downloads/{bad}")
        assert r["statusCode"] == 404 and r["headers"]["Content-Type"].startswith("application/problem+json"), bad
        assert json.loads(r["body"])["param"] == "file"


def test_health_lists_the_sources(live_store, small_dataset):
    r = _get("/v1/health")
    body = json.loads(r["body"])
    assert body["status"] == "ok" and body["release"] == live_store["version"]
    ids = {s["id"]: s for s in body["sources"]}
    assert set(ids) == set(small_dataset.sources)
    apl = small_dataset.sources["apl"]
    assert (ids["apl"]["title"], ids["apl"]["license"], ids["apl"]["vintage"]) == (apl.title, apl.license, apl.vintage)

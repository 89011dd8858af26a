"""S3 end to end under moto: publish a real small release to a bucket, serve it from there.

The release built by the session's ``small_release`` fixture (build_release of départements
80, 13, 2A, 75) is published with :func:`rezone_build.publish.publish` to a moto S3 bucket; the
three Lambda handlers (loaded from ``functions/<name>/app.py`` exactly as the local server does)
answer the API Gateway v2 events of ``tests/events/*.json`` with ``REZONE_STORE=s3://…``.
Also: an interrupted publish leaves the old release served, rollback flips back, the manifest is
re-read only once per TTL.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import threading
from pathlib import Path

import pytest
from rezone import release
from rezone.storage import S3Store
from rezone_build.publish import PublishError, publish, read_manifest, rollback

EVENTS = Path(__file__).resolve().parent / "events"
BUCKET = "rezone-e2e-releases"
PREFIX = "rezone"
STORE_URL = f"s3://{BUCKET}/{PREFIX}"

pytestmark = pytest.mark.needs_sources


def event(name: str, **changes) -> dict:
    ev = json.loads((EVENTS / f"{name}.json").read_text())
    for k, v in changes.items():
        ev[k] = v
    return ev


def handler(name: str):
    from rezone_infra.server import ROOT, load_handler

    if not (ROOT / "functions" / name / "app.py").is_file():
        pytest.skip(f"functions/{name}/app.py not written yet")
    return load_handler(name)


def body_of(resp: dict) -> bytes:
    raw = resp.get("body") or ""
    return base64.b64decode(raw) if resp.get("isBase64Encoded") else raw.encode("utf-8")


def json_of(resp: dict):
    return json.loads(body_of(resp))


def headers_of(resp: dict) -> dict:
    return {k.lower(): v for k, v in (resp.get("headers") or {}).items()}


@pytest.fixture(scope="module")
def s3(small_release):
    """A moto S3 bucket holding the small release, published with rezone's publish()."""
    moto = pytest.importorskip("moto")
    mp = pytest.MonkeyPatch()
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "REZONE_STORE": STORE_URL,
    }.items():
        mp.setenv(k, v)
    with moto.mock_aws():
        import boto3

        client = boto3.client("s3", region_name="eu-west-3")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        store = S3Store(BUCKET, PREFIX, client=client)
        version = publish(small_release["release_dir"], store)
        release.reset(STORE_URL)
        yield {
            "client": client,
            "store": store,
            "version": version,
            "release_dir": small_release["release_dir"],
        }
    release.reset()
    mp.undo()


@pytest.fixture
def fresh(s3, monkeypatch):
    """Each test starts from the first published release and cold caches."""
    if read_manifest(s3["store"])["current"] != s3["version"]:
        from rezone_build.publish import flip

        flip(s3["store"], s3["version"])
    release.reset(STORE_URL)
    yield s3
    release.reset(STORE_URL)


# ------------------------------------------------------------------ what is in the bucket


def test_publish_layout_in_bucket(fresh):
    c, v = fresh["client"], fresh["version"]
    manifest = json.loads(c.get_object(Bucket=BUCKET, Key=f"{PREFIX}/manifest.json")["Body"].read())
    assert manifest["current"] == v
    keys = {
        o["Key"]
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX)
        for o in page.get("Contents", [])
    }
    local = {
        f"{PREFIX}/releases/{v}/{p.relative_to(fresh['release_dir']).as_posix()}"
        for p in fresh["release_dir"].rglob("*")
        if p.is_file()
    }
    assert local <= keys, f"not uploaded: {sorted(local - keys)[:5]}"
    head = c.head_object(Bucket=BUCKET, Key=f"{PREFIX}/releases/{v}/release.json")
    assert head["ContentType"] == "application/json"
    pm = [k for k in keys if k.endswith(".pmtiles")]
    if pm:
        assert c.head_object(Bucket=BUCKET, Key=pm[0])["ContentType"] == "application/vnd.pmtiles"


def test_s3_list_has_local_directory_semantics(fresh, small_release):
    from rezone.storage import LocalStore

    s3s, local, v = fresh["store"], LocalStore(small_release["store"]), fresh["version"]
    for prefix in (f"releases/{v}/tiles", f"releases/{v}/tiles/", f"releases/{v}/query/"):
        assert s3s.list(prefix) == local.list(prefix) and s3s.list(prefix), prefix
    assert s3s.list("releases/nope/") == []
    assert "manifest.json" in s3s.list("")


# ------------------------------------------------------------------ each handler, real events


def test_health_from_s3(fresh):
    r = handler("query")(event("health"), None)
    assert r["statusCode"] == 200
    d = json_of(r)
    assert (d["status"], d["release"], d["verified"]) == ("ok", fresh["version"], True)
    h = headers_of(r)
    assert h["access-control-allow-origin"] == "*" and h["x-content-type-options"] == "nosniff"


def test_locate_amiens_from_s3(fresh):
    r = handler("query")(event("locate_amiens"), None)
    assert r["statusCode"] == 200, body_of(r)
    d = json_of(r)
    assert d["commune"]["code"] == "80021" and d["commune"]["name"] == "Amiens"
    assert d["departement"]["code"] == "80" and d["region"]["code"] == "32"
    assert d["release"] == fresh["version"]
    assert set(d["zonage"]) == {
        "medecin",
        "infirmier",
        "masseur_kinesitherapeute",
        "sage_femme",
        "chirurgien_dentiste",
        "orthophoniste",
    }


def test_locate_outside_france_is_404_problem(fresh):
    ev = event(
        "locate_amiens", rawQueryString="lat=0.5&lon=-30", queryStringParameters={"lat": "0.5", "lon": "-30"}
    )
    r = handler("query")(ev, None)
    assert r["statusCode"] == 404
    assert headers_of(r)["content-type"].startswith("application/problem+json")


def test_communes_search_from_s3(fresh):
    r = handler("query")(event("communes_search"), None)
    assert r["statusCode"] == 200, body_of(r)
    hits = json_of(r)["results"]
    assert 1 <= len(hits) <= 5
    assert hits[0]["code"] == "80021" and hits[0]["name"] == "Amiens"
    assert "80000" in hits[0]["postal_codes"]


def test_territory_from_s3(fresh):
    r = handler("query")(event("territory_commune_amiens"), None)
    assert r["statusCode"] == 200, body_of(r)
    text = body_of(r).decode()
    assert "80021" in text and "Amiens" in text


def test_unknown_territory_is_404_not_500(fresh):
    ev = event(
        "territory_commune_amiens",
        rawPath="/v1/territories/commune/99999",
        pathParameters={"proxy": "territories/commune/99999"},
    )
    ev["requestContext"]["http"]["path"] = ev["rawPath"]
    r = handler("query")(ev, None)
    assert r["statusCode"] == 404, body_of(r)


def test_tilejson_and_tile_from_s3(fresh):
    tiles = handler("tiles")
    r = tiles(event("tilejson_zonage"), None)
    assert r["statusCode"] == 200, body_of(r)
    tj = json_of(r)
    assert tj["tilejson"].startswith("3.")
    template = tj["tiles"][0]
    assert "/tiles/zonage/{z}/{x}/{y}" in template and fresh["version"] in template
    ev = event("tile_zonage_amiens")
    r = tiles(ev, None)
    assert r["statusCode"] == 200, body_of(r)
    h = headers_of(r)
    assert h["content-type"] == "application/vnd.mapbox-vector-tile" and h["content-encoding"] == "gzip"
    assert h["access-control-allow-origin"] == "*"
    raw = gzip.decompress(body_of(r))
    assert b"communes" in raw and b"80021" in raw  # Amiens is in its own z10 tile
    etag = h.get("etag")
    if etag:
        ev2 = copy.deepcopy(ev)
        ev2["headers"]["if-none-match"] = etag
        assert tiles(ev2, None)["statusCode"] == 304


def test_aids_and_eligibility_from_s3(fresh):
    elig = handler("eligibility")
    r = elig(event("aids"), None)
    assert r["statusCode"] == 200, body_of(r)
    text = body_of(r).decode()
    assert "medecin" in text
    r = elig(event("eligibility_questions"), None)
    assert r["statusCode"] == 200, body_of(r)
    r = elig(event("eligibility_post"), None)
    assert r["statusCode"] == 200, body_of(r)
    d = json_of(r)
    assert d["profession"] == "medecin" and d["location"]["commune"]["code"] == "80021"
    assert d["aids"] and all(
        a["status"] in ("eligible", "not_eligible", "missing_information") for a in d["aids"]
    )
    # the eligibility and query functions read the same zone facts from the bucket
    located = json_of(handler("query")(event("locate_amiens"), None))
    zone = located["zonage"]["medecin"]["code"]
    assert d["location"]["zonage"]["medecin"]["code"] == zone
    caim = {a["id"]: a for a in d["aids"]}.get("M-CAIM")
    if caim and zone not in ("ZIP", None):  # the CAIM installation contract needs a ZIP
        assert caim["status"] == "not_eligible"
    assert all(a["sources"] for a in d["aids"])


def test_cors_preflight_answered(fresh):
    """OPTIONS /v1/eligibility reaches the query function (ANY /v1/{proxy+}): a 2xx with CORS."""
    r = handler("query")(event("options_preflight"), None)
    assert 200 <= r["statusCode"] < 300, r
    assert headers_of(r)["access-control-allow-methods"]


# ------------------------------------------------------------------ publishing safety


class FlakyStore:
    """An S3 store whose uploads fail after ``n`` objects (a crash half-way through an upload)."""

    def __init__(self, inner: S3Store, n: int):
        self.inner, self.n, self.url = inner, n, inner.url
        self.lock = threading.Lock()

    def put_file(self, key, path, content_type=None, on_bytes=None):
        with self.lock:  # publish() uploads from several threads
            self.n -= 1
            fail = self.n < 0
        if fail:
            raise ConnectionError("network down half-way through the upload")
        self.inner.put_file(key, path, content_type, on_bytes)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _served_version() -> str:
    release.reset(STORE_URL)
    return json_of(handler("query")(event("health"), None))["release"]


def test_interrupted_publish_keeps_old_release_served(fresh):
    store, v1 = fresh["store"], fresh["version"]
    n_files = sum(1 for p in fresh["release_dir"].rglob("*") if p.is_file())
    with pytest.raises(PublishError, match="network down"):
        publish(fresh["release_dir"], FlakyStore(store, n_files // 2), version="v-interrupted")
    assert read_manifest(store)["current"] == v1
    assert not store.exists("releases/v-interrupted/release.json")  # the completion marker is last
    assert _served_version() == v1
    # the half-uploaded release can never be made current
    with pytest.raises(PublishError):
        rollback(store, to="v-interrupted")
    assert _served_version() == v1


def test_publish_refuses_unsafe_versions(fresh):
    from rezone.storage import InvalidKey

    for bad in ("../evil", "a/../../b", "v 1", "v/"):
        with pytest.raises((InvalidKey, PublishError)):
            publish(fresh["release_dir"], fresh["store"], version=bad)
    assert read_manifest(fresh["store"])["current"] == fresh["version"]


def test_republish_then_rollback_flips_back(fresh):
    store, v1 = fresh["store"], fresh["version"]
    v2 = publish(fresh["release_dir"], store, version=v1 + "-b")
    assert read_manifest(store)["current"] == v2 and read_manifest(store)["history"][0] == v1
    assert _served_version() == v2
    assert rollback(store) == v1
    assert _served_version() == v1
    assert store.exists(f"releases/{v2}/release.json"), "rollback keeps the newer release for a roll-forward"


def test_manifest_read_once_per_ttl(fresh, monkeypatch):
    store, v1 = fresh["store"], fresh["version"]
    gets = []
    real_get = S3Store.get

    def counting_get(self, key):
        gets.append(key)
        return real_get(self, key)

    monkeypatch.setattr(S3Store, "get", counting_get)
    monkeypatch.setattr(release, "MANIFEST_TTL", 3600.0)
    health = handler("query")
    release.reset(STORE_URL)
    for _ in range(5):
        assert json_of(health(event("health"), None))["release"] == v1
    assert gets.count("manifest.json") == 1
    v3 = publish(fresh["release_dir"], store, version=v1 + "-c")
    gets.clear()  # (publish itself reads the manifest to update its history)
    # within the TTL a warm container keeps serving the release it knows (complete, still in the bucket)
    assert json_of(health(event("health"), None))["release"] == v1
    assert gets.count("manifest.json") == 0
    monkeypatch.setattr(release, "MANIFEST_TTL", 0.0)  # the TTL elapses
    assert json_of(health(event("health"), None))["release"] == v3
    assert gets.count("manifest.json") == 1

"""Storage faults: a stalled, throttled or failing S3 answers 503 problem+json, never a timeout.

``rezone serve --store s3://…`` runs in a subprocess against moto's S3 server on 127.0.0.1
(:class:`rezone_infra.fake_s3.FakeS3`, holding the session's small release). The moto process is
stalled with SIGSTOP (connections accepted, nothing answered) and resumed with SIGCONT; the
proxy in front of it answers ``503 SlowDown`` (throttling) or ``500 InternalError`` (failing S3).
Every request is made with the functions' own timeout (``Timeout`` in template.yaml) as the
client timeout: an answer that does not come before it fails the test. Each fault is met by a
request whose data is not cached yet, in each of the three functions; recovery is checked on the
same requests once S3 answers again.

Below them, the pieces in-process: the S3 client's configuration, the translation of botocore
failures into :class:`rezone.storage.StorageUnavailable`, and the warm release kept when the
manifest cannot be re-read.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The Lambda functions' timeout: an answer after this would be API Gateway's bare 500 on AWS.
FUNCTION_TIMEOUT_S = min(int(t) for t in re.findall(r"^\s+Timeout: (\d+)", (ROOT / "template.yaml").read_text(),
                                                    re.MULTILINE))


def tile_path(lon: float, lat: float, z: int) -> str:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/tiles/zonage/{z}/{x}/{y}.mvt"


AMIENS_TILE = tile_path(2.2957, 49.894, 9)
MARSEILLE = "/v1/locate?lat=43.2965&lon=5.3698"
PARIS = "/v1/locate?lat=48.8566&lon=2.3522"
PORTO_VECCHIO = "/v1/locate?lat=41.5911&lon=9.2795"


def eligibility(commune: str) -> bytes:
    return json.dumps({"profession": "medecin", "location": {"commune": commune}, "as_of": "2026-06-01",
                       "answers": {"project": "installation", "first_liberal_installation": True}}).encode()


@pytest.fixture(scope="module")
def served(small_release, tmp_path_factory):
    pytest.importorskip("moto")
    pytest.importorskip("flask")
    from rezone_infra.fake_s3 import FakeS3, rezone_serve

    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with FakeS3() as s3:
        url = s3.upload_store(small_release["store"], "rezone-faults", "rezone")
        with rezone_serve(url, {**s3.env(), "REZONE_MANIFEST_TTL": "300"}, log) as base:
            yield base, s3


def fetch(base: str, path: str, body: bytes | None = None):
    """(status, headers with lower-case names, body) within the function timeout, else the test fails."""
    req = urllib.request.Request(base + path, data=body, headers={"Origin": "https://partner.example"})
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=FUNCTION_TIMEOUT_S) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def assert_unavailable(answer):
    status, headers, body = answer
    assert status == 503, (status, body[:300])
    assert headers["content-type"].startswith("application/problem+json")
    assert headers["access-control-allow-origin"] == "*"
    assert int(headers["retry-after"]) > 0
    assert headers.get("cache-control") == "no-store"
    problem = json.loads(body)
    assert problem["status"] == 503 and problem["title"]


@pytest.mark.needs_sources
def test_stalled_s3_answers_503_then_recovers(served):
    base, s3 = served
    status, _, warm_tile = fetch(base, AMIENS_TILE)
    assert status == 200 and warm_tile  # manifest and tile directory now cached
    s3.stall()
    try:
        assert_unavailable(fetch(base, AMIENS_TILE))  # tile bytes are read from S3 on every request
        assert_unavailable(fetch(base, MARSEILLE))  # its locate shard was never read
        assert_unavailable(fetch(base, "/v1/eligibility", eligibility("2A004")))
    finally:
        s3.resume()
    status, _, tile = fetch(base, AMIENS_TILE)
    assert (status, tile) == (200, warm_tile)
    status, _, body = fetch(base, MARSEILLE)
    assert status == 200 and json.loads(body)["commune"]["code"] == "13055"
    status, _, body = fetch(base, "/v1/eligibility", eligibility("2A004"))
    assert status == 200 and json.loads(body)["location"]["commune"]["code"] == "2A004"


@pytest.mark.needs_sources
@pytest.mark.parametrize(("fault", "locate", "commune"), [((503, "SlowDown"), PARIS, "75056"),
                                                          ((500, "InternalError"), PORTO_VECCHIO, "2A247")])
def test_throttled_or_failing_s3_answers_503_then_recovers(served, fault, locate, commune):
    base, s3 = served
    s3.fail(*fault)
    try:
        assert_unavailable(fetch(base, AMIENS_TILE))
        assert_unavailable(fetch(base, locate))  # a place whose locate shard was never read
    finally:
        s3.heal()
    assert fetch(base, AMIENS_TILE)[0] == 200
    status, _, body = fetch(base, locate)
    assert status == 200 and json.loads(body)["commune"]["code"] == commune


# ------------------------------------------------------------------------------ in-process pieces


@pytest.fixture
def aws_env(monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "eu-west-3"}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)


def test_serving_client_fails_fast_and_batch_client_waits(aws_env):
    from rezone.storage import open_store

    cfg = open_store("s3://bucket/prefix", serving=True).client.meta.config
    assert (cfg.connect_timeout, cfg.read_timeout) == (0.5, 0.8)
    assert cfg.retries == {"mode": "standard", "total_max_attempts": 2}
    # worst case of one call: each attempt times out connecting or reading (not both), plus the
    # standard mode's backoff (at most 1 s before the 2nd attempt): within the 3 s target
    assert 2 * max(cfg.connect_timeout, cfg.read_timeout) + 1 <= 3 < FUNCTION_TIMEOUT_S
    batch = open_store("s3://bucket/prefix").client.meta.config
    assert batch.read_timeout >= 60 and batch.retries["total_max_attempts"] > 2


@pytest.mark.parametrize(("status", "code"), [(503, "SlowDown"), (500, "InternalError"), (403, "AccessDenied"),
                                              (404, "NoSuchBucket")])
def test_s3_errors_become_storage_unavailable(aws_env, status, code):
    from botocore.stub import Stubber
    from rezone.storage import S3Store, StorageUnavailable

    store = S3Store("bucket", "rezone", config={"retries": {"total_max_attempts": 1}})
    with Stubber(store.client) as stub:
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        with pytest.raises(StorageUnavailable, match=code):
            store.get("manifest.json")
        with pytest.raises(StorageUnavailable, match=code):
            store.get_range("releases/v1/tiles/zonage.pmtiles", 0, 127)


def test_missing_key_is_not_found_and_is_counted(aws_env):
    moto = pytest.importorskip("moto")
    from rezone.storage import NotFound, S3Store, read_count, reset_read_count

    with moto.mock_aws():
        store = S3Store("bucket", "rezone")
        store.client.create_bucket(Bucket="bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        store.put("a/b.json", b"{}")
        reset_read_count()
        assert store.get("a/b.json") == b"{}"
        with pytest.raises(NotFound):
            store.get_range("a/missing.json", 0, 10)
        assert read_count() == 2
        assert store.exists("a/b.json") and not store.exists("a/missing.json")


def test_unreachable_s3_is_storage_unavailable(aws_env, monkeypatch):
    from rezone.storage import S3Store, StorageUnavailable
    from rezone_infra.fake_s3 import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    store = S3Store("bucket", "rezone", config={"connect_timeout": 0.5, "retries": {"total_max_attempts": 1}})
    with pytest.raises(StorageUnavailable, match="127.0.0.1"):
        store.get("manifest.json")


class FlakyStore:
    """A store whose manifest read fails once ``down`` is set."""

    url = "flaky://"

    def __init__(self, version: str):
        self.version, self.down = version, False

    def get(self, key):
        from rezone.storage import StorageUnavailable

        if self.down:
            raise StorageUnavailable("flaky:// does not answer")
        return json.dumps({"current": self.version}).encode()


def test_warm_release_survives_a_manifest_read_failure(monkeypatch):
    from rezone import release
    from rezone.storage import StorageUnavailable

    store = FlakyStore("v1")
    monkeypatch.setattr(release, "MANIFEST_TTL", 0.0)
    release.reset()
    monkeypatch.setitem(release._state, "store", store)
    try:
        store.down = True
        with pytest.raises(StorageUnavailable):  # cold: nothing to fall back on
            release.current()
        store.down = False
        rel = release.current()
        assert rel.version == "v1"
        store.down = True
        assert release.current() is rel  # warm: the known release, not an error
        store.down, store.version = False, "v2"
        assert release.current().version == "v2"  # and the next successful read moves on
    finally:
        release.reset()

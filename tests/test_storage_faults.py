"""Storage faults: a stalled, throttled or failing S3 becomes StorageUnavailable, fast.

The S3 client's configuration, the translation of botocore failures into
:class:`rezone.storage.StorageUnavailable`, and the warm release kept when the manifest cannot
be re-read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The Lambda functions' timeout: an answer after this would be API Gateway's bare 500 on AWS.
FUNCTION_TIMEOUT_S = min(int(t) for t in re.findall(r"^\s+Timeout: (\d+)", (ROOT / "template.yaml").read_text(),
                                                    re.MULTILINE))


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

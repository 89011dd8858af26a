"""Storage keys, local store, publish/rollback on a local store, the release manifest cache."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rezone import release
from rezone.storage import InvalidKey, LocalStore, NotFound, check_key, open_store
from rezone_build.publish import PublishError, publish, read_manifest, rollback


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a/./b", "a\\b", "a\x00b", "a b", "%2e%2e/x", "a/"],
)
def test_unsafe_keys_are_refused(key):
    with pytest.raises(InvalidKey):
        check_key(key)


@given(st.lists(st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=8), min_size=1, max_size=5))
def test_check_key_never_escapes_root(parts):
    key = "/".join(parts)
    try:
        check_key(key)
    except InvalidKey:
        return
    assert ".." not in key.split("/") and not key.startswith("/")


def test_local_store_roundtrip_and_ranges(tmp_path):
    s = LocalStore(tmp_path)
    s.put("a/b/c.bin", b"0123456789")
    assert s.get("a/b/c.bin") == b"0123456789"
    assert s.get_range("a/b/c.bin", 3, 4) == b"3456"
    assert s.exists("a/b/c.bin") and not s.exists("a/b")
    assert s.list("a") == ["a/b/c.bin"]
    with pytest.raises(NotFound):
        s.get("a/b")  # a directory is not an object
    with pytest.raises(NotFound):
        s.get("nope.json")
    assert open_store(tmp_path).get("a/b/c.bin") == b"0123456789"
    assert open_store("s3://bucket/some/prefix").url == "s3://bucket/some/prefix"


def _fake_release(root, version, payload):
    d = root / version
    (d / "facts").mkdir(parents=True)
    (d / "facts" / "80.json").write_text(json.dumps(payload))
    (d / "release.json").write_text(json.dumps({"version": version}))
    return d


def test_publish_flip_and_rollback(tmp_path, monkeypatch):
    store = LocalStore(tmp_path / "store")
    v1 = _fake_release(tmp_path / "build", "v1", {"x": 1})
    v2 = _fake_release(tmp_path / "build", "v2", {"x": 2})
    publish(v1, store)
    assert read_manifest(store)["current"] == "v1"
    publish(v2, store)
    m = read_manifest(store)
    assert m["current"] == "v2" and m["history"] == ["v1"]
    assert store.exists("releases/v1/facts/80.json")  # the previous release stays

    monkeypatch.setenv("REZONE_STORE", str(tmp_path / "store"))
    release.reset()
    assert release.current().version == "v2"
    assert release.current().json("facts/80.json") == {"x": 2}

    assert rollback(store) == "v1"
    assert read_manifest(store)["current"] == "v1"
    release.reset()
    assert release.current().json("facts/80.json") == {"x": 1}
    release.reset()


def test_incomplete_release_is_refused(tmp_path):
    store = LocalStore(tmp_path / "store")
    d = tmp_path / "half"
    d.mkdir()
    (d / "x.json").write_text("{}")
    with pytest.raises(PublishError):
        publish(d, store)
    assert read_manifest(store)["current"] is None
    with pytest.raises(PublishError):
        rollback(store)


def test_no_release_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("REZONE_STORE", str(tmp_path))
    release.reset()
    with pytest.raises(release.NoRelease):
        release.current()
    release.reset()

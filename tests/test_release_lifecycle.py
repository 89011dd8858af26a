"""Release life cycle against moto's S3 server (a subprocess on 127.0.0.1): immutable versions, the
object list checked from what S3 reports, verify, rollback refusals, resume, prune, stalls, CLI errors.

Releases are small hand-made ones (a PMTiles archive written with the build's writer, a few JSON
files); each test gets its own bucket.
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from rezone import storage
from rezone.storage import open_store
from rezone_build.publish import PublishError, publish, read_manifest, rollback, verify_release
from rezone_build.releases import list_releases, prune
from rezone_infra.cli import main
from rezone_infra.fake_s3 import REGION, FakeS3


@pytest.fixture(scope="module")
def moto():
    with FakeS3() as m:
        mp = pytest.MonkeyPatch()
        for k, v in m.env().items():
            mp.setenv(k, v)
        mp.setenv("REZONE_S3_WRITE_TIMEOUT", "5")
        yield m
        mp.undo()


@pytest.fixture
def store(moto):
    name = f"rel-{uuid.uuid4().hex[:12]}"
    moto.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return open_store(f"s3://{name}/rezone")


def make_release(root: Path, version: str, tag: str, big: int = 0) -> Path:
    """A release build: tiles/zonage.pmtiles (tiles z0–2 whose bytes name ``tag``), facts, optional big file."""
    from pmtiles.tile import Compression
    from rezone_build.pmtiles_write import ArchiveWriter, TileType, tile_id

    d = root / version
    d.mkdir(parents=True)
    with ArchiveWriter(d / "tiles" / "zonage.pmtiles") as w:
        w.metadata = {"name": "zonage", "vector_layers": []}
        coords = [(z, x, y) for z in range(3) for x in range(1 << z) for y in range(1 << z)]
        for z, x, y in sorted(coords, key=lambda t: (t[0], tile_id(*t))):
            w.add(z, x, y, gzip.compress(f"{tag} {z}/{x}/{y}".encode()))
    (d / "facts").mkdir()
    for i in range(6):
        (d / "facts" / f"{i}.json").write_text(json.dumps({"tag": tag, "i": i}))
    with ArchiveWriter(d / "tiles" / "acces-hopital.pmtiles", TileType.PNG, Compression.NONE) as w:
        w.add(0, 0, 0, b"\x89PNG\r\n\x1a\n" + tag.encode())  # a raster tileset: same URL rules
    if big:
        (d / "raster").mkdir()
        (d / "raster" / "big.bin").write_bytes((tag.encode() * (big // len(tag) + 1))[:big])
    (d / "release.json").write_text(json.dumps({"version": version, "sources": {}}))
    return d


def raw(store, key: str) -> bytes:
    return store.get(key)


class CountingStore:
    """Counts the objects uploaded through it (optionally failing after ``fail_after`` of them)."""

    def __init__(self, inner, fail_after: int | None = None):
        self.inner, self.url, self.uploaded = inner, inner.url, []
        self.fail_after = fail_after
        self.lock = threading.Lock()

    def put_file(self, key, path, content_type=None, on_bytes=None):
        with self.lock:
            if self.fail_after is not None and len(self.uploaded) >= self.fail_after:
                raise ConnectionError("connection reset half-way through the publish")
            self.uploaded.append(key)
        self.inner.put_file(key, path, content_type, on_bytes)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ immutable versions


def test_corrupt_republish_is_refused_and_live_object_unchanged(store, tmp_path):
    d = make_release(tmp_path / "build", "v1", "one")
    assert publish(d, store, progress=False) == "v1"
    live = raw(store, "releases/v1/tiles/zonage.pmtiles")
    # the same version again, with the archive truncated
    bad = tmp_path / "bad" / "v1"
    shutil.copytree(d, bad)
    with open(bad / "tiles" / "zonage.pmtiles", "r+b") as f:
        f.truncate(100)
    with pytest.raises(PublishError, match=r"release v1 already exists .*tiles/zonage\.pmtiles differs"):
        publish(bad, store, progress=False)
    assert raw(store, "releases/v1/tiles/zonage.pmtiles") == live
    assert read_manifest(store)["current"] == "v1"
    assert verify_release(store).ok


def test_identical_republish_uploads_nothing_and_completes_a_missing_object(store, tmp_path):
    d = make_release(tmp_path / "build", "v1", "one")
    publish(d, store, progress=False)
    meta_before = raw(store, "releases/v1/release.json")
    counting = CountingStore(store)
    publish(d, counting, progress=False)
    assert counting.uploaded == []
    store.delete("releases/v1/facts/3.json")  # an object lost from the complete release
    assert verify_release(store).problems == ["releases/v1/facts/3.json: missing"]
    publish(d, counting, progress=False)
    assert counting.uploaded == ["releases/v1/facts/3.json"]
    assert raw(store, "releases/v1/release.json") == meta_before  # never rewritten
    assert verify_release(store).ok


def test_partial_release_with_other_bytes_is_refused(store, tmp_path):
    d = make_release(tmp_path / "build", "v1", "one")
    other = make_release(tmp_path / "other", "v1", "two")
    with pytest.raises(PublishError):
        publish(other, CountingStore(store, fail_after=2), progress=False, workers=1)
    with pytest.raises(PublishError, match=r"releases/v1/\S+ is already in .* differs from the local build"):
        publish(d, store, progress=False)
    assert read_manifest(store)["current"] is None


# ------------------------------------------------------------------ the object list, checked from S3


def test_manifest_lists_objects_and_multipart_checksum_is_checked(store, tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MULTIPART_THRESHOLD", 5 * 1024 * 1024)
    monkeypatch.setattr(storage, "PART_SIZE", 5 * 1024 * 1024)  # S3's minimum part size
    big = 11 * 1024 * 1024 + 17  # three parts
    d = make_release(tmp_path / "build", "v1", "big", big=big)
    publish(d, store, progress=False)
    meta = json.loads(raw(store, "releases/v1/release.json"))
    local = {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()} - {"release.json"}
    assert set(meta["objects"]) == local
    entry = meta["objects"]["raster/big.bin"]
    assert entry["size"] == big and entry["parts"] == 3 and entry["sha256_parts"]
    assert "sha256_parts" not in meta["objects"]["facts/0.json"]
    # what S3 reports for the multipart object is the SHA-256 of its parts, as listed
    info = store.stat("releases/v1/raster/big.bin")
    assert info.sha256 is None and info.sha256_parts == entry["sha256_parts"]
    # same size, other bytes, uploaded in parts by someone else: verify names it
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"x" * big)
    store.put_file("releases/v1/raster/big.bin", bad)
    v = verify_release(store, "v1")
    assert v.problems == ["releases/v1/raster/big.bin: sha256 of parts differs"]


def test_verify_cli_names_the_object_and_the_local_store_too(store, tmp_path, capsys):
    d = make_release(tmp_path / "build", "v1", "one")
    publish(d, store, progress=False)
    code, out, err = run_cli(capsys, "verify", "--store", store.url)
    assert code == 0 and out.startswith("release v1: 8 objects")
    store.delete("releases/v1/facts/2.json")
    code, out, err = run_cli(capsys, "verify", "--store", store.url, "--version", "v1")
    assert code == 1 and "releases/v1/facts/2.json: missing" in out
    assert len(err.strip().splitlines()) == 1 and "release v1" in err and "Traceback" not in err
    code, out, err = run_cli(capsys, "verify", "--store", store.url, "--version", "nope")
    assert code == 1 and "releases/nope/release.json: missing" in out
    # a local store: the file is hashed
    local = open_store(tmp_path / "local")
    publish(d, local, progress=False)
    (tmp_path / "local" / "releases" / "v1" / "facts" / "1.json").write_text('{"tag": "tampered"}')
    assert verify_release(local).problems[0].startswith("releases/v1/facts/1.json: size")


# ------------------------------------------------------------------ rollback


def test_rollback_to_release_with_missing_object_is_refused(store, tmp_path, capsys):
    publish(make_release(tmp_path / "b", "v1", "one"), store, progress=False)
    publish(make_release(tmp_path / "b", "v2", "two"), store, progress=False)
    store.delete("releases/v1/tiles/zonage.pmtiles")
    code, out, err = run_cli(capsys, "rollback", "--store", store.url)
    assert code == 1 and out == ""
    assert err.strip() == ("rezone rollback: rollback refused: release v1 fails verification: "
                           "releases/v1/tiles/zonage.pmtiles: missing")
    assert read_manifest(store)["current"] == "v2"
    with pytest.raises(PublishError, match="release nope"):
        rollback(store, to="nope")
    assert read_manifest(store)["current"] == "v2"


def test_rollback_verifies_and_records_it(store, tmp_path):
    publish(make_release(tmp_path / "b", "v1", "one"), store, progress=False)
    publish(make_release(tmp_path / "b", "v2", "two"), store, progress=False)
    assert rollback(store) == "v1"
    m = read_manifest(store)
    assert m["current"] == "v1" and m["history"][0] == "v2"
    assert m["verified"]["version"] == "v1" and m["verified"]["objects"] == 8


# ------------------------------------------------------------------ resume and prune


def test_interrupted_publish_is_resumed_uploading_only_what_is_missing(store, tmp_path):
    publish(make_release(tmp_path / "b", "v1", "one"), store, progress=False)
    d = make_release(tmp_path / "b", "v2", "two")
    first = CountingStore(store, fail_after=3)
    with pytest.raises(PublishError, match="connection reset"):
        publish(d, first, progress=False, workers=2)
    assert read_manifest(store)["current"] == "v1"
    done = set(first.uploaded)
    assert 3 <= len(done) < 8
    second = CountingStore(store)
    assert publish(d, second, progress=False) == "v2"
    expected = {f"releases/v2/{p.relative_to(d).as_posix()}" for p in d.rglob("*") if p.is_file()} - {
        "releases/v2/release.json"}
    assert set(second.uploaded) == expected - done
    assert read_manifest(store)["current"] == "v2" and verify_release(store).ok


def test_prune_keeps_live_and_rollback_target(store, tmp_path, capsys):
    for i, v in enumerate(["v1", "v2", "v3", "v4"]):
        publish(make_release(tmp_path / "b", v, f"t{i}"), store, progress=False)
    assert rollback(store, to="v2") == "v2"  # live v2, rollback target v4 (the previous live one)
    with pytest.raises(PublishError):  # an interrupted v5
        publish(make_release(tmp_path / "b", "v5", "t5"), CountingStore(store, fail_after=2), progress=False,
                workers=1)
    code, out, _ = run_cli(capsys, "releases", "--store", store.url, "--prune", "--keep", "0")
    assert code == 0 and out.splitlines()[-1].startswith("would remove 2 release(s)")  # v5 is young
    assert {r.version for r in list_releases(store)} == {"v1", "v2", "v3", "v4", "v5"}  # dry run
    plan = {r.version: r.role for r in prune(store, keep=0, grace=0, apply=True)}
    assert plan == {"v2": "live", "v4": "rollback", "v1": "delete", "v3": "delete", "v5": "delete"}
    assert {r.version for r in list_releases(store)} == {"v2", "v4"}
    assert store.scan("releases/v3/") == {}
    assert verify_release(store).ok and rollback(store) == "v4"
    # keep=1: one more complete release besides live and rollback survives
    publish(make_release(tmp_path / "b", "v6", "t6"), store, progress=False)
    plan = {r.version: r.role for r in prune(store, keep=1, grace=0)}
    assert plan == {"v6": "live", "v4": "rollback", "v2": "keep"}


def test_young_incomplete_release_is_left_alone(store, tmp_path):
    with pytest.raises(PublishError):
        publish(make_release(tmp_path / "b", "v1", "one"), CountingStore(store, fail_after=1), progress=False,
                workers=1)
    assert {r.version: r.role for r in prune(store, apply=True)} == {"v1": "recent"}
    assert store.scan("releases/v1/")


# ------------------------------------------------------------------ progress, stalls, CLI errors


def test_publish_progress_bar_and_quiet(store, tmp_path, capsys):
    d = make_release(tmp_path / "b", "v1", "one")
    publish(d, store, progress=True)
    err = capsys.readouterr().err
    assert "publish" in err and "8/8 objects" in err
    code, out, err = run_cli(capsys, "publish", str(make_release(tmp_path / "b", "v2", "two")), "--store",
                             store.url, "--quiet")
    assert code == 0 and out == f"published v2 to {store.url}\n" and err == ""  # no bar, the final line only


def test_stalled_store_ends_publish_with_a_clear_error(moto, store, tmp_path, monkeypatch):
    """S3 stops answering (SIGSTOP) once the upload has started: publish ends with one line, nothing flips."""
    monkeypatch.setenv("REZONE_S3_WRITE_TIMEOUT", "1")
    publish(make_release(tmp_path / "b", "v1", "one"), store, progress=False)
    stalled = open_store(store.url)  # a new client, with the 1 s timeouts

    class Stalling(CountingStore):
        def put_file(self, *args, **kwargs):
            moto.stall()
            return super().put_file(*args, **kwargs)

    try:
        with pytest.raises(PublishError, match=r"upload of releases/v2/\S+ to .* failed: .*(timeout|Timeout|timed out)"):
            publish(make_release(tmp_path / "b", "v2", "two"), Stalling(stalled), progress=False, workers=2)
    finally:
        moto.resume()
    assert read_manifest(store)["current"] == "v1"


def test_cli_errors_are_one_line(tmp_path, capsys, moto):
    (tmp_path / "half").mkdir()
    code, out, err = run_cli(capsys, "publish", str(tmp_path / "half"), "--store", str(tmp_path / "s"))
    assert code == 1 and err.count("\n") == 1 and "no release.json" in err
    (tmp_path / "s").mkdir()
    code, out, err = run_cli(capsys, "rollback", "--store", str(tmp_path / "s"))
    assert code == 1 and out == "" and err.count("\n") == 1 and "no earlier complete release" in err
    code, out, err = run_cli(capsys, "verify", "--store", "s3://no-such-bucket-here/x")
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err


# ------------------------------------------------------------------ tiles bound to their release


def _tile(path: str, query: str = "", headers: dict | None = None) -> tuple[int, dict, bytes]:
    from rezone.api.functions import tiles as handler
    from rezone_infra.server import make_event

    r = handler(make_event("GET", path, query, {"host": "tiles.example.org", **(headers or {})}, None), None)
    h = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
    body = r.get("body") or ""
    raw = base64.b64decode(body) if r.get("isBase64Encoded") else body.encode()
    return r["statusCode"], h, raw


def test_tile_urls_naming_a_release_get_only_that_release(store, tmp_path, monkeypatch):
    """Two releases published one after the other; a warm function that knows only the first."""
    from rezone import release

    monkeypatch.setenv("REZONE_STORE", store.url)
    monkeypatch.setattr(release, "MANIFEST_TTL", 3600.0)  # the function would not re-read the manifest by itself
    release.reset(store.url)
    publish(make_release(tmp_path / "b", "v1", "one"), store, progress=False)
    immutable = "public, max-age=31536000, immutable"
    try:
        s, h, raw = _tile("/tiles/zonage/1/0/1.mvt", "v=v1")
        assert s == 200 and h["cache-control"] == immutable and gzip.decompress(raw) == b"one 1/0/1"
        assert release.current().version == "v1"

        publish(make_release(tmp_path / "b", "v2", "two"), store, progress=False)
        # a URL naming the newer release: the manifest is re-read at once, the answer is v2's own bytes
        s, h, raw = _tile("/tiles/zonage/1/0/1.mvt", "v=v2")
        assert s == 200 and h["cache-control"] == immutable and gzip.decompress(raw) == b"two 1/0/1"
        assert release.current().version == "v2"
        # the older release, still complete in the store, answers with its own bytes
        s, h, raw = _tile("/tiles/zonage/1/0/1.mvt", "v=v1")
        assert s == 200 and h["cache-control"] == immutable and gzip.decompress(raw) == b"one 1/0/1"
        # raster tiles follow the same rule
        s, h, raw = _tile("/tiles/acces-hopital/0/0/0.png", "v=v1")
        assert s == 200 and h["cache-control"] == immutable and raw.endswith(b"one")
        # no release named: the live one, a short cache and an ETag naming it
        s, h, raw = _tile("/tiles/zonage/1/0/1.mvt")
        assert s == 200 and gzip.decompress(raw) == b"two 1/0/1"
        assert "immutable" not in h["cache-control"] and h["etag"].startswith('"v2-')
        assert _tile("/tiles/zonage/1/0/1.mvt", headers={"if-none-match": h["etag"]})[0] == 304
        # a release that does not exist: 404, never cached, never another release's bytes
        for v in ("v9", "nope!", "../v1"):
            s, h, raw = _tile("/tiles/acces-hopital/0/0/0.png", f"v={v}")
            assert s == 404 and h["cache-control"] == "no-store" and b"one" not in raw and b"two" not in raw

        # v1 pruned (live v3, rollback target v2): a function that served v1 before answers 404
        publish(make_release(tmp_path / "b", "v3", "three"), store, progress=False)
        assert {r.version: r.role for r in prune(store, keep=0, grace=0, apply=True)}["v1"] == "delete"
        for path in ("/tiles/zonage/1/0/1.mvt", "/tiles/acces-hopital/0/0/0.png"):
            s, h, raw = _tile(path, "v=v1")
            assert s == 404 and "immutable" not in h.get("cache-control", "") and b"one" not in raw
        release.reset(store.url)  # a cold function
        s, h, _ = _tile("/tiles/zonage/1/0/1.mvt", "v=v1")
        assert s == 404 and h["cache-control"] == "no-store"
        s, h, raw = _tile("/tiles/zonage/1/0/1.mvt", "v=v3")
        assert s == 200 and h["cache-control"] == immutable and gzip.decompress(raw) == b"three 1/0/1"
    finally:
        release.reset()

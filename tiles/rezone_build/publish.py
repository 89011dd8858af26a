"""Publish a built release to a store and flip the manifest atomically; roll back.

Order matters: every artifact is uploaded under ``releases/<version>/`` first, ``release.json``
last (its presence marks a complete upload), and only then is ``manifest.json`` rewritten with a
single PUT (atomic on S3, ``os.replace`` locally). An interrupted publish therefore leaves the
manifest naming the previous, complete release.
"""

from __future__ import annotations

import json
import mimetypes
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rezone import layout
from rezone.layout import MANIFEST_KEY, RELEASE_META
from rezone.storage import NotFound, Store, check_key

__all__ = ["PublishError", "publish", "read_manifest", "rollback"]


class PublishError(RuntimeError):
    pass


def read_manifest(store: Store) -> dict:
    try:
        return json.loads(store.get(MANIFEST_KEY))
    except NotFound:
        return {"current": None, "history": []}


def _content_type(name: str) -> str | None:
    if name.endswith(".pmtiles"):
        return "application/vnd.pmtiles"
    if name.endswith(".json"):
        return "application/json"
    return mimetypes.guess_type(name)[0]


def publish(release_dir: str | Path, store: Store, version: str | None = None, progress=None,
            workers: int = 8) -> str:
    """Upload ``release_dir`` as ``releases/<version>/`` then make it current. Returns the version.

    Artifacts are uploaded by ``workers`` threads (S3 PUTs are latency-bound); the first failure
    stops the upload and propagates before ``release.json`` and the manifest are written.
    """
    release_dir = Path(release_dir)
    meta_path = release_dir / RELEASE_META
    if not meta_path.is_file():
        raise PublishError(f"{release_dir} is not a complete release (no {RELEASE_META})")
    meta = json.loads(meta_path.read_text())
    version = version or meta["version"]
    check_key(layout.release_prefix(version) + RELEASE_META)
    files = sorted(p for p in release_dir.rglob("*") if p.is_file() and p.name != RELEASE_META)

    def upload(p: Path) -> str:
        rel = p.relative_to(release_dir).as_posix()
        store.put(layout.release_prefix(version) + rel, p.read_bytes(), _content_type(p.name))
        return rel

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        for rel in pool.map(upload, files):
            if progress:
                progress(rel)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    store.put(layout.release_prefix(version) + RELEASE_META, meta_path.read_bytes(), "application/json")
    flip(store, version)
    return version


def flip(store: Store, version: str) -> dict:
    """Point the manifest at ``version`` (which must be a complete release)."""
    if not store.exists(layout.release_prefix(version) + RELEASE_META):
        raise PublishError(f"release {version} is not complete in {store.url}")
    manifest = read_manifest(store)
    history = [v for v in manifest.get("history", []) if v != version]
    if manifest.get("current") and manifest["current"] != version:
        history.insert(0, manifest["current"])
    new = {"current": version, "history": history[:20], "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    store.put(MANIFEST_KEY, json.dumps(new, indent=1).encode(), "application/json")
    return new


def rollback(store: Store, to: str | None = None) -> str:
    """Make the previous (or the given) complete release current again."""
    manifest = read_manifest(store)
    candidates = [to] if to else manifest.get("history", [])
    for v in candidates:
        if v and store.exists(layout.release_prefix(v) + RELEASE_META):
            flip(store, v)
            return v
    if to:
        raise PublishError(f"unknown version {to}: no complete release of that name in {store.url}")
    raise PublishError(f"no earlier complete release to roll back to in {store.url}")

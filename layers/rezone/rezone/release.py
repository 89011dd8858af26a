"""The live release: a small manifest names it; everything else is read by versioned key.

Store layout::

    manifest.json                      {"current": "<version>", "history": [...], "verified": {...}}
                                       (flipped atomically, only to a release that passed verification)
    releases/<version>/release.json    metadata: sources, licences, quality summary, and every other
                                       object of the release with its size and sha256 (written last)
    releases/<version>/...             tiles/, query/, eligibility/, raster/ ...

Handlers call :func:`current` which re-reads the manifest at most once per ``MANIFEST_TTL``
seconds per warm container, and cache per-release objects in :class:`Release`. When the store
cannot answer that re-read (:class:`~rezone.storage.StorageUnavailable`), a warm container keeps
serving the release it knows for another TTL; a cold one lets the error reach the edge (503).
"""

from __future__ import annotations

import json
import os
import threading
import time

from . import layout
from .storage import NotFound, StorageUnavailable, Store, open_store

__all__ = ["DEFAULT_STORE", "MANIFEST_KEY", "NoRelease", "Release", "current", "reset"]

MANIFEST_KEY = layout.MANIFEST_KEY
MANIFEST_TTL = float(os.environ.get("REZONE_MANIFEST_TTL", "30"))
DEFAULT_STORE = "store"


class NoRelease(RuntimeError):
    """The store has no published release."""


class Release:
    """One published release: its version, the store, and a per-release cache of parsed objects."""

    def __init__(self, store: Store, version: str):
        self.store = store
        self.version = version
        self.prefix = layout.release_prefix(version)
        self.cache: dict = {}
        self.pointer: dict = {}  # the manifest.json that made this release live (published_at, verified)
        self._lock = threading.Lock()

    @property
    def verified(self) -> bool:
        """Whether publish/rollback verified every object of this release before making it live."""
        return (self.pointer.get("verified") or {}).get("version") == self.version

    def key(self, rel: str) -> str:
        return self.prefix + rel

    def get(self, rel: str) -> bytes:
        return self.store.get(self.key(rel))

    def get_range(self, rel: str, offset: int, length: int) -> bytes:
        return self.store.get_range(self.key(rel), offset, length)

    def json(self, rel: str):
        """Parsed JSON object of the release, cached for the warm lifetime."""
        try:
            return self.cache[("json", rel)]
        except KeyError:
            pass
        value = json.loads(self.get(rel))
        with self._lock:
            self.cache[("json", rel)] = value
        return value

    def memo(self, name, factory):
        """Cache any derived object (index, parsed header) for this release."""
        try:
            return self.cache[name]
        except KeyError:
            value = factory()
            with self._lock:
                self.cache[name] = value
            return value


_state: dict = {"store": None, "release": None, "checked": 0.0}
_state_lock = threading.Lock()


def store() -> Store:
    if _state["store"] is None:
        _state["store"] = open_store(os.environ.get("REZONE_STORE", DEFAULT_STORE), serving=True)
    return _state["store"]


def current() -> Release:
    """The live release, re-checking the manifest at most every MANIFEST_TTL seconds."""
    now = time.monotonic()
    rel = _state["release"]
    if rel is not None and now - _state["checked"] < MANIFEST_TTL:
        return rel
    with _state_lock:
        st = store()
        rel = _state["release"]
        if rel is not None and time.monotonic() - _state["checked"] < MANIFEST_TTL:
            return rel  # another thread re-read it while this one waited for the lock
        try:
            manifest = json.loads(st.get(MANIFEST_KEY))
        except NotFound:
            raise NoRelease(f"no manifest in {st.url}") from None
        except StorageUnavailable:
            if rel is None:
                raise
            _state["checked"] = now  # stale-if-error: the known release, until the next TTL
            return rel
        version = manifest["current"]
        if rel is None or rel.version != version:
            rel = Release(st, version)
        rel.pointer = manifest
        _state.update(release=rel, checked=now)
        return rel


def reset(store_url: str | None = None) -> None:
    """Forget cached state (tests, local server start)."""
    with _state_lock:
        if store_url is not None:
            os.environ["REZONE_STORE"] = str(store_url)
        _state.update(store=None, release=None, checked=0.0)

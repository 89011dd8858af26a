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

URLs that name a release (tile URLs carry ``?v=<version>``) are answered through :func:`pinned`:
only that release's own bytes, never another's. A version the container does not know as live
makes it re-read the manifest at once (the first time that version is seen, then at most once per
:data:`REFRESH_MIN` seconds); a complete older or not-yet-live release is read from its own objects
(a few kept warm); a version with no complete release in the store (never published, incomplete,
pruned) is :class:`UnknownRelease`.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import OrderedDict

from . import layout
from .errors import Unknown
from .storage import NotFound, StorageUnavailable, Store, open_store

__all__ = ["DEFAULT_STORE", "MANIFEST_KEY", "NoRelease", "Release", "UnknownRelease", "current", "pinned", "reset"]

MANIFEST_KEY = layout.MANIFEST_KEY
MANIFEST_TTL = float(os.environ.get("REZONE_MANIFEST_TTL", "30"))
DEFAULT_STORE = "store"
REFRESH_MIN = 1.0  # seconds: an unknown ?v= re-reads the manifest at most this often
OTHERS_KEPT = 8  # non-live releases (and unknown names) remembered for URLs that name them
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,99}$")


class NoRelease(RuntimeError):
    """The store has no published release."""


class UnknownRelease(Unknown):
    """A URL names a release the store has no complete copy of (never published, incomplete, pruned)."""

    title = "Version des données inconnue"


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
# version → (Release or None when the store has no complete copy, when it was looked up)
_others: OrderedDict[str, tuple[Release | None, float]] = OrderedDict()
_state_lock = threading.Lock()


def store() -> Store:
    if _state["store"] is None:
        _state["store"] = open_store(os.environ.get("REZONE_STORE", DEFAULT_STORE), serving=True)
    return _state["store"]


def current(max_age: float | None = None) -> Release:
    """The live release, re-checking the manifest at most every MANIFEST_TTL (or ``max_age``) seconds."""
    ttl = MANIFEST_TTL if max_age is None else min(max_age, MANIFEST_TTL)
    now = time.monotonic()
    rel = _state["release"]
    if rel is not None and now - _state["checked"] < ttl:
        return rel
    with _state_lock:
        st = store()
        rel = _state["release"]
        if rel is not None and time.monotonic() - _state["checked"] < ttl:
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


def pinned(version: str | None) -> tuple[Release, bool]:
    """The release a URL names (``?v=``), and whether the answer may be cached as immutable.

    No version: the live release, not pinned (the caller gives a short cache and an ETag). The live
    version: pinned. Another version: the manifest is re-read first (a release newer than this
    container knows); if it is still not the live one, it is read from its own objects when the
    store holds it complete, else :class:`UnknownRelease`: never another release's bytes.
    """
    live = current()
    if not version:
        return live, False
    if version == live.version:
        return live, True
    if not VERSION_RE.match(version):
        raise UnknownRelease(f"aucune version « {version[:100]} » des données", "v")
    with _state_lock:
        seen_before = version in _others
    # a version seen for the first time may be newer than this container knows: re-read the pointer
    # at once; a version already seen (an older release, or a name that does not exist) re-reads it
    # at most every REFRESH_MIN seconds, so a flood of such URLs cannot turn into manifest reads.
    live = current(max_age=REFRESH_MIN if seen_before else 0.0)
    if version == live.version:
        return live, True
    now = time.monotonic()
    with _state_lock:
        rel, seen = _others.get(version, (None, None))
        if seen is not None:
            _others.move_to_end(version)
    if seen is None or (rel is None and now - seen >= MANIFEST_TTL):  # "no such release" is re-checked
        st = live.store
        rel = Release(st, version) if st.exists(layout.release_prefix(version) + layout.RELEASE_META) else None
        with _state_lock:
            _others[version] = (rel, now)
            while len(_others) > OTHERS_KEPT:
                _others.popitem(last=False)
    if rel is None:
        raise UnknownRelease(f"aucune version « {version} » complète des données (jamais publiée ou supprimée)", "v")
    return rel, True


def reset(store_url: str | None = None) -> None:
    """Forget cached state (tests, local server start)."""
    with _state_lock:
        if store_url is not None:
            os.environ["REZONE_STORE"] = str(store_url)
        _state.update(store=None, release=None, checked=0.0)
        _others.clear()

"""Tiles of a release: PMTiles archives read through range requests, TileJSON 3.0.0, styles.

The archive's header and directories are parsed by the ``pmtiles`` package
(``deserialize_header``, ``deserialize_directory``, ``find_tile``). What this module adds is the
I/O discipline of a warm function: it is given ``get_bytes(offset, length)`` (``Release.get_range``
bound to one archive), takes the header, root directory and metadata from ONE first read of
16 KiB, and caches them per release (``Release.memo``); leaf directories are fetched once (the
whole leaf section in one read when it is small, else leaf by leaf) and cached, so a warm function
reads storage exactly once per tile. The HTTP routes are in :mod:`rezone.api.tiles`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import NamedTuple

from pmtiles.tile import (
    Compression,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)

from . import layout
from .constants import PROFESSIONS
from .errors import OutOfRange, Unknown
from .release import Release
from .storage import NotFound

__all__ = [
    "MAX_ZOOM",
    "TILEJSON_VERSION",
    "TILESET_RE",
    "TILE_TYPES",
    "Archive",
    "Header",
    "PMTilesError",
    "TileRef",
    "available",
    "find",
    "open_archive",
    "style",
    "tilejson",
    "zxy_to_tileid",
]

FIRST_READ = 16384
LEAF_SECTION_MAX = 4 * 1024 * 1024  # read the whole leaf section at once below this size
MAX_ZOOM = 30
TILESET_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
TILEJSON_VERSION = "1.0.0"  # semver of the tilesets' schema (layers, fields); the release id is in `release`

# PMTiles tile_type → (extension, content type)
TILE_TYPES = {
    1: ("mvt", "application/vnd.mapbox-vector-tile"),
    2: ("png", "image/png"),
    3: ("jpg", "image/jpeg"),
    4: ("webp", "image/webp"),
    5: ("avif", "image/avif"),
}
ENCODINGS = {Compression.GZIP: "gzip", Compression.BROTLI: "br", Compression.ZSTD: "zstd"}


class PMTilesError(Unknown, ValueError):
    """Not a PMTiles v3 archive, or a structure this reader does not support (served as an unknown resource)."""

    def __init__(self, detail: str):
        super().__init__(detail, "tileset")


class Header(NamedTuple):
    """The fields of the PMTiles header the service uses (from ``pmtiles.tile.deserialize_header``)."""

    root_offset: int
    root_length: int
    metadata_offset: int
    metadata_length: int
    leaf_offset: int
    leaf_length: int
    tile_data_offset: int
    tile_compression: Compression
    tile_type: int
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    center: tuple[float, float, int]


def _header(first: bytes) -> Header:
    if len(first) < 127:
        raise PMTilesError("not a PMTiles archive")
    try:
        h = deserialize_header(first)
    except (MagicNumberNotFound, UnicodeDecodeError):
        raise PMTilesError("not a PMTiles archive") from None
    except SpecVersionUnsupported:
        raise PMTilesError(f"PMTiles version {first[7]} not supported") from None
    except ValueError as exc:  # an unknown compression or tile type byte
        raise PMTilesError(f"unsupported PMTiles header: {exc}") from None
    if h["internal_compression"] != Compression.GZIP:
        raise PMTilesError(f"internal compression {h['internal_compression'].name} not supported")
    e7 = 1e7
    return Header(
        h["root_offset"], h["root_length"], h["metadata_offset"], h["metadata_length"],
        h["leaf_directory_offset"], h["leaf_directory_length"], h["tile_data_offset"],
        h["tile_compression"], h["tile_type"].value, h["min_zoom"], h["max_zoom"],
        (h["min_lon_e7"] / e7, h["min_lat_e7"] / e7, h["max_lon_e7"] / e7, h["max_lat_e7"] / e7),
        (h["center_lon_e7"] / e7, h["center_lat_e7"] / e7, h["center_zoom"]),
    )


class Archive:
    """A PMTiles v3 archive read through ``get_bytes(offset, length)``."""

    def __init__(self, get_bytes: Callable[[int, int], bytes]):
        self._get = get_bytes
        first = get_bytes(0, FIRST_READ)
        self.header = h = _header(first)
        self._first = first
        self.root = deserialize_directory(self._slice(h.root_offset, h.root_length))
        self._metadata: dict | None = None
        self._leaf_section: bytes | None = None
        self._leaves: dict[int, list] = {}

    def _slice(self, offset: int, length: int) -> bytes:
        if offset + length <= len(self._first):
            return self._first[offset : offset + length]
        return self._get(offset, length)

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            h = self.header
            if not h.metadata_length:
                self._metadata = {}
            else:
                import gzip

                self._metadata = json.loads(gzip.decompress(self._slice(h.metadata_offset, h.metadata_length)))
        return self._metadata

    def _leaf(self, offset: int, length: int) -> list:
        d = self._leaves.get(offset)
        if d is not None:
            return d
        h = self.header
        if h.leaf_length <= LEAF_SECTION_MAX:
            if self._leaf_section is None:
                self._leaf_section = self._get(h.leaf_offset, h.leaf_length)
            raw = self._leaf_section[offset : offset + length]
        else:
            raw = self._get(h.leaf_offset + offset, length)
        d = deserialize_directory(raw)
        self._leaves[offset] = d
        return d

    def locate(self, z: int, x: int, y: int) -> tuple[int, int] | None:
        """(absolute offset, length) of the tile's bytes, or None if the archive has no such tile."""
        tid = zxy_to_tileid(z, x, y)
        d = self.root
        for _ in range(4):  # the spec allows at most 3 levels of leaves
            e = find_tile(d, tid)
            if e is None:
                return None
            if e.run_length > 0:
                return self.header.tile_data_offset + e.offset, e.length
            d = self._leaf(e.offset, e.length)
        return None

    def entries(self):
        """Every tile entry as (tile_id, run_length, absolute offset, length), leaves walked in order."""

        def walk(d, depth):
            for e in d:
                if e.run_length == 0:
                    if depth < 3:
                        yield from walk(self._leaf(e.offset, e.length), depth + 1)
                else:
                    yield e.tile_id, e.run_length, self.header.tile_data_offset + e.offset, e.length

        yield from walk(self.root, 0)

    def read(self, offset: int, length: int) -> bytes:
        """The bytes at an absolute location returned by :meth:`locate` (one storage read)."""
        return self._get(offset, length)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        loc = self.locate(z, x, y)
        return None if loc is None else self.read(*loc)


# --------------------------------------------------------------------------------------------- release


def available(release: Release) -> frozenset[str]:
    """Names of the tilesets (``tiles/<name>.pmtiles``) of the release; one listing per release."""

    def scan():
        prefix = release.key(layout.TILES_DIR)
        names = set()
        for key in release.store.list(prefix):
            rest = key[len(prefix) :] if key.startswith(prefix) else ""
            if rest.endswith(".pmtiles") and "/" not in rest and TILESET_RE.match(rest[:-8]):
                names.add(rest[:-8])
        return frozenset(names)

    return release.memo("tiles:available", scan)


def open_archive(release: Release, name: str) -> Archive | None:
    """The parsed archive of tileset ``name`` (cached per release), or None if the release has none."""
    if not TILESET_RE.match(name) or name not in available(release):
        return None
    key = layout.tileset(name)
    return release.memo(("pmtiles", name), lambda: Archive(lambda o, n: release.get_range(key, o, n)))


def _archive(release: Release, name: str) -> Archive:
    a = open_archive(release, name)
    if a is None:
        raise Unknown(f"aucun jeu de tuiles « {name} »", "tileset", "Jeu de tuiles inconnu")
    return a


class TileRef(NamedTuple):
    """Where a tile's bytes are (``length`` 0: an empty tile) and how to serve them."""

    offset: int
    length: int
    content_type: str
    encoding: str | None
    archive: Archive


def find(release: Release, name: str, z: int, x: int, y: int, ext: str) -> TileRef | None:
    """The tile ``z/x/y`` of tileset ``name`` in format ``ext``, None if the archive has no such tile.

    OutOfRange for z over :data:`MAX_ZOOM`; Unknown for a tile outside the pyramid (x or y ≥ 2^z) and for a
    tileset, format or zoom the release does not have.
    """
    if z > MAX_ZOOM:
        raise OutOfRange(f"z doit être compris entre 0 et {MAX_ZOOM}", "z", "Niveau de zoom invalide")
    for param, v in (("x", x), ("y", y)):
        if v >= 1 << z:  # a well-formed tile outside the pyramid: no such resource
            raise Unknown(f"{param} doit être inférieur à 2^z", param, "Tuile hors de la pyramide")
    a = _archive(release, name)
    h = a.header
    kind, content_type = TILE_TYPES.get(h.tile_type, ("bin", "application/octet-stream"))
    if ext != kind:
        raise Unknown(f"le jeu « {name} » est servi en .{kind}", "format", "Format de tuile indisponible")
    if not h.min_zoom <= z <= h.max_zoom:
        raise Unknown(f"z doit être compris entre {h.min_zoom} et {h.max_zoom}", "z", "Niveau de zoom hors limites")
    loc = a.locate(z, x, y)
    if loc is None:
        return None
    return TileRef(loc[0], loc[1], content_type, ENCODINGS.get(h.tile_compression), a)


def _attribution(release: Release, metadata: dict) -> str:
    try:
        sources = release.json(layout.RELEASE_META).get("sources", {})
    except (NotFound, ValueError):
        sources = {}
    parts = []
    for sid in metadata.get("sources", []):
        s = sources.get(sid)
        if s:
            parts.append(f"{s.get('title', sid)} — {s.get('license', '?')} ({s.get('vintage', '?')})")
    if parts:
        return "Rézone · " + " · ".join(parts)
    return metadata.get("attribution") or "Rézone"


def tilejson(release: Release, name: str, base: str) -> dict:
    """TileJSON 3.0.0 of tileset ``name``; tile URLs name the release (``?v=``); Unknown if absent."""
    a = _archive(release, name)
    h, md = a.header, a.metadata
    ext = TILE_TYPES.get(h.tile_type, ("bin",))[0]
    tj = {
        "tilejson": "3.0.0",
        "name": md.get("name", name),
        "description": md.get("description", ""),
        "version": TILEJSON_VERSION,
        "release": release.version,
        "scheme": "xyz",
        "tiles": [f"{base}/tiles/{name}/{{z}}/{{x}}/{{y}}.{ext}?v={release.version}"],
        "minzoom": h.min_zoom,
        "maxzoom": h.max_zoom,
        "bounds": [round(v, 5) for v in h.bounds],
        "center": [round(h.center[0], 5), round(h.center[1], 5), h.center[2]],
        "attribution": _attribution(release, md),
    }
    if h.tile_type == 1:
        tj["vector_layers"] = md.get("vector_layers", [])
    else:
        tj["format"] = ext
    return tj


def style(release: Release, profession: str, base: str) -> dict:
    """The MapLibre style of ``profession``, its relative source and glyphs URLs made absolute on ``base``
    (the glyphs URL pinned to the release with ``?v=``)."""
    try:
        if profession not in PROFESSIONS:
            raise NotFound(profession)
        s = release.json(layout.style(profession))
    except NotFound:
        raise Unknown(f"professions : {', '.join(PROFESSIONS)}", "profession", "Style inconnu") from None
    out = dict(s)
    out["sources"] = {
        k: ({**v, "url": base + v["url"]} if str(v.get("url", "")).startswith("/") else v)
        for k, v in s["sources"].items()
    }
    if str(s.get("glyphs", "")).startswith("/"):  # pinned to this release: the ranges are cached forever
        out["glyphs"] = f"{base}{s['glyphs']}?v={release.version}"
    return out

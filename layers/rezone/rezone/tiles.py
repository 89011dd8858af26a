"""Tile serving: a pure PMTiles v3 reader, TileJSON 3.0.0, styles, and the tiles function's routing.

The reader never does I/O itself: it is given ``get_bytes(offset, length)`` (``Release.get_range``
bound to one archive), parses the header, root directory and metadata from ONE first read of 16 KiB,
and caches them per release (``Release.memo``). Leaf directories are fetched once (the whole leaf
section in one read when it is small, else leaf by leaf) and cached, so a warm function reads
storage exactly once per tile. Only the standard library is imported.

Routes (see docs/tiles.md)::

    GET /tiles/{tileset}.json               TileJSON 3.0.0 (short cache)
    GET /tiles/styles/{profession}.json     MapLibre style, sources rewritten to this host
    GET /tiles/{tileset}/{z}/{x}/{y}.{ext}  tile bytes as stored (gzip MVT passed through)
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from .constants import PROFESSIONS
from .http import IMMUTABLE, SHORT_CACHE, json_response, problem, response
from .release import NoRelease, Release, current
from .storage import InvalidKey, NotFound

__all__ = [
    "TILE_TYPES",
    "Archive",
    "Header",
    "PMTilesError",
    "available",
    "handle",
    "open_archive",
    "style",
    "tilejson",
    "zxy_to_tileid",
]

FIRST_READ = 16384
LEAF_SECTION_MAX = 4 * 1024 * 1024  # read the whole leaf section at once below this size
MAX_ZOOM = 30
TILESET_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
COORD_RE = re.compile(r"^[0-9]{1,10}$")
TILE_PATH_RE = re.compile(r"^/tiles/([^/]+)/([^/]*)/([^/]*)/([^/]*?)\.([A-Za-z0-9]+)$")
JSON_PATH_RE = re.compile(r"^/tiles/([^/]+)\.json$")
STYLE_PATH_RE = re.compile(r"^/tiles/styles/([^/]+)\.json$")
HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")

# PMTiles tile_type → (extension, content type)
TILE_TYPES = {
    1: ("mvt", "application/vnd.mapbox-vector-tile"),
    2: ("png", "image/png"),
    3: ("jpg", "image/jpeg"),
    4: ("webp", "image/webp"),
    5: ("avif", "image/avif"),
}
_NONE, _GZIP = 1, 2
_ENCODING = {_GZIP: "gzip", 3: "br", 4: "zstd"}


class PMTilesError(ValueError):
    """Not a PMTiles v3 archive, or a structure this reader does not support."""


class Header(NamedTuple):
    root_offset: int
    root_length: int
    metadata_offset: int
    metadata_length: int
    leaf_offset: int
    leaf_length: int
    tile_data_offset: int
    tile_data_length: int
    addressed_tiles: int
    tile_entries: int
    tile_contents: int
    clustered: bool
    internal_compression: int
    tile_compression: int
    tile_type: int
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    center: tuple[float, float, int]


def parse_header(b: bytes) -> Header:
    if len(b) < 127 or b[:7] != b"PMTiles":
        raise PMTilesError("not a PMTiles archive")
    if b[7] != 3:
        raise PMTilesError(f"PMTiles version {b[7]} not supported")

    def u64(i):
        return int.from_bytes(b[i : i + 8], "little")

    def i32(i):
        return int.from_bytes(b[i : i + 4], "little", signed=True) / 1e7

    return Header(
        u64(8), u64(16), u64(24), u64(32), u64(40), u64(48), u64(56), u64(64), u64(72), u64(80), u64(88),
        b[96] == 1, b[97], b[98], b[99], b[100], b[101],
        (i32(102), i32(106), i32(110), i32(114)),
        (i32(119), i32(123), b[118]),
    )


def _decompress(data: bytes, compression: int) -> bytes:
    if compression == _GZIP:
        return gzip.decompress(data)
    if compression in (_NONE, 0):
        return data
    raise PMTilesError(f"internal compression {compression} not supported")


def _varints(buf: bytes):
    value = shift = 0
    for byte in buf:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            yield value
            value = shift = 0


class Directory(NamedTuple):
    ids: list[int]
    runs: list[int]
    lengths: list[int]
    offsets: list[int]

    def find(self, tile_id: int) -> int | None:
        """Index of the entry holding ``tile_id`` (a tile, a run containing it, or a leaf pointer)."""
        i = bisect_right(self.ids, tile_id) - 1
        if i < 0:
            return None
        if self.ids[i] == tile_id or self.runs[i] == 0 or tile_id - self.ids[i] < self.runs[i]:
            return i
        return None


def parse_directory(data: bytes) -> Directory:
    it = _varints(data)
    n = next(it)
    ids, last = [], 0
    for _ in range(n):
        last += next(it)
        ids.append(last)
    runs = [next(it) for _ in range(n)]
    lengths = [next(it) for _ in range(n)]
    offsets: list[int] = []
    for i in range(n):
        v = next(it)
        offsets.append(offsets[i - 1] + lengths[i - 1] if v == 0 and i > 0 else v - 1)
    return Directory(ids, runs, lengths, offsets)


def zxy_to_tileid(z: int, x: int, y: int) -> int:
    """PMTiles Hilbert tile id."""
    acc = ((1 << (2 * z)) - 1) // 3
    n = 1 << z
    s = n >> 1
    d = 0
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x = n - 1 - x
                y = n - 1 - y
            x, y = y, x
        s >>= 1
    return acc + d


class Archive:
    """A PMTiles v3 archive read through ``get_bytes(offset, length)``."""

    def __init__(self, get_bytes: Callable[[int, int], bytes]):
        self._get = get_bytes
        first = get_bytes(0, FIRST_READ)
        self.header = h = parse_header(first)
        self._first = first
        self.root = parse_directory(_decompress(self._slice(h.root_offset, h.root_length), h.internal_compression))
        self._metadata: dict | None = None
        self._leaf_section: bytes | None = None
        self._leaves: dict[int, Directory] = {}

    def _slice(self, offset: int, length: int) -> bytes:
        if offset + length <= len(self._first):
            return self._first[offset : offset + length]
        return self._get(offset, length)

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            h = self.header
            raw = self._slice(h.metadata_offset, h.metadata_length) if h.metadata_length else b"{}"
            self._metadata = json.loads(_decompress(raw, h.internal_compression) if h.metadata_length else raw)
        return self._metadata

    def _leaf(self, offset: int, length: int) -> Directory:
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
        d = parse_directory(_decompress(raw, h.internal_compression))
        self._leaves[offset] = d
        return d

    def locate(self, z: int, x: int, y: int) -> tuple[int, int] | None:
        """(absolute offset, length) of the tile's bytes, or None if the archive has no such tile."""
        tid = zxy_to_tileid(z, x, y)
        d = self.root
        for _ in range(4):  # the spec allows at most 3 levels of leaves
            i = d.find(tid)
            if i is None:
                return None
            if d.runs[i] > 0:
                return self.header.tile_data_offset + d.offsets[i], d.lengths[i]
            d = self._leaf(d.offsets[i], d.lengths[i])
        return None

    def entries(self):
        """Every tile entry as (tile_id, run_length, absolute offset, length), leaves walked in order."""

        def walk(d, depth):
            for tid, run, length, offset in zip(d.ids, d.runs, d.lengths, d.offsets):
                if run == 0:
                    if depth < 3:
                        yield from walk(self._leaf(offset, length), depth + 1)
                else:
                    yield tid, run, self.header.tile_data_offset + offset, length

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
        prefix = release.key("tiles/")
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
    rel = f"tiles/{name}.pmtiles"
    return release.memo(("pmtiles", name), lambda: Archive(lambda o, n: release.get_range(rel, o, n)))


def _attribution(release: Release, metadata: dict) -> str:
    try:
        sources = release.json("release.json").get("sources", {})
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


def tilejson(release: Release, name: str, base: str) -> dict | None:
    a = open_archive(release, name)
    if a is None:
        return None
    h, md = a.header, a.metadata
    ext = TILE_TYPES.get(h.tile_type, ("bin",))[0]
    tj = {
        "tilejson": "3.0.0",
        "name": md.get("name", name),
        "description": md.get("description", ""),
        "version": release.version,
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


def style(release: Release, profession: str, base: str) -> dict | None:
    if profession not in PROFESSIONS:
        return None
    try:
        s = release.json(f"tiles/styles/{profession}.json")
    except NotFound:
        return None
    out = dict(s)
    out["sources"] = {
        k: ({**v, "url": base + v["url"]} if str(v.get("url", "")).startswith("/") else v)
        for k, v in s["sources"].items()
    }
    return out


# --------------------------------------------------------------------------------------------- HTTP


def _base_url(headers: dict) -> str:
    host = headers.get("x-forwarded-host") or headers.get("host") or ""
    if not HOST_RE.match(host):
        return ""
    proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto not in ("http", "https"):
        proto = "http" if host.startswith(("localhost", "127.0.0.1", "[::1]")) else "https"
    return f"{proto}://{host}"


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _tile(release: Release, headers: dict, name: str, zs: str, xs: str, ys: str, ext: str) -> dict:
    for param, v in (("z", zs), ("x", xs), ("y", ys)):
        if not COORD_RE.match(v):
            return problem(400, "Coordonnées de tuile invalides", f"{param} doit être un entier positif", param)
    z, x, y = int(zs), int(xs), int(ys)
    if z > MAX_ZOOM:
        return problem(400, "Niveau de zoom invalide", f"z doit être compris entre 0 et {MAX_ZOOM}", "z")
    for param, v in (("x", x), ("y", y)):
        if v >= 1 << z:
            return problem(400, "Coordonnées de tuile hors limites", f"{param} doit être inférieur à 2^z", param)
    a = open_archive(release, name)
    if a is None:
        return problem(404, "Jeu de tuiles inconnu", f"aucun jeu de tuiles « {name} »", "tileset")
    h = a.header
    kind, content_type = TILE_TYPES.get(h.tile_type, ("bin", "application/octet-stream"))
    if ext != kind:
        return problem(404, "Format de tuile indisponible", f"le jeu « {name} » est servi en .{kind}", "format")
    if not h.min_zoom <= z <= h.max_zoom:
        return problem(404, "Niveau de zoom hors limites",
                       f"z doit être compris entre {h.min_zoom} et {h.max_zoom}", "z")
    loc = a.locate(z, x, y)
    if loc is None or loc[1] == 0:
        return response(204)
    etag = f'"{release.version}-{loc[0]:x}"'
    cache = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if _etag_matches(headers.get("if-none-match"), etag):
        return response(304, b"", headers=cache)
    data = a.read(*loc)
    if h.tile_compression in _ENCODING:
        cache["Content-Encoding"] = _ENCODING[h.tile_compression]
    return response(200, data, content_type, cache)


def handle(event: dict) -> dict:
    """Answer one API Gateway v2 event for ``/tiles/*``; never raises."""
    try:
        method = event.get("requestContext", {}).get("http", {}).get("method", "GET").upper()
        path = event.get("rawPath") or ""
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        if method == "OPTIONS":
            return response(204)
        if method not in ("GET", "HEAD"):
            return problem(405, "Méthode non autorisée", "seul GET est accepté", "method")
        if ".." in path or "\\" in path or "\x00" in path:
            return problem(400, "Chemin invalide", "le chemin ne doit pas contenir « .. »", "path")
        m = TILE_PATH_RE.match(path)
        if m and m.group(1) != "styles":
            return _tile(current(), headers, *m.groups())
        m = STYLE_PATH_RE.match(path)
        if m:
            s = style(current(), m.group(1), _base_url(headers))
            if s is None:
                return problem(404, "Style inconnu", f"professions : {', '.join(PROFESSIONS)}", "profession")
            return json_response(200, s, SHORT_CACHE)
        m = JSON_PATH_RE.match(path)
        if m:
            tj = tilejson(current(), m.group(1), _base_url(headers))
            if tj is None:
                return problem(404, "Jeu de tuiles inconnu", f"aucun jeu de tuiles « {m.group(1)} »", "tileset")
            return json_response(200, tj, SHORT_CACHE)
        return problem(404, "Ressource inconnue", "chemins : /tiles/{jeu}.json, /tiles/{jeu}/{z}/{x}/{y}.mvt",
                       "path")
    except NoRelease:
        return problem(503, "Aucune version publiée", "le service n'a pas encore de données", None)
    except (InvalidKey, PMTilesError) as exc:
        return problem(404, "Ressource inconnue", str(exc)[:200], "path")
    except Exception as exc:  # noqa: BLE001 — storage down, corrupted archive…: never a 500
        return problem(503, "Service momentanément indisponible", type(exc).__name__, None)

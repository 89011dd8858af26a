"""Routes of the tiles function (standard library only: its cold start is measured).

    GET /tiles/{tileset}.json               TileJSON 3.0.0 (short cache)
    GET /tiles/styles/{profession}.json     MapLibre style, sources rewritten to this host
    GET /tiles/{tileset}/{z}/{x}/{y}.{ext}  tile bytes as stored (gzip MVT passed through), ETag, 204 empty
    GET /tiles/fonts/{fontstack}/{range}.pbf SDF glyphs of the labels (gzip at rest); immutable when ?v= is
                                            the release (the styles' glyphs URL), short cache otherwise

The reading is in :mod:`rezone.tiles`; here: path parsing, ETag / If-None-Match, headers.

Cache rule of a tile (vector or raster): a URL naming a release (``?v=<version>``, as TileJSON
writes them) is answered from that release only (:func:`rezone.release.pinned`) and cached as
immutable; a URL without ``v`` gets the live release with a short cache and an ETag naming the
release; an unknown or pruned release is a 404 (no-store), never another release's bytes.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from rezone.http import IMMUTABLE, SHORT_CACHE, ApiError, json_response, problem, response
from rezone.release import current, pinned

from .routing import Request, route

__all__ = ["ROUTES", "base_url", "guard"]

COORD_RE = re.compile(r"^[0-9]{1,10}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")


def base_url(headers: dict) -> str:
    """``proto://host`` of the request (for absolute URLs in TileJSON and styles), or '' if unsure."""
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


def tile(req: Request) -> dict:
    from rezone import tiles

    p = req.params
    for name in ("z", "x", "y"):
        if not COORD_RE.match(p[name]):
            raise ApiError(400, "Coordonnées de tuile invalides", f"{name} doit être un entier positif", name)
    release, is_pinned = pinned(req.query.get("v"))
    ref = tiles.find(release, p["tileset"], int(p["z"]), int(p["x"]), int(p["y"]), p["ext"])
    if ref is None or ref.length == 0:
        return response(204)
    etag = f'"{release.version}-{ref.offset:x}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if is_pinned else SHORT_CACHE}
    if _etag_matches(req.headers.get("if-none-match"), etag):
        return response(304, b"", headers=headers)
    if ref.encoding:
        headers["Content-Encoding"] = ref.encoding
    return response(200, ref.archive.read(ref.offset, ref.length), ref.content_type, headers)


def tilejson(req: Request) -> dict:
    from rezone import tiles

    return json_response(200, tiles.tilejson(current(), req.params["tileset"], base_url(req.headers)), SHORT_CACHE)


def style(req: Request) -> dict:
    from rezone import tiles

    return json_response(200, tiles.style(current(), req.params["profession"], base_url(req.headers)), SHORT_CACHE)


def font(req: Request) -> dict:
    from rezone import fonts

    release, is_pinned = pinned(req.query.get("v"))  # like tiles: ?v= is answered by that release only
    name, data = fonts.glyphs(release, unquote(req.params["fontstack"]), req.params["range"])
    return response(200, data, fonts.CONTENT_TYPE, {
        "Content-Encoding": "gzip", "Cache-Control": IMMUTABLE if is_pinned else SHORT_CACHE,
        "ETag": f'"{release.version}-{name}-{req.params["range"]}"'})


def guard(event: dict) -> dict | None:
    """Before routing: a path trying to leave the tiles (``..``, backslash, NUL) is a 400."""
    path = event.get("rawPath") or ""
    if ".." in path or "\\" in path or "\x00" in path:
        return problem(400, "Chemin invalide", "le chemin ne doit pas contenir « .. »", "path")
    return None


ROUTES = (
    route("GET", "/tiles/styles/{profession}.json", style),
    route("GET", "/tiles/fonts/{fontstack}/{range}.pbf", font),
    route("GET", "/tiles/{tileset}/{z}/{x}/{y}.{ext}", tile),
    route("GET", "/tiles/{tileset}.json", tilejson),
)

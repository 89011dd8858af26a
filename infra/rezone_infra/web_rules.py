"""How the web client's static files are served: ONE table of rules, used by the local server
(``rezone_infra.server``) and by the CDN upload (``rezone_infra.aws.upload_web``).

- Cache: ``index.html`` (and any page) is revalidated on every load (``no-cache`` + ETag); files whose
  name carries esbuild's content hash (``app-<HASH>.js``, ``chunk-<HASH>.js``, ``style-<HASH>.css``)
  never change under that name: ``immutable`` for a year; anything else (favicon) one hour.
- Compression: text types are sent with ``Content-Encoding: br`` or ``gzip`` when the client accepts
  it (``Accept-Encoding``, q-values honoured, brotli preferred), always with ``Vary: Accept-Encoding``.
  ``web/build.mjs`` writes ``<file>.br`` and ``<file>.gz`` next to each text file (cheaper once at
  build time than on every request, and brotli needs no Python dependency); the local server sends
  those, or gzips on the fly (cached) when a file has no sidecar. On AWS, CloudFront compresses
  itself (``Compress: true`` in template.yaml): the sidecars are not uploaded.
- The API: CloudFront compresses ``/v1/*`` (``Compress: true``) but passes ``/tiles/*`` through (tiles
  are gzip at rest); the local server does the same with gzip (``API_COMPRESSED_PREFIXES``).
"""

from __future__ import annotations

import mimetypes
import re

__all__ = [
    "API_COMPRESSED_PREFIXES",
    "CACHE_RULES",
    "COMPRESSIBLE_TYPES",
    "ENCODINGS",
    "SIDECAR_SUFFIXES",
    "api_encoding",
    "cache_control",
    "compressible",
    "content_type",
    "is_sidecar",
    "negotiate",
]

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
SHORT = "public, max-age=3600"

# (name pattern, Cache-Control): the first match wins.
CACHE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\.html?$"), REVALIDATE),
    (re.compile(r"-[A-Z2-7]{8}\.(?:js|css|map|woff2?|png|svg|webp)$"), IMMUTABLE),  # esbuild's [hash]
    (re.compile(r""), SHORT),
]

COMPRESSIBLE_TYPES = frozenset({
    "text/html", "text/css", "text/plain", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "application/geo+json",
})
MIN_COMPRESS = 256  # bytes: below this the encoding costs more than it saves
API_COMPRESSED_PREFIXES = ("/v1/",)  # the CDN behaviours with Compress: true (template.yaml)
# Content-Encoding → sidecar suffix, in order of preference.
ENCODINGS = {"br": ".br", "gzip": ".gz"}
SIDECAR_SUFFIXES = tuple(ENCODINGS.values())


def cache_control(name: str) -> str:
    """The Cache-Control of the web client's file ``name`` (a base name or a path)."""
    base = name.rsplit("/", 1)[-1]
    for pattern, value in CACHE_RULES:
        if pattern.search(base):
            return value
    raise AssertionError("the last rule matches everything")


def content_type(name: str) -> str:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml"):
        ctype += "; charset=utf-8"
    return ctype


def compressible(name: str, size: int) -> bool:
    return size >= MIN_COMPRESS and content_type(name).split(";")[0] in COMPRESSIBLE_TYPES


def is_sidecar(name: str) -> bool:
    """A precompressed copy written by the build (served in place of its original, never by name)."""
    return name.endswith(SIDECAR_SUFFIXES)


def negotiate(accept_encoding: str | None, available=ENCODINGS) -> str | None:
    """The best of ``available`` encodings the ``Accept-Encoding`` header allows (None: identity)."""
    if not accept_encoding:
        return None
    q: dict[str, float] = {}
    for part in accept_encoding.split(","):
        token, _, params = part.strip().partition(";")
        token = token.strip().lower()
        if not token:
            continue
        weight = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    weight = float(v)
                except ValueError:
                    weight = 0.0
        q[token] = weight
    best, best_q = None, 0.0
    for enc in available:  # preference order breaks ties
        weight = q.get(enc, q.get("*", 0.0))
        if weight > best_q:
            best, best_q = enc, weight
    return best


def api_encoding(path: str, headers: dict, size: int, accept_encoding: str | None) -> str | None:
    """``"gzip"`` when the CDN would compress this API response for this client, else None."""
    if not path.startswith(API_COMPRESSED_PREFIXES) or size < MIN_COMPRESS:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    if lower.get("content-encoding"):
        return None
    ctype = (lower.get("content-type") or "").split(";")[0].strip()
    if ctype not in COMPRESSIBLE_TYPES and not ctype.endswith("+json"):
        return None
    return negotiate(accept_encoding, ["gzip"])

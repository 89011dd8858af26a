"""Helpers shared by the tiles tests: the small release with its tiles summary, event and decoding helpers."""

from __future__ import annotations

import base64
import gzip

__all__ = ["body_bytes", "build_tiles_release", "decode", "event"]


def build_tiles_release(small_release) -> dict:
    """The session's small release (SMALL_DEPS, every step), with ``result`` = the ``tiles`` step summary."""
    return {**small_release, "result": small_release["result"]["results"]["tiles"]}


def event(path: str, headers: dict | None = None, method: str = "GET", query: str = "") -> dict:
    """An API Gateway HTTP API v2 event as Lambda receives it (behind a CDN host)."""
    from rezone_infra.server import make_event

    return make_event(method, path, query, {"host": "tiles.example.org", "x-forwarded-proto": "https", **(headers or {})},
                      None)


def body_bytes(resp: dict) -> bytes:
    return base64.b64decode(resp["body"]) if resp.get("isBase64Encoded") else resp.get("body", "").encode()


def decode(tile_gz: bytes) -> dict:
    """Decode a gzip MVT with mapbox-vector-tile (y down, tile units)."""
    import mapbox_vector_tile

    return mapbox_vector_tile.decode(gzip.decompress(tile_gz), default_options={"y_coord_down": True})

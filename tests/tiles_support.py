"""Helpers shared by the tiles tests: a release with only the ``tiles`` step, and event/decoding helpers."""

from __future__ import annotations

import base64
import gzip
from pathlib import Path

from conftest import SMALL_DEPS

__all__ = ["build_tiles_release", "event", "decode", "body_bytes"]

_built: dict = {}


def build_tiles_release(tmp_path_factory, dataset) -> dict:
    """Build and publish (once per session) a release of SMALL_DEPS made of the ``tiles`` step alone."""
    if "release" not in _built:
        from rezone_build.pipeline import build_release

        work = tmp_path_factory.mktemp("tiles-work")
        store = tmp_path_factory.mktemp("tiles-store")
        res = build_release(None, store, work, departements=SMALL_DEPS, dataset=dataset, steps=["tiles"], quiet=True)
        _built["release"] = {"store": store, "version": res["version"], "release_dir": Path(res["release_dir"]),
                             "result": res["results"]["tiles"]}
    return _built["release"]


def event(path: str, headers: dict | None = None, method: str = "GET") -> dict:
    """An API Gateway HTTP API v2 event as Lambda receives it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "tiles.example.org", "x-forwarded-proto": "https", **(headers or {})},
        "requestContext": {"http": {"method": method, "path": path}},
        "isBase64Encoded": False,
    }


def body_bytes(resp: dict) -> bytes:
    return base64.b64decode(resp["body"]) if resp.get("isBase64Encoded") else resp.get("body", "").encode()


def decode(tile_gz: bytes) -> dict:
    """Decode a gzip MVT with mapbox-vector-tile (y down, tile units)."""
    import mapbox_vector_tile

    return mapbox_vector_tile.decode(gzip.decompress(tile_gz), default_options={"y_coord_down": True})

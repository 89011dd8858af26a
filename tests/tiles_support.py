"""Helpers shared by the tiles tests: a release with only the ``tiles`` step, and event/decoding helpers."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import asdict

from conftest import SMALL_DEPS

__all__ = ["body_bytes", "build_tiles_release", "decode", "event"]

_built: dict = {}


def build_tiles_release(tmp_path_factory, dataset) -> dict:
    """Build and publish (once per session) a release of SMALL_DEPS made of the ``tiles`` step alone.

    Independent of the other steps (and of ``build_release``), so the tiles tests only test tiles.
    """
    if "release" not in _built:
        from rezone.storage import LocalStore
        from rezone_build.pipeline import BuildContext
        from rezone_build.publish import publish
        from rezone_build.tilesets import build

        work = tmp_path_factory.mktemp("tiles-work")
        store = tmp_path_factory.mktemp("tiles-store")
        version = "test-tiles-1"
        out = work / version
        out.mkdir()
        ctx = BuildContext(version=version, sources_dir=None, work_dir=work, departements=SMALL_DEPS, quiet=True)
        result = build(dataset, out, ctx)
        meta = {"version": version, "sources": {k: asdict(v) for k, v in dataset.sources.items()},
                "steps": {"tiles": result}}
        (out / "release.json").write_text(json.dumps(meta, ensure_ascii=False, default=str))
        publish(out, LocalStore(store), version)
        _built["release"] = {"store": store, "version": version, "release_dir": out, "result": result}
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

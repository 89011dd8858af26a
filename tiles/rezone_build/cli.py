"""``rezone``: the command-line tool (build, serve, publish, rollback, releases).

Defaults: ``--sources`` = ``../shared/data`` beside the repository when present, else the upstream
URLs downloaded into ``--work``/cache (sha256-checked); ``--store`` = ``store`` (a local directory);
``--work`` = ``.rezone``; ``serve`` listens on 127.0.0.1:8000.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["default_sources", "main"]

REPO = Path(__file__).resolve().parents[2]


def default_sources() -> Path | None:
    p = REPO.parent / "shared" / "data"
    return p if (p / "sources.json").is_file() else None


def _cmd_build(a) -> int:
    from .pipeline import build_release
    from .sources import SourceError

    deps = [d.strip() for d in a.departements.split(",")] if a.departements else None
    steps = [s.strip() for s in a.steps.split(",")] if a.steps else None
    try:
        res = build_release(a.sources or default_sources(), a.store, a.work, departements=deps, steps=steps,
                            do_publish=not a.no_publish)
    except SourceError as exc:
        print(f"rezone build: source error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a failed build leaves the live release untouched
        print(f"rezone build failed: {exc}\n(the previously published release, if any, is still live)",
              file=sys.stderr)
        return 1
    summary = res["dataset"].quality.get("summary", {})
    print("\n== Rézone build ==")
    print(f"version      {res['version']}")
    print(f"release dir  {res['release_dir']}")
    print(f"published to {a.store}" if not a.no_publish else "not published (--no-publish)")
    for k, v in res["timings_s"].items():
        print(f"time {k:<12} {v:8.1f} s")
    print(f"peak RSS     {res['peak_rss_mb']:.0f} MB")
    if summary:
        print("quality      " + json.dumps(summary, ensure_ascii=False))
    return 0


def _cmd_serve(a) -> int:
    from rezone_infra.server import serve

    serve(a.store, a.host, a.port, a.web)
    return 0


def _cmd_publish(a) -> int:
    from rezone.storage import open_store

    from .publish import publish

    v = publish(a.release, open_store(a.store))
    print(f"published {v} to {a.store}")
    return 0


def _cmd_rollback(a) -> int:
    from rezone.storage import open_store

    from .publish import rollback

    v = rollback(open_store(a.store), a.to)
    print(f"current release is now {v}")
    return 0


def _cmd_releases(a) -> int:
    from rezone.storage import open_store

    from .publish import read_manifest

    print(json.dumps(read_manifest(open_store(a.store)), indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="rezone", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build", help="sources → dataset → release, published to the store")
    b.add_argument("--sources", help="source directory (default: ../shared/data, else download)")
    b.add_argument("--store", default="store", help="local directory or s3://bucket/prefix (default: store)")
    b.add_argument("--work", default=".rezone", help="work directory: cache, staging (default: .rezone)")
    b.add_argument("--departements", help="comma-separated département codes to build (default: all)")
    b.add_argument("--steps", help="comma-separated release steps (default: all)")
    b.add_argument("--no-publish", action="store_true", help="build the release but do not publish it")
    b.set_defaults(fn=_cmd_build)

    s = sub.add_parser("serve", help="serve the API and the web client locally")
    s.add_argument("--store", default="store")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--web", default=None, help="web client folder (default: web/dist)")
    s.set_defaults(fn=_cmd_serve)

    pu = sub.add_parser("publish", help="upload a built release directory and make it current")
    pu.add_argument("release", help="a release directory (.rezone/releases/<version>)")
    pu.add_argument("--store", default="store")
    pu.set_defaults(fn=_cmd_publish)

    r = sub.add_parser("rollback", help="make the previous release current again")
    r.add_argument("--store", default="store")
    r.add_argument("--to", default=None, help="a specific version")
    r.set_defaults(fn=_cmd_rollback)

    ls = sub.add_parser("releases", help="show the manifest")
    ls.add_argument("--store", default="store")
    ls.set_defaults(fn=_cmd_releases)

    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())

"""``rezone``: the command-line tool (build, serve, publish, verify, rollback, releases).

It sits above the build pipeline (:mod:`rezone_build`) and the local server (:mod:`rezone_infra.server`),
and imports each lazily, in the command that needs it.

Defaults: ``--sources`` = ``../shared/data`` beside the repository when present, else the upstream
URLs downloaded into ``--work``/cache (sha256-checked); ``--store`` = ``store`` (a local directory);
``--work`` = ``.rezone``; ``serve`` listens on 127.0.0.1:8000.

Every command ends with one line: its result on stdout (exit 0) or ``rezone <command>: <reason>``
on stderr, with exit code 1 for a user error (bad store, unknown version, missing source, failed
build…) and 2 for a usage error (argparse); never a traceback (``--traceback`` shows it).
Commands report a user error by raising :class:`CliError` (or letting a known domain exception
through: :func:`main` is the one handler). ``--quiet`` (``args.quiet``) silences progress and
details; the final line and errors are still printed. Use :func:`info` for optional output and
:func:`progress_enabled` to decide whether to draw a progress bar.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["CliError", "info", "main", "progress_enabled"]

EXIT_USER = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user error: the command ends with this one-line message and exit code ``code`` (1)."""

    def __init__(self, message: str, code: int = EXIT_USER):
        super().__init__(message)
        self.code = code


def info(args, msg: str) -> None:
    """Print optional output (details, summaries) unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(msg, flush=True)


def progress_enabled(args) -> bool:
    """Whether a progress bar may be drawn (not ``--quiet``)."""
    return not getattr(args, "quiet", False)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rezone")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def _open_store(url: str, must_exist: bool = True):
    """The store at ``url``; a local store must be an existing directory unless it is about to be created."""
    from rezone.storage import open_store

    if not str(url).startswith("s3://"):
        p = Path(url)
        if p.exists() and not p.is_dir():
            raise CliError(f"store {url} is not a directory")
        if must_exist and not p.is_dir():
            raise CliError(f"store {url} does not exist (build or publish a release first)")
    return open_store(url)


def _cmd_build(a) -> int:
    from rezone_build.pipeline import build_release
    from rezone_build.sources import SourceError, default_sources

    deps = [d.strip() for d in a.departements.split(",")] if a.departements else None
    steps = [s.strip() for s in a.steps.split(",")] if a.steps else None
    try:
        res = build_release(a.sources or default_sources(), a.store, a.work, departements=deps, steps=steps,
                            do_publish=not a.no_publish, quiet=a.quiet)
    except SourceError as exc:
        raise CliError(f"source error: {exc}") from exc
    except Exception as exc:  # a failed build leaves the live release untouched
        raise CliError(f"build failed: {exc} (the previously published release, if any, is still live)") from exc
    summary = res["dataset"].quality.get("summary", {})
    info(a, "\n== Rézone build ==")
    info(a, f"release dir  {res['release_dir']}")
    peaks = res.get("peak_rss_mb_by_step", {})
    for k, v in res["timings_s"].items():
        info(a, f"time {k:<12} {v:8.1f} s" + (f"   peak RSS {peaks[k]:6.0f} MB" if k in peaks else ""))
    info(a, f"peak RSS     {res['peak_rss_mb']:.0f} MB")
    if summary:
        info(a, "quality      " + json.dumps(summary, ensure_ascii=False))
    print(f"built {res['version']}, " + (f"published to {a.store}" if not a.no_publish else "not published (--no-publish)"))
    return 0


def _cmd_serve(a) -> int:
    from .server import serve

    serve(a.store, a.host, a.port, a.web, a.workers)
    print("server stopped")
    return 0


def _cmd_publish(a) -> int:
    from rezone_build.publish import publish

    if not Path(a.release).is_dir():
        raise CliError(f"{a.release}: no such release directory")
    v = publish(a.release, _open_store(a.store, must_exist=False), progress=None if progress_enabled(a) else False)
    print(f"published {v} to {a.store}")
    return 0


def _cmd_verify(a) -> int:
    from rezone_build.publish import verify_release

    v = verify_release(_open_store(a.store), a.version)
    if v.problems:
        for p in v.problems[:50]:
            info(a, p)
        more = f", and {len(v.problems) - 1} more" if len(v.problems) > 1 else ""
        raise CliError(f"release {v.version} fails verification: {v.problems[0]}{more}")
    print(f"release {v.version}: {v.objects} objects, {v.bytes} bytes match its release.json in {a.store}")
    return 0


def _cmd_rollback(a) -> int:
    from rezone_build.publish import rollback

    v = rollback(_open_store(a.store), a.to)
    print(f"current release is now {v}")
    return 0


def _cmd_releases(a) -> int:
    from rezone_build.publish import read_manifest
    from rezone_build.releases import list_releases, prune

    store = _open_store(a.store)
    manifest = read_manifest(store)
    if a.json and not a.prune:
        rows = list_releases(store)
        print(json.dumps({**manifest, "releases": [
            {"version": r.version, "complete": r.complete, "objects": r.objects, "bytes": r.bytes, "role": r.role}
            for r in rows]}, indent=1))
        return 0
    rows = prune(store, keep=a.keep, apply=a.yes, grace=a.grace) if a.prune else list_releases(store)
    current, history = manifest.get("current"), manifest.get("history") or []
    for r in rows:
        state = "complete" if r.complete else "incomplete"
        info(a, f"{'*' if r.version == current else ' '} {r.version:<28} {state:<10} {r.objects:>6} objects "
                f"{r.bytes / 1e6:>9.1f} MB  {r.role}".rstrip())
    if a.prune:
        gone = [r for r in rows if r.role == "delete"]
        size = sum(r.bytes for r in gone) / 1e6
        if a.yes:
            print(f"removed {len(gone)} release(s), {size:.1f} MB from {a.store}")
        else:
            print(f"would remove {len(gone)} release(s), {size:.1f} MB (dry run: --yes to remove)")
        return 0
    print(f"current release: {current}, {len(history)} earlier" if current else f"no release published in {a.store}")
    return 0


def _close_progress_bars() -> None:
    """Close the progress bars a failed step left open, so that the error line starts a line."""
    tqdm = sys.modules.get("tqdm")
    for bar in list(getattr(getattr(tqdm, "tqdm", None), "_instances", None) or ()):
        bar.close()


def _one_line(exc: BaseException) -> str:
    """A one-line description of ``exc``: its message, or its type when the message says nothing."""
    from rezone_build.publish import PublishError
    from rezone_build.sources import SourceError

    msg = " ".join(str(exc).split())
    if isinstance(exc, (CliError, PublishError, SourceError, OSError)) and msg:
        return msg
    name = type(exc).__name__
    if name == "NotFound":  # rezone.storage.NotFound: a KeyError whose message is the key
        return f"not found in the store: {msg}"
    return f"{name}: {msg}" if msg else name


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rezone", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"rezone {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress bars or details: only the final line and errors")
    common.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                        help="on failure, show the Python traceback (for bug reports)")
    for flag in ("--quiet", "--traceback"):  # accepted before the command too: rezone -q build
        p.add_argument(*(["-q"] if flag == "--quiet" else []), flag, action="store_true", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    def command(name: str, help: str, fn) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, parents=[common])
        c.set_defaults(fn=fn)
        return c

    b = command("build", "sources → dataset → release, published to the store", _cmd_build)
    b.add_argument("--sources", help="source directory (default: ../shared/data, else download)")
    b.add_argument("--store", default="store", help="local directory or s3://bucket/prefix (default: store)")
    b.add_argument("--work", default=".rezone", help="work directory: cache, staging (default: .rezone)")
    b.add_argument("--departements", help="comma-separated département codes to build (default: all)")
    b.add_argument("--steps", help="comma-separated release steps (default: all)")
    b.add_argument("--no-publish", action="store_true", help="build the release but do not publish it")

    s = command("serve", "serve the API and the web client locally", _cmd_serve)
    s.add_argument("--store", default="store")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--web", default=None, help="web client folder (default: web/dist)")
    s.add_argument("--workers", type=int, default=1,
                   help="processes accepting requests, each with its own warm caches (default: 1; threads in "
                        "each answer all three functions concurrently)")

    pu = command("publish", "upload a built release directory, verify it and make it current", _cmd_publish)
    pu.add_argument("release", help="a release directory (.rezone/releases/<version>)")
    pu.add_argument("--store", default="store")

    ve = command("verify", "check a published release against its object list (release.json)", _cmd_verify)
    ve.add_argument("--store", default="store")
    ve.add_argument("--version", dest="version", default=None, help="a specific version (default: the live one)")

    r = command("rollback", "verify the previous release and make it current again", _cmd_rollback)
    r.add_argument("--store", default="store")
    r.add_argument("--to", default=None, help="a specific version")

    ls = command("releases", "list the releases of the store; --prune removes old and incomplete ones", _cmd_releases)
    ls.add_argument("--store", default="store")
    ls.add_argument("--json", action="store_true", help="the manifest and the releases as JSON")
    ls.add_argument("--prune", action="store_true",
                    help="remove incomplete releases and all but the last --keep complete ones (dry run without --yes)")
    ls.add_argument("--keep", type=int, default=3,
                    help="complete releases kept besides the live one and the rollback target (default 3)")
    ls.add_argument("--grace", type=float, default=3600,
                    help="seconds an incomplete release is left alone, in case its upload is running (default 3600)")
    ls.add_argument("--yes", "--apply", dest="yes", action="store_true", help="with --prune: really remove")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit code (0, 1 user error, 2 usage error, 130 interrupted)."""
    try:
        a = _parser().parse_args(argv)
    except SystemExit as exc:  # --help / --version (0) or a usage error (2, message printed by argparse)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return a.fn(a)
    except KeyboardInterrupt:
        _close_progress_bars()
        print(f"rezone {a.cmd}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # rezone releases | head
        sys.stderr.close()
        return EXIT_USER
    except Exception as exc:  # noqa: BLE001 - the one place a command's failure becomes a message
        _close_progress_bars()
        if a.traceback:
            import traceback

            traceback.print_exception(exc)
        print(f"rezone {a.cmd}: {_one_line(exc)}", file=sys.stderr)
        return exc.code if isinstance(exc, CliError) else EXIT_USER


if __name__ == "__main__":
    sys.exit(main())

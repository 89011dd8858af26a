"""Publish a built release to a store, verify it, flip the pointer; roll back.

Life cycle (docs/deploy.md): build → publish → verify → live → rollback → prune.

- A version is immutable. ``publish`` first lists ``releases/<version>/``: an object already there
  must match the local build (size and checksum as the store reports them) and is not uploaded
  again, so a re-run after an interrupted publish uploads only what is missing; an object that
  differs, or a complete release whose object list differs, refuses the publish. No object of a
  complete release is ever overwritten.
- Files are streamed (``Store.put_file``: S3 ``upload_file`` with a SHA-256 checksum, in parts above
  the multipart threshold), by ``workers`` threads; each upload is checked against the object list
  from what the store reports before ``release.json`` (which carries the list and marks the release
  complete) is written, last.
- ``flip`` rewrites ``manifest.json`` with one PUT (atomic on S3, ``os.replace`` locally) only after
  the release passed :func:`rezone_build.release_objects.verify`; the pointer records that check
  (``verified``), which ``/v1/health`` reports. ``rollback`` goes through the same ``flip``.

Errors are :class:`PublishError` with a one-line message naming the version or object.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from rezone import layout
from rezone.layout import MANIFEST_KEY, RELEASE_META
from rezone.storage import InvalidKey, NotFound, Store, check_key

from .release_objects import Verification, check, describe, diff, verify

__all__ = ["RELEASE_META", "PublishError", "flip", "publish", "read_manifest", "read_meta", "rollback",
           "verify_release"]


class PublishError(RuntimeError):
    """A publish, verify, rollback or prune that must not go on (one-line message)."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def _stat(store: Store, key: str):
    try:
        return store.stat(key)
    except Exception as exc:  # noqa: BLE001 - a stalled or failing store: one line naming the object
        raise PublishError(f"cannot read {key} in {store.url}: {_one_line(exc)}") from None


def _verify(store: Store, version: str, meta: dict | None, skip: frozenset[str] = frozenset()) -> Verification:
    try:
        return verify(store, version, meta, skip=skip)
    except Exception as exc:  # noqa: BLE001
        raise PublishError(f"cannot verify release {version} in {store.url}: {_one_line(exc)}") from None


def read_manifest(store: Store) -> dict:
    try:
        return json.loads(store.get(MANIFEST_KEY))
    except NotFound:
        return {"current": None, "history": []}
    except ValueError:
        raise PublishError(f"{store.url}/{MANIFEST_KEY} is not valid JSON") from None
    except Exception as exc:  # noqa: BLE001 - no such bucket, denied, stalled: one line
        raise PublishError(f"cannot read {MANIFEST_KEY} in {store.url}: {_one_line(exc)}") from None


def release_prefix(version: str) -> str:
    prefix = layout.release_prefix(version)
    try:
        check_key(prefix + RELEASE_META)
    except InvalidKey:
        raise PublishError(f"invalid release version {version!r}") from None
    if "/" in version:
        raise PublishError(f"invalid release version {version!r}")
    return prefix


def read_meta(store: Store, version: str) -> dict | None:
    """The stored ``release.json`` of ``version`` (None when the release is not complete)."""
    key = release_prefix(version) + RELEASE_META
    try:
        return json.loads(store.get(key))
    except NotFound:
        return None
    except ValueError:
        raise PublishError(f"{key} in {store.url} is not valid JSON") from None
    except Exception as exc:  # noqa: BLE001
        raise PublishError(f"cannot read {key} in {store.url}: {_one_line(exc)}") from None


def _content_type(name: str) -> str | None:
    if name.endswith(".pmtiles"):
        return "application/vnd.pmtiles"
    if name.endswith(".json"):
        return "application/json"
    return mimetypes.guess_type(name)[0]


class _Progress:
    """Bytes and objects uploaded: a tqdm bar on a terminal, nothing otherwise."""

    def __init__(self, show: bool, total_bytes: int, total_objects: int, done_objects: int):
        self.bar = None
        self.total, self.done = total_objects, done_objects
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024, desc="publish",
                            file=sys.stderr, dynamic_ncols=True)
            self._postfix()

    def _postfix(self):
        self.bar.set_postfix_str(f"{self.done}/{self.total} objects", refresh=False)

    def bytes(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def object(self) -> None:
        self.done += 1
        if self.bar is not None:
            self._postfix()
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def publish(release_dir: str | Path, store: Store, version: str | None = None, progress: bool | None = None,
            workers: int = 8) -> str:
    """Upload ``release_dir`` as ``releases/<version>/``, verify it, make it current. Returns the version.

    ``progress``: show a progress bar (None: only when stderr is a terminal).
    """
    release_dir = Path(release_dir)
    meta_path = release_dir / RELEASE_META
    if not meta_path.is_file():
        raise PublishError(f"{release_dir} is not a complete build (no {RELEASE_META})")
    meta = json.loads(meta_path.read_text())
    version = version or meta.get("version")
    if not version:
        raise PublishError(f"{meta_path} names no version")
    prefix = release_prefix(version)
    meta.update(describe(release_dir), version=version)
    objects = meta["objects"]

    stored_meta = read_meta(store, version)
    if stored_meta is not None:
        d = diff(objects, stored_meta.get("objects"))
        if d:
            raise PublishError(f"release {version} already exists in {store.url} with other content ({d}); "
                               "a published version is immutable: publish under a new version")
    try:
        present = store.scan(prefix)
    except Exception as exc:  # noqa: BLE001 - any store failure ends the publish with one line
        raise PublishError(f"cannot list {prefix} in {store.url}: {_one_line(exc)}") from None

    def compare(rel: str) -> tuple[str, str | None]:
        return rel, check(objects[rel], _stat(store, prefix + rel))

    checked: set[str] = set()
    todo = [rel for rel in objects if prefix + rel not in present]
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for rel, reason in pool.map(compare, [r for r in objects if prefix + r in present]):
            if reason:  # never overwrite: someone published other bytes under this version
                raise PublishError(f"release {version}: {prefix}{rel} is already in {store.url} and differs from "
                                   f"the local build ({reason}); publish under a new version")
            checked.add(rel)

    bar = _Progress(progress if progress is not None else sys.stderr.isatty(),
                    sum(objects[r]["size"] for r in todo), len(objects), len(checked))

    stop = threading.Event()  # after a failure, queued uploads do not start

    def upload(rel: str) -> str | None:
        if stop.is_set():
            return None
        key = prefix + rel
        try:
            store.put_file(key, release_dir / rel, _content_type(rel), bar.bytes)
            reason = check(objects[rel], store.stat(key))
        except Exception as exc:  # noqa: BLE001 - timeouts, connection errors, S3 errors: one line
            stop.set()
            raise PublishError(f"upload of {key} to {store.url} failed: {_one_line(exc)}") from None
        if reason:
            raise PublishError(f"release {version}: {key} as stored does not match the build ({reason})")
        return rel

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(upload, rel) for rel in todo]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for f in done:
                if f.exception() is not None:
                    stop.set()
                    raise f.exception()  # the first failure propagates; the rest are cancelled
                checked.add(f.result())
                bar.object()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()

    if stored_meta is None:
        # every object was checked above, from what the store reports: the release is complete
        try:
            store.put(prefix + RELEASE_META, json.dumps(meta, ensure_ascii=False, indent=1).encode(),
                      "application/json")
        except Exception as exc:  # noqa: BLE001
            raise PublishError(f"cannot write {prefix}{RELEASE_META} in {store.url}: {_one_line(exc)}") from None
        result = Verification(version, len(objects), sum(e["size"] for e in objects.values()), [])
    else:  # an identical complete release: never rewrite its release.json
        result = _verify(store, version, stored_meta, skip=frozenset(checked))
    flip(store, version, result)
    return version


def verify_release(store: Store, version: str | None = None) -> Verification:
    """Check ``version`` (default: the live release) in ``store`` against its stored object list."""
    if version is None:
        version = read_manifest(store).get("current")
        if not version:
            raise PublishError(f"no live release in {store.url}")
    return _verify(store, version, read_meta(store, version))


def _refusal(v: Verification, what: str) -> PublishError:
    more = f" (and {len(v.problems) - 1} more)" if len(v.problems) > 1 else ""
    return PublishError(f"{what} refused: release {v.version} fails verification: {v.problems[0]}{more}")


def flip(store: Store, version: str, verified: Verification | None = None) -> dict:
    """Point the manifest at ``version`` once it passed verification (run here unless given)."""
    release_prefix(version)
    if verified is None:
        verified = _verify(store, version, read_meta(store, version))
    if not verified.ok:
        raise _refusal(verified, "making it live")
    manifest = read_manifest(store)
    history = [v for v in manifest.get("history", []) if v != version]
    if manifest.get("current") and manifest["current"] != version:
        history.insert(0, manifest["current"])
    new = {
        "current": version,
        "history": history[:20],
        "published_at": _now(),
        "verified": {"version": version, "at": _now(), "objects": verified.objects, "bytes": verified.bytes},
    }
    try:
        store.put(MANIFEST_KEY, json.dumps(new, indent=1).encode(), "application/json")
    except Exception as exc:  # noqa: BLE001
        raise PublishError(f"cannot write {MANIFEST_KEY} in {store.url} (release {version} not live): "
                           f"{_one_line(exc)}") from None
    return new


def rollback_target(store: Store, manifest: dict | None = None) -> str | None:
    """The release ``rollback`` without ``--to`` would make live: the newest complete one in the history."""
    manifest = manifest if manifest is not None else read_manifest(store)
    for v in manifest.get("history", []):
        try:
            if v and store.exists(release_prefix(v) + RELEASE_META):
                return v
        except PublishError:
            continue
    return None


def rollback(store: Store, to: str | None = None) -> str:
    """Make the previous (or the given) complete release current again, after verifying it."""
    target = to or rollback_target(store)
    if target is None:
        raise PublishError(f"no earlier complete release to roll back to in {store.url}")
    v = _verify(store, target, read_meta(store, target))
    if not v.ok:
        raise _refusal(v, "rollback")
    flip(store, target, v)
    return target

"""Object storage: one small interface, a local-directory backend and an S3 backend.

Keys are POSIX-style relative paths ("releases/v1/tiles/zonage.pmtiles"). Keys are validated so
that no request can read outside the store root ("..", absolute paths, backslashes, NUL).
Range reads follow the PMTiles convention: ``get_range(key, offset, length)``.

Failures: a missing key is :class:`NotFound`; a store that cannot answer (S3 stalled, throttled,
failing, unreachable or refusing; a local disk error) is :class:`StorageUnavailable`, which the
HTTP edge answers ``503`` with ``Retry-After``. The S3 client used for serving fails fast
(:data:`SERVING_S3`: 0.5 s connect, 0.8 s read, 2 attempts with botocore's standard retry mode,
so a stalled S3 costs at most ~2.6 s of the function's 10 s timeout: connect/read + the standard
mode's backoff of up to 1 s + connect/read); the command line (publish, rollback) gets patient
timeouts and more attempts (:data:`BATCH_S3`). The serving figures can be tuned with
``REZONE_S3_CONNECT_TIMEOUT``, ``REZONE_S3_READ_TIMEOUT`` and ``REZONE_S3_MAX_ATTEMPTS``;
``benchmarks/bench_storage_faults.py`` measures the resulting 503 latency.

Publishing (build side) also uses the write/listing/checksum half: ``put_file`` streams a file
(S3: ``upload_file`` with a SHA-256 checksum, in parts from ``MULTIPART_THRESHOLD`` up), ``stat``
reports an object's size and checksum as the store holds it (S3: the checksum S3 computed and
stored at upload, from ``GetObjectAttributes``; a local store hashes its file), ``scan`` lists sizes
and modification times, ``delete_many`` removes objects. On S3 these use their own client
(5 s connect, ``REZONE_S3_WRITE_TIMEOUT`` = 15 s per socket operation, 4
attempts), so that a stalled S3 ends an upload with :class:`StorageUnavailable` in about a minute.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple, Protocol

__all__ = [
    "BATCH_S3",
    "SERVING_S3",
    "InvalidKey",
    "LocalStore",
    "NotFound",
    "ObjectInfo",
    "ObjectMeta",
    "S3Store",
    "StorageUnavailable",
    "Store",
    "check_key",
    "open_store",
    "read_count",
    "reset_read_count",
]


class NotFound(KeyError):
    """The key does not exist in the store."""


class StorageUnavailable(OSError):
    """The store did not answer (timeout, throttling, 5xx, unreachable, refused): try again later."""


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# botocore.config.Config keyword arguments (botocore is imported only when an S3 store is used).
SERVING_S3 = {
    "connect_timeout": _env_float("REZONE_S3_CONNECT_TIMEOUT", 0.5),
    "read_timeout": _env_float("REZONE_S3_READ_TIMEOUT", 0.8),
    "retries": {"mode": "standard", "total_max_attempts": int(_env_float("REZONE_S3_MAX_ATTEMPTS", 2))},
}
BATCH_S3 = {"connect_timeout": 5, "read_timeout": 60, "retries": {"mode": "standard", "total_max_attempts": 6}}


def _write_s3() -> dict:
    """Config of the publishing client (uploads, checksums, listings, deletes), read at client creation."""
    return {"connect_timeout": 5, "read_timeout": _env_float("REZONE_S3_WRITE_TIMEOUT", 15),
            "retries": {"mode": "standard", "total_max_attempts": 4}, "max_pool_connections": 32}


MULTIPART_THRESHOLD = 8 * 1024 * 1024  # S3: files at least this big are uploaded in parts ...
PART_SIZE = 8 * 1024 * 1024  # ... of this size (s3transfer's default, stated so that a manifest can rely on it)


class ObjectInfo(NamedTuple):
    """What the store reports about one object.

    ``sha256`` is the full-object SHA-256 (hex) when the store knows it; S3 knows it only for objects
    uploaded in one part with a SHA-256 checksum. For a multipart upload S3 keeps a SHA-256 *of the
    parts' SHA-256s* instead (a "composite" checksum): ``sha256_parts``, base64 as S3 reports it.
    """

    size: int
    sha256: str | None = None
    sha256_parts: str | None = None


class ObjectMeta(NamedTuple):
    size: int
    modified: float  # seconds since the epoch


class InvalidKey(ValueError):
    """The key is not a safe relative path."""


_reads = threading.local()  # storage reads made by this thread (one request) since the last reset


def reset_read_count() -> None:
    _reads.n = 0


def read_count() -> int:
    """How many objects or ranges this thread read (``get``/``get_range``) since :func:`reset_read_count`."""
    return getattr(_reads, "n", 0)


def _count_read() -> None:
    _reads.n = getattr(_reads, "n", 0) + 1


_KEY_RE = re.compile(r"^[A-Za-z0-9._\-/]+$")


def check_key(key: str) -> str:
    if (
        not key
        or not _KEY_RE.match(key)
        or key.startswith("/")
        or any(part in ("", ".", "..") for part in key.split("/"))
    ):
        raise InvalidKey(key)
    return key


class Store(Protocol):
    url: str

    def get(self, key: str) -> bytes: ...
    def get_range(self, key: str, offset: int, length: int) -> bytes: ...
    def put(self, key: str, data: bytes, content_type: str | None = None) -> None: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...
    def put_file(self, key: str, path: str | os.PathLike, content_type: str | None = None,
                 on_bytes: Callable[[int], None] | None = None) -> None: ...
    def stat(self, key: str) -> ObjectInfo | None: ...
    def scan(self, prefix: str) -> dict[str, ObjectMeta]: ...
    def delete_many(self, keys: Iterable[str]) -> None: ...


class LocalStore:
    """A directory on disk. Writes are atomic (temp file + rename)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.url = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def get(self, key: str) -> bytes:
        _count_read()
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key) from None
        except OSError as exc:
            raise StorageUnavailable(f"{self.url}: {exc}") from exc

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        _count_read()
        try:
            with open(self._path(key), "rb") as f:
                f.seek(offset)
                return f.read(length)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key) from None
        except OSError as exc:
            raise StorageUnavailable(f"{self.url}: {exc}") from exc

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return []
        return sorted(
            str(p.relative_to(self.root)).replace(os.sep, "/")
            for p in base.rglob("*")
            if p.is_file() and not p.name.endswith(".tmp")
        )

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass


    def put_file(self, key, path, content_type=None, on_bytes=None) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        with open(path, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
        os.replace(tmp, dest)

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            with open(self._path(key), "rb") as f:
                return ObjectInfo(os.fstat(f.fileno()).st_size, hashlib.file_digest(f, "sha256").hexdigest())
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def scan(self, prefix: str) -> dict[str, ObjectMeta]:
        out = {}
        for key in self.list(prefix):
            st = (self.root / key).stat()
            out[key] = ObjectMeta(st.st_size, st.st_mtime)
        return out

    def delete_many(self, keys: Iterable[str]) -> None:
        dirs = set()
        for key in keys:
            self.delete(key)
            dirs.update(self._path(key).parents)
        for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):  # empty folders left behind
            if d != self.root and self.root in d.parents:
                try:
                    d.rmdir()
                except OSError:
                    pass


class S3Store:
    """An S3 bucket and prefix (``s3://bucket/prefix``), read with boto3 (imported lazily).

    ``config`` holds :class:`botocore.config.Config` arguments (default :data:`BATCH_S3`).
    Every call raises :class:`NotFound` for a missing key and :class:`StorageUnavailable` for
    any other failure, with the botocore reason in the message.
    """

    def __init__(self, bucket: str, prefix: str = "", client=None, config: dict | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.config = dict(config or BATCH_S3)
        self._client = client
        self._write_client = client  # an injected client (tests) serves both

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client("s3", config=Config(**self.config))
        return self._client

    def _k(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, key: str, fn):
        """Run ``fn()`` (one S3 call, its body read included), translating its failures."""
        try:
            return fn()
        except Exception as exc:
            from botocore.exceptions import BotoCoreError, ClientError

            if isinstance(exc, ClientError):
                code = exc.response.get("Error", {}).get("Code")
                if code in ("NoSuchKey", "404", "NotFound"):
                    raise NotFound(key) from None
            elif not isinstance(exc, (BotoCoreError, OSError)):
                raise
            raise StorageUnavailable(f"{self.url}: {exc}") from exc

    def get(self, key: str) -> bytes:
        _count_read()
        k = self._k(key)
        return self._call(key, lambda: self.client.get_object(Bucket=self.bucket, Key=k)["Body"].read())

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        _count_read()
        k, rng = self._k(key), f"bytes={offset}-{offset + length - 1}"
        return self._call(key, lambda: self.client.get_object(Bucket=self.bucket, Key=k, Range=rng)["Body"].read())

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        k = self._k(key)
        self._call(key, lambda: self.client.put_object(Bucket=self.bucket, Key=k, Body=data, **extra))

    def exists(self, key: str) -> bool:
        k = self._k(key)
        try:
            self._call(key, lambda: self.client.head_object(Bucket=self.bucket, Key=k))
            return True
        except NotFound:
            return False

    def list(self, prefix: str) -> list[str]:
        # Directory semantics, like LocalStore: "a/b" and "a/b/" both list the keys under a/b/.
        p = prefix.strip("/")
        full = self._k(p) + "/" if p else (f"{self.prefix}/" if self.prefix else "")

        def keys() -> list[str]:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
            return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

        out = self._call(prefix or "/", keys)
        return sorted(k[len(self.prefix) + 1 :] if self.prefix else k for k in out)

    def delete(self, key: str) -> None:
        k = self._k(key)
        self._call(key, lambda: self.client.delete_object(Bucket=self.bucket, Key=k))


    # -- writes, listing and checksums (publishing) ------------------------------------------

    @property
    def write_client(self):
        """The publishing client: bounded timeouts, so that a stalled S3 ends a publish."""
        if self._write_client is None:
            import boto3
            from botocore.config import Config

            self._write_client = boto3.client("s3", config=Config(**_write_s3()))
        return self._write_client

    def put_file(self, key, path, content_type=None, on_bytes=None) -> None:
        from boto3.s3.transfer import TransferConfig

        extra = {"ChecksumAlgorithm": "SHA256"}
        if content_type:
            extra["ContentType"] = content_type
        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=PART_SIZE,
                                max_concurrency=4)
        k = self._k(key)
        self._call(key, lambda: self.write_client.upload_file(str(path), self.bucket, k, ExtraArgs=extra,
                                                              Config=config, Callback=on_bytes))

    def stat(self, key: str) -> ObjectInfo | None:
        # GetObjectAttributes (not HeadObject) says whether the SHA-256 is of the object or of its parts.
        k = self._k(key)
        try:
            a = self._call(key, lambda: self.write_client.get_object_attributes(
                Bucket=self.bucket, Key=k, ObjectAttributes=["Checksum", "ObjectSize"]))
        except NotFound:
            return None
        c = (a.get("Checksum") or {}).get("ChecksumSHA256")
        if c and (a["Checksum"].get("ChecksumType") == "COMPOSITE" or "-" in c):
            return ObjectInfo(a["ObjectSize"], None, c.split("-")[0])
        return ObjectInfo(a["ObjectSize"], base64.b64decode(c).hex() if c else None)

    def scan(self, prefix: str) -> dict[str, ObjectMeta]:
        p = prefix.strip("/")
        full = self._k(p) + "/" if p else (f"{self.prefix}/" if self.prefix else "")

        def objects() -> list[dict]:
            pages = self.write_client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full)
            return [obj for page in pages for obj in page.get("Contents", [])]

        return {(o["Key"][len(self.prefix) + 1 :] if self.prefix else o["Key"]):
                ObjectMeta(o["Size"], o["LastModified"].timestamp()) for o in self._call(prefix or "/", objects)}

    def delete_many(self, keys: Iterable[str]) -> None:
        keys = [self._k(k) for k in keys]
        for i in range(0, len(keys), 1000):  # DeleteObjects takes at most 1,000 keys
            batch = {"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
            r = self._call(keys[i], lambda b=batch: self.write_client.delete_objects(Bucket=self.bucket, Delete=b))
            if r.get("Errors"):
                e = r["Errors"][0]
                raise StorageUnavailable(f"{self.url}: could not delete {e.get('Key')}: {e.get('Code')}")


def open_store(url: str | os.PathLike, *, serving: bool = False) -> Store:
    """``s3://bucket/prefix`` → S3Store; anything else is a local directory.

    ``serving``: an S3 store fails fast (:data:`SERVING_S3`) instead of waiting (:data:`BATCH_S3`).
    """
    s = str(url)
    if s.startswith("s3://"):
        bucket, _, prefix = s[5:].partition("/")
        return S3Store(bucket, prefix, config=SERVING_S3 if serving else BATCH_S3)
    return LocalStore(s)

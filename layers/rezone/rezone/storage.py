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
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Protocol

__all__ = [
    "BATCH_S3",
    "SERVING_S3",
    "InvalidKey",
    "LocalStore",
    "NotFound",
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


def open_store(url: str | os.PathLike, *, serving: bool = False) -> Store:
    """``s3://bucket/prefix`` → S3Store; anything else is a local directory.

    ``serving``: an S3 store fails fast (:data:`SERVING_S3`) instead of waiting (:data:`BATCH_S3`).
    """
    s = str(url)
    if s.startswith("s3://"):
        bucket, _, prefix = s[5:].partition("/")
        return S3Store(bucket, prefix, config=SERVING_S3 if serving else BATCH_S3)
    return LocalStore(s)

"""Object storage: one small interface, a local-directory backend and an S3 backend.

Keys are POSIX-style relative paths ("releases/v1/tiles/zonage.pmtiles"). Keys are validated so
that no request can read outside the store root ("..", absolute paths, backslashes, NUL).
Range reads follow the PMTiles convention: ``get_range(key, offset, length)``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

__all__ = ["InvalidKey", "LocalStore", "NotFound", "S3Store", "Store", "check_key", "open_store"]


class NotFound(KeyError):
    """The key does not exist in the store."""


class InvalidKey(ValueError):
    """The key is not a safe relative path."""


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
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key) from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            with open(self._path(key), "rb") as f:
                f.seek(offset)
                return f.read(length)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key) from None

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
    """An S3 bucket and prefix (``s3://bucket/prefix``), read with boto3 (imported lazily)."""

    def __init__(self, bucket: str, prefix: str = "", client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self._client = client

    @property
    def client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def _k(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _not_found(self, exc) -> bool:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        return code in ("NoSuchKey", "404", "NotFound")

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._k(key))["Body"].read()
        except Exception as exc:
            if self._not_found(exc):
                raise NotFound(key) from None
            raise

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            r = self.client.get_object(
                Bucket=self.bucket, Key=self._k(key), Range=f"bytes={offset}-{offset + length - 1}"
            )
            return r["Body"].read()
        except Exception as exc:
            if self._not_found(exc):
                raise NotFound(key) from None
            raise

    def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data, **extra)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._k(key))
            return True
        except Exception as exc:
            if self._not_found(exc):
                return False
            raise

    def list(self, prefix: str) -> list[str]:
        # Directory semantics, like LocalStore: "a/b" and "a/b/" both list the keys under a/b/.
        p = prefix.strip("/")
        full = self._k(p) + "/" if p else (f"{self.prefix}/" if self.prefix else "")
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            for obj in page.get("Contents", []):
                k = obj["Key"]
                out.append(k[len(self.prefix) + 1 :] if self.prefix else k)
        return sorted(out)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._k(key))


def open_store(url: str | os.PathLike) -> Store:
    """``s3://bucket/prefix`` → S3Store; anything else is a local directory."""
    s = str(url)
    if s.startswith("s3://"):
        bucket, _, prefix = s[5:].partition("/")
        return S3Store(bucket, prefix)
    return LocalStore(s)

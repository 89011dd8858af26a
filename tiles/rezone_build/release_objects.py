"""The object list of a release (``release.json`` → ``objects``) and its check against a store.

Every object of ``releases/<version>/`` but ``release.json`` itself is listed with its size and
SHA-256. A store is checked from what it *reports* (:meth:`rezone.storage.Store.stat`), never by
re-reading the local build:

- a local store hashes its file: compared with ``sha256``;
- S3 reports the checksum it computed and stored at upload. For an object uploaded in one part that
  is the SHA-256 of the object (compared with ``sha256``). For a multipart upload S3 keeps no
  full-object SHA-256, only the SHA-256 of the concatenated SHA-256s of the parts ("composite";
  a full-object checksum exists only for the CRC algorithms, CRC64NVME/CRC32C, which the standard
  library cannot compute). So objects of at least ``multipart.threshold`` bytes also carry
  ``sha256_parts``, computed here with the part size the upload uses, and that is what is compared.
"""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from rezone import layout, storage
from rezone.layout import RELEASE_META
from rezone.storage import ObjectInfo, Store

__all__ = ["Verification", "check", "describe", "diff", "verify"]


def _part_size(size: int) -> int:
    """The part size s3transfer uses for a file of ``size`` bytes (at most 10,000 parts)."""
    part = storage.PART_SIZE
    while -(-size // part) > 10000:
        part *= 2
    return part


def _hash_file(path: Path, threshold: int) -> dict:
    size = path.stat().st_size
    whole = hashlib.sha256()
    entry: dict = {"size": size}
    multipart = size >= threshold
    part, digests, current, filled = _part_size(size), [], hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            whole.update(chunk)
            if not multipart:
                continue
            while chunk:  # parts are a multiple of 1 MiB, but keep the boundary exact anyway
                take = chunk[: part - filled]
                current.update(take)
                filled += len(take)
                chunk = chunk[len(take) :]
                if filled == part:
                    digests.append(current.digest())
                    current, filled = hashlib.sha256(), 0
    entry["sha256"] = whole.hexdigest()
    if multipart:
        if filled:
            digests.append(current.digest())
        entry["sha256_parts"] = base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()
        entry["parts"] = len(digests)
    return entry


def describe(release_dir: str | Path, workers: int = 4) -> dict:
    """``{"objects": {relpath: {size, sha256[, sha256_parts, parts]}}, "multipart": {...}}`` of a build."""
    root = Path(release_dir)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != RELEASE_META
                   and not p.name.endswith(".tmp"))
    threshold = storage.MULTIPART_THRESHOLD
    with ThreadPoolExecutor(max(1, workers)) as pool:  # hashlib releases the GIL on large buffers
        entries = list(pool.map(lambda p: _hash_file(p, threshold), files))
    return {
        "objects": {p.relative_to(root).as_posix(): e for p, e in zip(files, entries)},
        "multipart": {"threshold": threshold, "part_size": storage.PART_SIZE, "checksum": "SHA256 of parts"},
    }


def check(entry: dict, info: ObjectInfo | None) -> str | None:
    """Why the stored object does not match its manifest entry, or None when it does."""
    if info is None:
        return "missing"
    if info.size != entry["size"]:
        return f"size {info.size}, expected {entry['size']}"
    if info.sha256 is not None:
        return None if info.sha256 == entry["sha256"] else "sha256 differs"
    if info.sha256_parts is not None:
        if "sha256_parts" not in entry:
            return "stored in parts but listed as one part"
        return None if info.sha256_parts == entry["sha256_parts"] else "sha256 of parts differs"
    return "the store holds no checksum for it"


def diff(mine: dict, theirs: dict | None) -> str | None:
    """First difference between two object lists (by path, size and sha256), or None."""
    if theirs is None:
        return "the stored release.json lists no objects"
    for rel in sorted(set(mine) | set(theirs)):
        a, b = mine.get(rel), theirs.get(rel)
        if a is None or b is None:
            return f"{rel} only in the {'stored' if a is None else 'local'} release"
        if (a["size"], a["sha256"]) != (b["size"], b["sha256"]):
            return f"{rel} differs"
    return None


class Verification(NamedTuple):
    version: str
    objects: int
    bytes: int
    problems: list[str]  # "<key>: <reason>", sorted by key

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(store: Store, version: str, meta: dict | None, workers: int = 16,
           skip: frozenset[str] = frozenset()) -> Verification:
    """Check every object ``meta`` (the stored release.json) lists against what ``store`` reports.

    ``skip``: relative paths already checked by the caller (publish checks what it uploads).
    """
    prefix = layout.release_prefix(version)
    if meta is None:
        return Verification(version, 0, 0, [f"{prefix}{RELEASE_META}: missing (incomplete or pruned release)"])
    objects = meta.get("objects")
    if not isinstance(objects, dict):
        why = "lists no objects (published before release manifests), cannot be verified"
        return Verification(version, 0, 0, [f"{prefix}{RELEASE_META}: {why}"])
    todo = [rel for rel in sorted(objects) if rel not in skip]

    def one(rel: str) -> str | None:
        reason = check(objects[rel], store.stat(prefix + rel))
        return f"{prefix}{rel}: {reason}" if reason else None

    with ThreadPoolExecutor(max(1, workers)) as pool:
        problems = [p for p in pool.map(one, todo) if p]
    return Verification(version, len(objects), sum(e["size"] for e in objects.values()), problems)

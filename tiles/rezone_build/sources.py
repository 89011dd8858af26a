"""Source files: locate, checksum-verify and (when no local mirror is given) download them.

The pinned list of files is ``sources.json`` (a copy of the mirror's manifest, shipped with this
package): each file's path, size, sha256 and upstream URL (``upstream`` + ``layout`` mapping).
:func:`open_sources` returns a :class:`Sources` resolver; ``Sources.path(rel)`` gives a verified
local path or raises :class:`SourceError` naming the file and the reason.

Hashes are cached by (path, size, mtime) in ``<cache_dir>/hashes.json`` so a repeat build does not
re-read every file.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path

from .model import SourceInfo

__all__ = ["MANIFEST", "SourceError", "Sources", "default_cache_dir", "default_sources", "open_sources", "upstream_url"]

MANIFEST = Path(__file__).with_name("sources.json")
REPO = Path(__file__).resolve().parents[2]


class SourceError(Exception):
    """A source file is missing, unreadable or has the wrong checksum (message names the file)."""


def default_cache_dir() -> Path:
    return REPO / ".rezone" / "cache"


def _load_json(p: Path):
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{p}: not valid JSON ({exc})") from exc


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upstream_url(source: dict, rel: str) -> str | None:
    """The upstream URL of mirror file ``rel`` (``<source id>/<path in source>``), from the layout mapping."""
    upstream = source.get("upstream") or ""
    if not upstream.startswith("http"):
        return None
    inner = rel.split("/", 1)[1]
    for pattern, target in (source.get("layout") or {}).items():
        if not fnmatch.fnmatch(inner, pattern) or ("/" in inner) != ("/" in pattern):
            continue
        name = inner.rsplit("/", 1)[-1]
        stem = name.removesuffix(".geojson")
        if target.startswith("departements/<code>-<nom>/"):  # france-geojson per-département files
            return upstream + "departements/" + stem.removeprefix("communes-") + "/" + name
        if "<same name>" in target:
            prefix = target.split("<same name>")[0].strip()
            if prefix.startswith("data/") and upstream.rstrip("/").endswith("/data"):
                prefix = prefix[len("data/") :]
            return upstream + prefix + name
        first = target.split(" ", 1)[0].rstrip(",;")
        m = re.search(r"at commit ([0-9a-f]{40})", target)
        if m:  # same repository, another commit: .../<owner>/<repo>/<commit>/<first>
            base = re.match(r"(https://raw\.githubusercontent\.com/[^/]+/[^/]+/)", upstream)
            return base.group(1) + m.group(1) + "/" + first if base else None
        if upstream.endswith("/"):
            return upstream + first
        # upstream names one file: replace the path after the commit by ``first``
        base = re.match(r"(https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/)", upstream)
        if upstream.endswith("/" + first) or not base:
            return upstream
        return base.group(1) + first
    return None


class Sources:
    """Resolver of source files: ``root`` is a local mirror (or None: download into ``cache_dir``)."""

    def __init__(self, root: Path | None, cache_dir: Path, manifest: Path = MANIFEST):
        self.root = Path(root) if root else None
        self.cache_dir = Path(cache_dir)
        try:
            self.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceError(f"{manifest}: cannot read the source manifest ({exc})") from exc
        self.files: dict[str, dict] = {}
        self.by_id: dict[str, dict] = {}
        for s in self.manifest["sources"]:
            self.by_id[s["id"]] = s
            for f in s["files"]:
                self.files[f["path"]] = {**f, "source": s["id"]}
        self._verified: dict[str, Path] = {}
        self._memo: dict = {}
        self._lock = threading.Lock()
        self._hashes_path = self.cache_dir / "hashes.json"
        try:
            self._hashes = json.loads(self._hashes_path.read_text())
        except (OSError, ValueError):
            self._hashes = {}
        self._dirty = False

    # -- public API ---------------------------------------------------------------------------
    def info(self, source_id: str) -> SourceInfo:
        s = self.by_id[source_id]
        return SourceInfo(
            id=s["id"],
            title=s.get("title", s["id"]),
            license=s.get("license", ""),
            vintage=s.get("vintage", ""),
            upstream=s.get("upstream"),
        )

    def available(self, rel: str) -> bool:
        """False only when a manifest file can be neither found locally nor downloaded (no upstream URL)."""
        if self.root is not None:
            return True  # a missing local file is an error that path() reports
        meta = self.files.get(rel)
        return meta is not None and upstream_url(self.by_id[meta["source"]], rel) is not None

    def json(self, rel: str):
        """The parsed JSON of manifest file ``rel`` (parsed once per resolver)."""
        return self.memo(("json", rel), lambda: _load_json(self.path(rel)))

    def csv_rows(self, rel: str, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
        """The rows (dicts) of CSV manifest file ``rel`` (parsed once per resolver)."""

        def read():
            with self.path(rel).open(encoding=encoding, newline="") as f:
                return list(csv.DictReader(f, delimiter=delimiter))

        return self.memo(("csv", rel), read)

    def memo(self, key, factory):
        """``factory()`` computed once per resolver (parsed files shared by the ingest modules)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    def optional(self, rel: str) -> Path | None:
        """A file not in the manifest (optional source): its path when present in the mirror, else None."""
        if self.root is None:
            return None
        p = self.root / rel
        return p if p.is_file() else None

    def path(self, rel: str) -> Path:
        """The verified local path of manifest file ``rel``; SourceError if missing or corrupt."""
        with self._lock:
            if rel in self._verified:
                return self._verified[rel]
            meta = self.files.get(rel)
            if meta is None:
                raise SourceError(f"{rel}: not listed in the source manifest {MANIFEST.name}")
            if self.root is not None:
                p = self.root / rel
                if not p.is_file():
                    raise SourceError(
                        f"{p}: missing source file (expected {meta['bytes']} bytes, "
                        f"sha256 {meta['sha256'][:12]}…)"
                    )
            else:
                p = self.cache_dir / "sources" / rel
                if not p.is_file() or self._hash(p) != meta["sha256"]:
                    self._download(rel, meta, p)
            digest = self._hash(p)
            if digest != meta["sha256"]:
                size = p.stat().st_size
                why = "truncated" if size < meta["bytes"] else "corrupt"
                raise SourceError(
                    f"{p}: wrong sha256 ({why}: {size} bytes, sha256 {digest[:12]}…; expected "
                    f"{meta['bytes']} bytes, sha256 {meta['sha256'][:12]}…)"
                )
            self._verified[rel] = p
            return p

    def save(self) -> None:
        """Persist the hash cache (called at the end of an ingest)."""
        if not self._dirty:
            return
        self._hashes = {k: v for k, v in self._hashes.items() if os.path.exists(k)}  # forget deleted files
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._hashes_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._hashes, indent=0))
            os.replace(tmp, self._hashes_path)
            self._dirty = False
        except OSError:
            pass  # a read-only cache only costs speed

    # -- internals ----------------------------------------------------------------------------
    def _hash(self, p: Path) -> str:
        st = p.stat()
        key = str(p.resolve())
        hit = self._hashes.get(key)
        if hit and hit["size"] == st.st_size and hit["mtime"] == st.st_mtime_ns:
            return hit["sha256"]
        try:
            digest = _sha256(p)
        except OSError as exc:
            raise SourceError(f"{p}: cannot read ({exc})") from exc
        self._hashes[key] = {"size": st.st_size, "mtime": st.st_mtime_ns, "sha256": digest}
        self._dirty = True
        return digest

    def _download(self, rel: str, meta: dict, dest: Path) -> None:
        url = upstream_url(self.by_id[meta["source"]], rel)
        if url is None:
            raise SourceError(f"{rel}: no local source directory and no upstream URL to download it from")
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with (
                urllib.request.urlopen(url, timeout=60) as r,
                tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as tmp,
            ):
                shutil.copyfileobj(r, tmp)
            os.replace(tmp.name, dest)
        except OSError as exc:
            raise SourceError(f"{rel}: download from {url} failed ({exc})") from exc


def default_sources() -> Path | None:
    """The ``../shared/data`` mirror beside the repository, when present."""
    p = REPO.parent / "shared" / "data"
    return p if (p / "sources.json").is_file() else None


def open_sources(sources_dir: str | Path | None = None, cache_dir: str | Path | None = None) -> Sources:
    """A resolver for ``sources_dir`` (default: the ``../shared/data`` mirror when present, else download)."""
    if sources_dir is None:
        sources_dir = default_sources()
    if sources_dir is not None and not Path(sources_dir).is_dir():
        raise SourceError(f"{sources_dir}: source directory does not exist")
    return Sources(
        Path(sources_dir) if sources_dir else None, Path(cache_dir) if cache_dir else default_cache_dir()
    )

"""The open files of a release (``downloads/`` in the release, written by ``rezone_build.downloads``)
and the list of its sources, for ``GET /v1/downloads``, ``GET /v1/downloads/{file}`` and
``GET /v1/health``. Only the standard library.
"""

from __future__ import annotations

import re

from . import layout
from .errors import Unknown
from .release import Release
from .storage import NotFound

__all__ = ["FILE_RE", "INDEX", "find", "listing", "sources"]

INDEX = layout.DOWNLOADS_INDEX
FILE_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,80}\.(csv|json)$")


def _index(release: Release) -> list[dict]:
    def load():
        try:
            return list(release.json(INDEX).get("files", []))
        except NotFound:
            return []

    return release.memo("downloads:index", load)


def listing(release: Release, base: str = "") -> dict:
    """Each file with its URL (pinned to the release), title, format, size, sha256, sources and vintage."""
    files = []
    for f in _index(release):
        name = f["path"].rsplit("/", 1)[-1]
        files.append({
            "id": f["id"], "title": f["title"], "format": f["format"], "media_type": f["media_type"],
            "url": f"{base}/v1/downloads/{name}?v={release.version}", "size": f["bytes"], "sha256": f["sha256"],
            "profession": f.get("profession"), "rows": f.get("rows"), "sources": f.get("sources", []),
            "vintage": f.get("vintage"),
        })
    return {"release": release.version, "files": files}


def find(release: Release, name: str) -> tuple[bytes, dict]:
    """(bytes, index entry) of the file ``name`` (e.g. ``zonage-medecin.csv``); :class:`Unknown` if none."""
    if FILE_RE.match(name):
        for f in _index(release):
            if f["path"] == layout.download(name):
                return release.get(f["path"]), f
    known = ", ".join(f["path"].rsplit("/", 1)[-1] for f in _index(release)) or "aucun dans cette version"
    raise Unknown(f"fichiers : {known}", "file", "Fichier inconnu")


def sources(release: Release) -> list[dict]:
    """The release's sources (release.json): id, title, licence, vintage, upstream URL."""
    def load():
        try:
            meta = release.json(layout.RELEASE_META)
        except NotFound:
            return []
        return [{"id": k, "title": v.get("title", k), "license": v.get("license"), "vintage": v.get("vintage"),
                 "upstream": v.get("upstream")} for k, v in sorted((meta.get("sources") or {}).items())]

    return release.memo("release:sources", load)

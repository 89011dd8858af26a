"""The releases of a store, and pruning: incomplete uploads removed, the last N complete ones kept.

A release is *complete* when its ``release.json`` is stored (publish writes it last, after every
object was checked). Pruning never removes the live release nor the rollback target (the newest
complete release in the manifest's history), keeps the ``keep`` newest other complete releases
(by the time their ``release.json`` was stored) and removes the rest, plus every incomplete
release whose newest object is older than ``grace`` seconds (a younger one may be an upload in
progress). A complete release loses its ``release.json`` first, so it is never seen complete while
half deleted.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from rezone import layout
from rezone.layout import RELEASE_META
from rezone.storage import Store

from .publish import PublishError, _one_line, read_manifest, rollback_target

__all__ = ["ReleaseInfo", "list_releases", "prune"]


class ReleaseInfo(NamedTuple):
    version: str
    complete: bool
    objects: int
    bytes: int
    modified: float  # completion time (release.json) or, for an incomplete release, its newest object
    role: str  # "live", "rollback", "" — and after prune planning: "keep", "delete"
    keys: tuple[str, ...]


def list_releases(store: Store) -> list[ReleaseInfo]:
    """Every release under ``releases/``, newest first."""
    try:
        listing = store.scan("releases/")
        manifest = read_manifest(store)
    except PublishError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise PublishError(f"cannot list releases in {store.url}: {_one_line(exc)}") from None
    groups: dict[str, dict] = {}
    for key, meta in listing.items():
        parts = key.split("/", 2)
        if len(parts) < 3:
            continue
        groups.setdefault(parts[1], {})[key] = meta
    live, target = manifest.get("current"), rollback_target(store, manifest)
    out = []
    for version, objs in groups.items():
        marker = objs.get(layout.release_prefix(version) + RELEASE_META)
        role = "live" if version == live else "rollback" if version == target else ""
        out.append(ReleaseInfo(
            version, marker is not None, len(objs) - (marker is not None), sum(m.size for m in objs.values()),
            marker.modified if marker else max(m.modified for m in objs.values()), role, tuple(sorted(objs))))
    return sorted(out, key=lambda r: (r.modified, r.version), reverse=True)


def prune(store: Store, keep: int = 3, apply: bool = False, grace: float = 3600.0,
          now: float | None = None) -> list[ReleaseInfo]:
    """Plan (and with ``apply`` carry out) the removal of old and incomplete releases.

    Returns every release with ``role`` set to ``live``/``rollback``/``keep``/``recent`` (incomplete
    but younger than ``grace``) or ``delete``.
    """
    if keep < 0:
        raise PublishError("--keep must be 0 or more")
    now = time.time() if now is None else now
    plan, kept = [], 0
    for r in list_releases(store):
        if r.role:
            plan.append(r)
        elif r.complete and kept < keep:
            kept += 1
            plan.append(r._replace(role="keep"))
        elif not r.complete and now - r.modified < grace:
            plan.append(r._replace(role="recent"))
        else:
            plan.append(r._replace(role="delete"))
    if apply:
        for r in plan:
            if r.role != "delete":
                continue
            marker = layout.release_prefix(r.version) + RELEASE_META
            try:
                if r.complete:
                    store.delete_many([marker])
                store.delete_many([k for k in r.keys if k != marker])
            except Exception as exc:  # noqa: BLE001
                raise PublishError(f"pruning release {r.version} in {store.url} failed: {_one_line(exc)}") from None
    return plan

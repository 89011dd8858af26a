"""Zone facts of a commune, read from the release's ``facts/<xyz>.json`` (see rezone_build.facts)."""

from __future__ import annotations

import re

from . import layout
from .storage import NotFound

__all__ = ["COMMUNE_CODE_RE", "ZONE_FIELDS", "commune_facts", "commune_file", "dep_of", "zone_view"]

ZONE_FIELDS = ("code", "label", "source", "vintage", "reason")

COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def dep_of(code: str) -> str:
    """Département code of a COG commune code: '97xyz' → '97x', '2A004' → '2A', '80021' → '80'."""
    return code[:3] if code.startswith("97") else code[:2]


def commune_file(code: str) -> str:
    """Group of commune ``code`` in per-commune release files (``facts/``, ``query/territories/commune/``):
    the first three characters of its code, so ≤ 100 communes (a few tens of KB) per file."""
    return code[:3]


def commune_facts(release, code: str) -> dict | None:
    """The facts of commune ``code`` in ``release``, or None if unknown. One small read per group."""
    if not COMMUNE_CODE_RE.match(code or ""):
        return None
    try:
        table = release.json(layout.facts(commune_file(code)))
    except NotFound:
        return None
    return table.get(code)


def zone_view(z: dict | None, reason: str = "zonage inconnu") -> dict:
    """One profession's zonage as answered: code, label, source, vintage, reason (``reason`` when unknown)."""
    if not z:
        return {"code": None, "label": None, "source": None, "vintage": None, "reason": reason}
    return {k: z.get(k) for k in ZONE_FIELDS}

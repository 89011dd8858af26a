"""Zone facts of a commune, read from the release's ``facts/<dep>.json`` (see rezone_build.facts)."""

from __future__ import annotations

import re

from .storage import NotFound

__all__ = ["COMMUNE_CODE_RE", "commune_facts", "dep_of"]

COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def dep_of(code: str) -> str:
    """Département code of a COG commune code: '97xyz' → '97x', '2A004' → '2A', '80021' → '80'."""
    return code[:3] if code.startswith("97") else code[:2]


def commune_facts(release, code: str) -> dict | None:
    """The facts of commune ``code`` in ``release``, or None if unknown. One read per département."""
    if not COMMUNE_CODE_RE.match(code or ""):
        return None
    dep = dep_of(code)
    try:
        table = release.json(f"facts/{dep}.json")
    except NotFound:
        return None
    return table.get(code)

"""Small text helpers shared by the ingest modules (names, postal codes, FINESS numbers)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["dep_of_commune", "deps_of_postal", "finess9", "norm_name", "norm_name_no_article", "zip5"]

_ARTICLES = re.compile(r"^(le|la|les|l)\s+")


@lru_cache(maxsize=1 << 17)
def norm_name(s: str) -> str:
    """Lower-case ASCII name with one space between words; "Saint"/"Sainte" → "st"/"ste"; œ → oe.

    ``L'Abergement-Clémenciat`` → ``l abergement clemenciat``.
    """
    s = s.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    s = re.sub(r"\bsainte\b", "ste", s)
    s = re.sub(r"\bsaint\b", "st", s)
    return s


@lru_cache(maxsize=1 << 17)
def norm_name_no_article(s: str) -> str:
    return _ARTICLES.sub("", norm_name(s))


def zip5(s: str) -> str:
    """A postal code that lost its leading zero (``1400``) back to 5 digits (``01400``)."""
    s = s.strip()
    return s.zfill(5) if s.isdigit() else s


def finess9(s: str) -> str | None:
    """A FINESS number that lost its leading zero back to 9 characters (``10000024`` → ``010000024``)."""
    s = (s or "").strip()
    if not s:
        return None
    s = s.removesuffix(".0")
    return s.zfill(9) if s.isdigit() else s.upper().zfill(9)


def dep_of_commune(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def deps_of_postal(cp: str) -> tuple[str, ...]:
    """Candidate département codes of a 5-digit postal code (Corsica: 20xxx → 2A or 2B)."""
    if cp.startswith(("97", "98")):
        return (cp[:3],)
    if cp.startswith("20"):
        return ("2A", "2B")
    return (cp[:2],)


def finess_insee(dep: str, com: str) -> str:
    """INSEE code from a FINESS-style département + 3-digit commune (overseas ``9A``…``9F``: 97 + commune).

    Also reads SAE ``COMINSEE`` values such as ``9A101`` (→ 97101) and plain 5-digit codes.
    """
    if dep.startswith("9") and dep[1:2].isalpha():
        return "97" + com.zfill(3)
    return dep.zfill(2) + com.zfill(3)

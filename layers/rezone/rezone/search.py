"""Commune search: accent-, case- and hyphen-insensitive name prefix, exact INSEE and postal code.

The index is precomputed by the build (``rezone_build.query_build``) under ``query/search/``:

- ``query/search/n/<b>.json``: names whose normalised key starts with ``<b>`` (its first two
  characters, a space written ``_``): ``keys`` sorted, per key the indices of the records it names
  (``entries``) or names without their leading article (``alt``), and ``records`` (code, name,
  département, postal codes, population, centre) sorted by decreasing population;
- ``query/search/d/<dd>.json``: the same for INSEE codes and postal codes (keys are the digits).

A query reads one or two small shards; results are ranked by exactness (exact code or name first,
then prefixes) then by population, descending.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from itertools import chain

from . import layout
from .storage import NotFound

__all__ = ["ABBREVIATIONS", "bucket_of", "name_keys", "normalize", "query_variants", "search"]

ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = ("le ", "la ", "les ", "l ")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"^[0-9][0-9AB]?[0-9]*$", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lowercase, strip accents and ligatures, any punctuation → one space."""
    t = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
                              .replace("Æ", "ae"))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", t).strip()


def normalize(text: str) -> str:
    """'Saint-Étienne' → 'saint etienne'; 'St Étienne' → 'saint etienne'; 'L'Haÿ' → 'l hay'."""
    return " ".join(ABBREVIATIONS.get(tok, tok) for tok in _fold(text).split())


def name_keys(name: str) -> list[str]:
    """The index keys of a commune name: the normalised name and, if any, the name without article."""
    key = normalize(name)
    keys = [key]
    for art in _ARTICLES:
        if key.startswith(art) and len(key) > len(art):
            keys.append(key[len(art):])
            break
    return keys


def query_variants(q: str) -> list[str]:
    """Normalised forms of a query; a trailing abbreviation is also tried as typed ('ste' → Stenay)."""
    toks = _fold(q).split()
    if not toks:
        return []
    full = " ".join(ABBREVIATIONS.get(t, t) for t in toks)
    out = [full]
    if toks[-1] in ABBREVIATIONS:
        raw_last = " ".join([ABBREVIATIONS.get(t, t) for t in toks[:-1]] + [toks[-1]])
        out.append(raw_last)
    return out


def bucket_of(key: str) -> str:
    """Shard name of a normalised key: its first two characters, spaces as '_'."""
    return key[:2].replace(" ", "_")


def _load(release, kind: str, bucket: str):
    try:
        return release.json(layout.search_bucket(kind, bucket))
    except NotFound:
        return None


def _scan(shard, prefix: str, exact_rank: int, prefix_rank: int, limit: int, found: list) -> None:
    """Append ``(rank, record)`` for the keys of ``shard`` equal to or starting with ``prefix``.

    Records are stored by decreasing population, so the ``limit`` smallest record indices of a
    prefix range are its most populous communes: ``heapq.nsmallest`` picks them without ranking
    the thousands of "saint…" names one by one.
    """
    keys, records = shard["keys"], shard["records"]
    lo = bisect.bisect_left(keys, prefix)
    hi = bisect.bisect_left(keys, prefix + "\x7f", lo)  # keys are [a-z0-9 ]: "\x7f" sorts after all
    if lo == hi:
        return
    start = lo
    if keys[lo] == prefix:
        found.extend((exact_rank, records[ri]) for ri in shard["entries"][lo])
        found.extend((prefix_rank, records[ri]) for ri in shard["alt"][lo])  # "saint" for Le Saint
        start = lo + 1
    ranges = chain(chain.from_iterable(shard["entries"][start:hi]), chain.from_iterable(shard["alt"][start:hi]))
    found.extend((prefix_rank, records[ri]) for ri in heapq.nsmallest(limit, set(ranges)))


def search(release, q: str, limit: int = 10) -> list[dict]:
    """Communes matching ``q``, best first (at most ``limit``)."""
    found: list[tuple[int, dict]] = []
    raw = q.strip()
    compact = raw.replace(" ", "").upper()
    if _DIGITS.match(compact) and len(compact) >= 3:
        shard = _load(release, "d", compact[:2])
        if shard is not None:
            _scan(shard, compact, 0, 2, limit, found)  # exact INSEE or postal code first, then prefixes
    for variant in query_variants(raw):
        # A one-letter query only reaches the shard of one-letter names ("Y", Somme): exact match.
        shard = _load(release, "n", bucket_of(variant))
        if shard is not None:
            _scan(shard, variant, 0, 1, limit, found)
    best: dict[str, tuple[int, dict]] = {}
    for rank, rec in found:
        if rec["code"] not in best or rank < best[rec["code"]][0]:
            best[rec["code"]] = (rank, rec)
    ranked = sorted(best.values(), key=lambda rv: (rv[0], -(rv[1].get("population") or 0), rv[1]["code"]))
    return [rec for _, rec in ranked[:limit]]

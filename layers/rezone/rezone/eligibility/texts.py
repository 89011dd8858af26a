"""French wording of the engine's explanations: numbers, dates, answers, euros.

Pure helpers shared by the condition, zone, amount and exclusion modules. The formatted texts that
depend only on hashable values are memoised with :func:`functools.lru_cache` (bounded, pure): the
same answer and expectation recur across requests, and formatting dominates a warm evaluation.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from .vocabulary import QUESTIONS

__all__ = ["answer_detail", "eur", "fmt", "fmt_num", "iso", "money", "title", "years_before"]

_ENUM_LABELS = {q.name: dict(q.enum) for q in QUESTIONS if q.enum}
_TITLES = {q.name: q.title for q in QUESTIONS}


def fmt_num(x) -> str:
    """1250 → '1 250' (narrow no-break space), 2.5 → '2,5'."""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}".replace(",", "\u202f")
    return f"{x:,.2f}".rstrip("0").replace(",", "\u202f").replace(".", ",")


def fmt(name: str | None, v) -> str:
    """An answer value in French: oui/non, numbers, dates as DD/MM/YYYY, enum values by their label."""
    if v is True:
        return "oui"
    if v is False:
        return "non"
    if v is None:
        return "aucune"
    if isinstance(v, (int, float)):
        return fmt_num(v)
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    labels = _ENUM_LABELS.get(name or "")
    if labels and v in labels:
        return f"« {labels[v]} »"
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        return f"{v[8:]}/{v[5:7]}/{v[:4]}"
    return str(v)


def title(name: str) -> str:
    """The French title of an answer name (the name itself when not in the vocabulary)."""
    return _TITLES.get(name, name)


def money(x):
    """Euros rounded to the cent; whole amounts as integers (10000, not 10000.0)."""
    x = round(x, 2)
    return int(x) if float(x).is_integer() else x


def eur(x) -> str:
    return f"{fmt_num(round(x, 2))} €"


def iso(d) -> str:
    return d if isinstance(d, str) else d.isoformat()


@lru_cache(maxsize=256)
def years_before(d: date, years: float) -> str:
    """ISO date ``years`` before ``d`` (29 February → 28; fractions of a year in days; floor 0001-01-01)."""
    whole = int(years)
    if d.year - whole < 1:
        return date.min.isoformat()
    try:
        out = d.replace(year=d.year - whole)
    except ValueError:  # 29 February
        out = d.replace(year=d.year - whole, day=28)
    if years != whole:
        out = date.fromordinal(out.toordinal() - round((years - whole) * 365.25))
    return out.isoformat()


@lru_cache(maxsize=4096, typed=True)
def _cached_detail(name: str, expect: str, v) -> str:
    return f"Votre réponse : {fmt(name, v)} ; {expect}."


def answer_detail(name: str, expect: str, v) -> str:
    """'Votre réponse : … ; attendu …' for an answer ``v`` of ``name`` (memoised when hashable)."""
    try:
        return _cached_detail(name, expect, v)
    except TypeError:  # unhashable value (hand-made answers): format it each time
        return f"Votre réponse : {fmt(name, v)} ; {expect}."

"""How much an aid pays: one typed class per kind of amount, computed from the answers and the zone.

A rule's ``amount`` block is loaded once (:func:`amount_from_doc`) into a frozen object of the class
its ``type`` names; :meth:`Amount.compute` gives the public ``amount`` of an answer (``total``,
``currency``, ``schedule``, ``summary``, and ``note`` / ``max_total`` / ``missing`` where they
apply). A total that depends on a missing answer is ``None`` and names that answer: never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from .conditions import MET, UNKNOWN, AnswerTest
from .texts import money, title

__all__ = [
    "Amount",
    "Annual",
    "Bonus",
    "ByZone",
    "Fixed",
    "IncomeDependent",
    "Installment",
    "PerDay",
    "PerWeekday",
    "Percent",
    "Prorate",
    "Share",
    "amount_from_doc",
    "no_amount",
]


class Installment(NamedTuple):
    when: str
    amount: float | None


class Share(NamedTuple):
    when: str
    share: float


class Bonus(NamedTuple):
    """An amount added when ``test`` holds (``per_year``: once per year of the contract)."""

    label: str
    test: AnswerTest
    amount: float
    per_year: bool


class Prorate(NamedTuple):
    """When ``when`` holds, the amount is multiplied by ``answer`` per cent."""

    answer: str
    when: AnswerTest
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Amount:
    """What every kind of amount has; subclasses compute the base total and schedule."""

    summary: str | None = None
    note: str | None = None
    max_total: float | None = None
    years: int = 1  # contract years (per-year bonuses are paid this many times)
    bonuses: tuple[Bonus, ...] = ()
    prorate: Prorate | None = None

    def base(self, answers: dict, zone: str | None) -> tuple[Any, list[dict], list[str]]:
        """(total or None, schedule, missing answer names) before bonuses and proration."""
        raise NotImplementedError

    def compute(self, answers: dict, zone: str | None, as_of: date) -> dict:
        total, sched, missing = self.base(answers, zone)
        for b in self.bonuses:
            if total is not None and b.test.check(answers, as_of)[0] == MET:
                n = self.years if b.per_year else 1
                total += b.amount * n
                sched.append({"when": b.label, "amount": b.amount * n})
        note = None
        pr = self.prorate
        if pr and total is not None:
            applies = pr.when.check(answers, as_of)[0]
            if applies == MET:
                share = answers.get(pr.answer)
                if share is None:
                    missing.append(pr.answer)
                    total = None
                    sched = [dict(s, amount=None) for s in sched]
                else:
                    f = share / 100.0
                    total *= f
                    sched = [dict(s, amount=None if s["amount"] is None else s["amount"] * f) for s in sched]
                    note = pr.label
            elif applies == UNKNOWN and pr.when.answer not in missing:
                missing.append(pr.when.answer)
        if total is not None:
            total = money(total)
            for s in sched:
                if s["amount"] is not None:
                    s["amount"] = money(s["amount"])
        out = {"total": total, "currency": "EUR", "schedule": sched, "summary": self.summary}
        if note is None and self.note:
            note = self.note
        if note is not None:
            out["note"] = note
        if self.max_total is not None:
            out["max_total"] = self.max_total
        if missing:
            out["missing"] = missing
            out.setdefault("note", "Montant non calculable sans : " + ", ".join(map(title, missing)) + ".")
        return out


def no_amount() -> dict:
    """The amount of a rule without an ``amount`` block."""
    return {"total": None, "currency": "EUR", "schedule": [], "summary": None}


def _shared(total, shares: tuple[Share, ...]) -> list[dict]:
    return [{"when": s.when, "amount": None if total is None else total * s.share} for s in shares]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fixed(Amount):
    total: float
    schedule: tuple[Installment, ...]

    def base(self, answers, zone):
        return self.total, [i._asdict() for i in self.schedule], []


@dataclass(frozen=True, slots=True, kw_only=True)
class PerWeekday(Amount):
    """``rate`` per weekday of activity (``answer``, capped at ``cap``), paid in ``shares``."""

    rate: float
    answer: str
    cap: float
    months: int = 1
    shares: tuple[Share, ...]

    def base(self, answers, zone):
        v = answers.get(self.answer)
        total = None if v is None else self.rate * min(v, self.cap) * self.months
        return total, _shared(total, self.shares), [self.answer] if v is None else []


@dataclass(frozen=True, slots=True, kw_only=True)
class PerDay(Amount):
    """``rate`` per day (``answer``, capped at ``cap``) each month for ``months`` months."""

    rate: float
    answer: str
    cap: float
    months: int

    def base(self, answers, zone):
        v = answers.get(self.answer)
        total = None if v is None else self.rate * min(v, self.cap) * self.months
        sched = [
            {
                "when": f"Chaque mois, pendant {self.months} mois",
                "amount": None if total is None else total / self.months,
            }
        ]
        return total, sched, [self.answer] if v is None else []


@dataclass(frozen=True, slots=True, kw_only=True)
class Annual(Amount):
    per_year: float

    def base(self, answers, zone):
        sched = [{"when": f"Année {i + 1}", "amount": self.per_year} for i in range(self.years)]
        return self.per_year * self.years, sched, []


@dataclass(frozen=True, slots=True, kw_only=True)
class Percent(Amount):
    """A share (``rates``, one per year) of an amount answered (``answer``), capped per year."""

    answer: str
    rates: tuple[float, ...]
    cap_per_year: float | None = None

    def base(self, answers, zone):
        v = answers.get(self.answer)
        cap = self.cap_per_year
        yearly = [None if v is None else (min(v * r, cap) if cap is not None else v * r) for r in self.rates]
        sched = [{"when": f"Année {i + 1}", "amount": a} for i, a in enumerate(yearly)]
        return (None if v is None else sum(yearly)), sched, [self.answer] if v is None else []


@dataclass(frozen=True, slots=True, kw_only=True)
class ByZone(Amount):
    """A total per zone code (of the location, QPV override applied), paid in ``shares``."""

    by_zone: MappingProxyType
    shares: tuple[Share, ...]

    def base(self, answers, zone):
        total = self.by_zone.get(zone)
        return total, _shared(total, self.shares), []


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomeDependent(Amount):
    """Guarantees and exemptions: the amount depends on actual income or profit (no total)."""

    schedule: tuple[Installment, ...] = ()

    def base(self, answers, zone):
        return None, [i._asdict() for i in self.schedule], []


def _installments(d: dict) -> tuple[Installment, ...]:
    return tuple(Installment(s["when"], s["amount"]) for s in d.get("schedule") or ())


def _shares(d: dict) -> tuple[Share, ...]:
    return tuple(Share(s["when"], s["share"]) for s in d["shares"])


_KINDS = {
    "fixed": lambda d, c: Fixed(total=d["total"], schedule=_installments(d), **c),
    "per_weekday": lambda d, c: PerWeekday(
        rate=d["rate"], answer=d["answer"], cap=d["cap"], months=d.get("months", 1), shares=_shares(d), **c
    ),
    "per_day": lambda d, c: PerDay(rate=d["rate"], answer=d["answer"], cap=d["cap"], months=d["months"], **c),
    "annual": lambda d, c: Annual(per_year=d["per_year"], **c),
    "percent": lambda d, c: Percent(
        answer=d["answer"], rates=tuple(d["rates"]), cap_per_year=d.get("cap_per_year"), **c
    ),
    "by_zone": lambda d, c: ByZone(by_zone=MappingProxyType(dict(d["by_zone"])), shares=_shares(d), **c),
    "guarantee": lambda d, c: IncomeDependent(schedule=_installments(d), **c),
    "exemption": lambda d, c: IncomeDependent(schedule=_installments(d), **c),
}


def amount_from_doc(d: dict | None) -> Amount | None:
    """The typed amount of a rule's ``amount`` block (``None`` when the rule has none)."""
    if not d:
        return None
    make = _KINDS.get(d["type"])
    if make is None:
        raise ValueError(f"unknown amount type {d['type']!r} (known: {', '.join(_KINDS)})")
    pr = d.get("prorate")
    common = {
        "summary": d.get("summary"),
        "note": d.get("note"),
        "max_total": d.get("max_total"),
        "years": d.get("years", 1),
        "bonuses": tuple(
            Bonus(b["label"], AnswerTest.from_doc(b["test"]), b["amount"], bool(b.get("per_year")))
            for b in d.get("bonuses") or ()
        ),
        "prorate": Prorate(pr["answer"], AnswerTest.from_doc(pr["when"]), pr["label"]) if pr else None,
    }
    return make(d, common)

"""How much an aid pays: one typed class per kind of amount, computed from the answers and the zone.

A rule's ``amount`` block is loaded once (:func:`amount_from_doc`) into a frozen :class:`Amount`:
what every amount has (summary, note, bonuses, proration…) around a ``kind``, an object of the
class its ``type`` names (:class:`Fixed`, :class:`PerWeekday`…) that computes the base total and
schedule. :meth:`Amount.compute` gives the public ``amount`` of an answer (``total``, ``currency``,
``schedule``, ``summary``, and ``note`` / ``max_total`` / ``missing`` where they apply). A total
that depends on a missing answer is ``None`` and names that answer: never a guess.
"""

from datetime import date
from types import MappingProxyType
from typing import NamedTuple

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
    "Kind",
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


# --------------------------------------------------------------------------------------- kinds
# Each kind's ``base(answers, zone)`` gives (total or None, schedule, missing answer names) before
# bonuses and proration.


def _shared(total, shares: tuple[Share, ...]) -> list[dict]:
    return [{"when": s.when, "amount": None if total is None else total * s.share} for s in shares]


class Fixed(NamedTuple):
    total: float
    schedule: tuple[Installment, ...]

    def base(self, answers: dict, zone: str | None):
        return self.total, [i._asdict() for i in self.schedule], []


class PerWeekday(NamedTuple):
    """``rate`` per weekday of activity (``answer``, capped at ``cap``), paid in ``shares``."""

    rate: float
    answer: str
    cap: float
    months: int
    shares: tuple[Share, ...]

    def base(self, answers: dict, zone: str | None):
        v = answers.get(self.answer)
        total = None if v is None else self.rate * min(v, self.cap) * self.months
        return total, _shared(total, self.shares), [self.answer] if v is None else []


class PerDay(NamedTuple):
    """``rate`` per day (``answer``, capped at ``cap``) each month for ``months`` months."""

    rate: float
    answer: str
    cap: float
    months: int

    def base(self, answers: dict, zone: str | None):
        v = answers.get(self.answer)
        total = None if v is None else self.rate * min(v, self.cap) * self.months
        sched = [
            {
                "when": f"Chaque mois, pendant {self.months} mois",
                "amount": None if total is None else total / self.months,
            }
        ]
        return total, sched, [self.answer] if v is None else []


class Annual(NamedTuple):
    per_year: float
    years: int

    def base(self, answers: dict, zone: str | None):
        sched = [{"when": f"Année {i + 1}", "amount": self.per_year} for i in range(self.years)]
        return self.per_year * self.years, sched, []


class Percent(NamedTuple):
    """A share (``rates``, one per year) of an amount answered (``answer``), capped per year."""

    answer: str
    rates: tuple[float, ...]
    cap_per_year: float | None

    def base(self, answers: dict, zone: str | None):
        v = answers.get(self.answer)
        cap = self.cap_per_year
        yearly = [None if v is None else (min(v * r, cap) if cap is not None else v * r) for r in self.rates]
        sched = [{"when": f"Année {i + 1}", "amount": a} for i, a in enumerate(yearly)]
        return (None if v is None else sum(yearly)), sched, [self.answer] if v is None else []


class ByZone(NamedTuple):
    """A total per zone code (of the location, QPV override applied), paid in ``shares``."""

    by_zone: MappingProxyType
    shares: tuple[Share, ...]

    def base(self, answers: dict, zone: str | None):
        total = self.by_zone.get(zone)
        return total, _shared(total, self.shares), []


class IncomeDependent(NamedTuple):
    """Guarantees and exemptions: the amount depends on actual income or profit (no total)."""

    schedule: tuple[Installment, ...]

    def base(self, answers: dict, zone: str | None):
        return None, [i._asdict() for i in self.schedule], []


Kind = Fixed | PerWeekday | PerDay | Annual | Percent | ByZone | IncomeDependent


# -------------------------------------------------------------------------------------- amount


class Amount(NamedTuple):
    """An aid's amount: its ``kind`` computes the base; bonuses and proration apply on top."""

    kind: Kind
    summary: str | None = None
    note: str | None = None
    max_total: float | None = None
    years: int = 1  # contract years (per-year bonuses are paid this many times)
    bonuses: tuple[Bonus, ...] = ()
    prorate: Prorate | None = None

    def compute(self, answers: dict, zone: str | None, as_of: date) -> dict:
        total, sched, missing = self.kind.base(answers, zone)
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


def _installments(d: dict) -> tuple[Installment, ...]:
    return tuple(Installment(s["when"], s["amount"]) for s in d.get("schedule") or ())


def _shares(d: dict) -> tuple[Share, ...]:
    return tuple(Share(s["when"], s["share"]) for s in d["shares"])


_KINDS = {
    "fixed": lambda d: Fixed(d["total"], _installments(d)),
    "per_weekday": lambda d: PerWeekday(d["rate"], d["answer"], d["cap"], d.get("months", 1), _shares(d)),
    "per_day": lambda d: PerDay(d["rate"], d["answer"], d["cap"], d["months"]),
    "annual": lambda d: Annual(d["per_year"], d["years"]),
    "percent": lambda d: Percent(d["answer"], tuple(d["rates"]), d.get("cap_per_year")),
    "by_zone": lambda d: ByZone(MappingProxyType(dict(d["by_zone"])), _shares(d)),
    "guarantee": lambda d: IncomeDependent(_installments(d)),
    "exemption": lambda d: IncomeDependent(_installments(d)),
}


def amount_from_doc(d: dict | None) -> Amount | None:
    """The typed amount of a rule's ``amount`` block (``None`` when the rule has none)."""
    if not d:
        return None
    make = _KINDS.get(d["type"])
    if make is None:
        raise ValueError(f"unknown amount type {d['type']!r} (known: {', '.join(_KINDS)})")
    pr = d.get("prorate")
    return Amount(
        kind=make(d),
        summary=d.get("summary"),
        note=d.get("note"),
        max_total=d.get("max_total"),
        years=d.get("years", 1),
        bonuses=tuple(
            Bonus(b["label"], AnswerTest.from_doc(b["test"]), b["amount"], bool(b.get("per_year")))
            for b in d.get("bonuses") or ()
        ),
        prorate=Prorate(pr["answer"], AnswerTest.from_doc(pr["when"]), pr["label"]) if pr else None,
    )

"""Conditions on answers: typed tests, their outcomes and explanations, and the validity window.

A rule file's test (``{"answer": "days_per_week", "gte": 2.5}``) is loaded once into a frozen
:class:`AnswerTest` whose comparison function is chosen at load time; a condition (one test, a test with
a ``when`` guard, or ``any_of`` several tests) into a :class:`Condition`. Evaluating a test returns a
``Check`` tuple: the outcome, the value read, and whether the simulation date stood in for a missing
date answer (nothing travels beside the return values).

Outcomes are the strings of the public contract: ``met``, ``not_met``, ``unknown``,
``not_applicable``. :class:`Reasons` collects the outcomes of one aid with its missing answers and
assumptions.
"""

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from .texts import answer_detail, fmt, fmt_num, iso, years_before

__all__ = [
    "MET",
    "MISSING",
    "NA",
    "NOT_MET",
    "UNKNOWN",
    "AnswerTest",
    "Check",
    "Condition",
    "Reasons",
    "check_window",
]

MET, NOT_MET, UNKNOWN, NA = "met", "not_met", "unknown", "not_applicable"
MISSING: Any = object()  # an answer absent from the request (None is an answer: "aucune")


# ----------------------------------------------------------------------------------------- operators


def _eq(v, arg, as_of: date) -> bool:
    if isinstance(arg, bool):  # True must not match 1
        return v == arg and type(v) is type(arg)
    return v == arg


def _within(v, arg, as_of: date) -> bool:
    return v is not None and iso(v) > years_before(as_of, arg)


def _not_within(v, arg, as_of: date) -> bool:
    return v is None or iso(v) <= years_before(as_of, arg)


def _ordered(compare: Callable[[Any, Any], bool]):
    def op(v, arg, as_of: date) -> bool:
        return v is not None and compare(v, arg)

    return op


# operator name → (comparison of (answer value, argument, simulation date), French expectation)
_OPERATORS: dict[str, tuple[Callable[[Any, Any, date], bool], Callable[[str, Any], str]]] = {
    "eq": (_eq, lambda n, a: f"attendu : {fmt(n, a)}"),
    "in": (lambda v, a, d: v in a, lambda n, a: "attendu : " + " ou ".join(fmt(n, x) for x in a)),
    "gte": (_ordered(lambda v, a: v >= a), lambda n, a: f"attendu ≥ {fmt_num(a)}"),
    "gt": (_ordered(lambda v, a: v > a), lambda n, a: f"attendu > {fmt_num(a)}"),
    "lte": (_ordered(lambda v, a: v <= a), lambda n, a: f"attendu ≤ {fmt_num(a)}"),
    "lt": (_ordered(lambda v, a: v < a), lambda n, a: f"attendu < {fmt_num(a)}"),
    "on_or_after": (
        _ordered(lambda v, a: iso(v) >= a),
        lambda n, a: f"attendu : à partir du {fmt(None, a)}",
    ),
    "on_or_before": (
        _ordered(lambda v, a: iso(v) <= a),
        lambda n, a: f"attendu : au plus tard le {fmt(None, a)}",
    ),
    "within_years": (
        _within,
        lambda n, a: f"attendu : moins de {fmt_num(a)} an(s) avant la date de simulation",
    ),
    "not_within_years": (
        _not_within,
        lambda n, a: f"attendu : aucune dans les {fmt_num(a)} ans précédant la date de simulation",
    ),
    "is_null": (
        lambda v, a, d: (v is None) == a,
        lambda n, a: "attendu : aucune" if a else "attendu : une valeur",
    ),
}


# ------------------------------------------------------------------------------------------------ tests


# The result of one test: (outcome ``met``/``not_met``/``unknown``, the value read, whether the
# simulation date stood in for a missing answer). A plain tuple: it is made ~100 times per evaluation.
Check = tuple[str, Any, bool]


class AnswerTest(NamedTuple):
    """A test on one answer: ``answer`` compared by ``op`` with ``arg`` (one operator per test)."""

    answer: str
    op: str
    arg: Any
    expect: str  # French expectation: "attendu ≥ 2,5"
    default_as_of: bool  # a missing date answer takes the simulation date
    holds: Callable[[Any, Any, date], bool]

    @classmethod
    def from_doc(cls, t: dict) -> "AnswerTest":
        op = next((o for o in _OPERATORS if o in t), None)
        if op is None:
            raise ValueError(f"test on {t.get('answer')!r} has no operator (one of {', '.join(_OPERATORS)})")
        arg = t[op]
        if isinstance(arg, list):
            arg = tuple(arg)
        holds, expect = _OPERATORS[op]
        return cls(t["answer"], op, arg, expect(t["answer"], arg), t.get("default") == "as_of", holds)

    def check(self, answers: dict, as_of: date) -> Check:
        v = answers.get(self.answer, MISSING)
        if v is not MISSING:
            return (MET if self.holds(v, self.arg, as_of) else NOT_MET), v, False
        if not self.default_as_of:
            return UNKNOWN, v, False
        v = as_of.isoformat()
        return (MET if self.holds(v, self.arg, as_of) else NOT_MET), v, True


# ------------------------------------------------------------------------------------------ reasons


class Reasons:
    """Reasons, missing answers and assumptions of one aid, as they are found."""

    __slots__ = ("assumed", "failed", "missing", "reasons", "unknown")

    def __init__(self):
        self.reasons: list[dict] = []
        self.missing: list[str] = []
        self.assumed: dict[str, dict] = {}
        self.failed = self.unknown = False

    def add(self, condition: str, outcome: str, detail: str, missing=()) -> None:
        self.reasons.append({"condition": condition, "outcome": outcome, "detail": detail})
        if outcome == NOT_MET:
            self.failed = True
        elif outcome == UNKNOWN:
            self.unknown = True
            for m in missing:
                if m not in self.missing:
                    self.missing.append(m)

    def assume(self, id_: str, text: str, alternative: str | None = None) -> None:
        if id_ not in self.assumed:
            a = {"id": id_, "text": text}
            if alternative:
                a["alternative"] = alternative
            self.assumed[id_] = a

    @property
    def status(self) -> str:
        return "not_eligible" if self.failed else "missing_information" if self.unknown else "eligible"


# ------------------------------------------------------------------------------------------- conditions

_DEFAULT_DATE = "Date non renseignée : la date de la simulation est retenue."


class Condition(NamedTuple):
    """One condition of an aid: a test, optionally guarded by ``when``, or ``any_of`` several tests."""

    label: str
    test: AnswerTest | None = None
    when: AnswerTest | None = None
    any_of: tuple[AnswerTest, ...] = ()
    default_assumption: str = _DEFAULT_DATE

    @classmethod
    def from_doc(cls, c: dict) -> "Condition":
        return cls(
            label=c["label"],
            test=AnswerTest.from_doc(c) if "answer" in c else None,
            when=AnswerTest.from_doc(c["when"]) if "when" in c else None,
            any_of=tuple(AnswerTest.from_doc(t) for t in c.get("any_of") or ()),
            default_assumption=c.get("default_assumption") or _DEFAULT_DATE,
        )

    def evaluate(self, answers: dict, as_of: date, out: Reasons) -> None:
        label = self.label
        if self.when is not None:
            w = self.when.check(answers, as_of)[0]
            if w == NOT_MET:
                out.add(label, NA, "Sans objet pour votre situation.")
                return
            if w == UNKNOWN:
                name = self.when.answer
                out.add(label, UNKNOWN, f"Dépend d'une réponse manquante : {name}.", (name,))
                return
        if self.any_of:
            parts = [(t, t.check(answers, as_of)[0]) for t in self.any_of]
            if any(o == MET for _, o in parts):
                out.add(label, MET, "Au moins une des options est remplie.")
            elif all(o == NOT_MET for _, o in parts):
                out.add(label, NOT_MET, "Aucune des options n'est remplie.")
            else:
                miss = [t.answer for t, o in parts if o == UNKNOWN]
                out.add(label, UNKNOWN, "Réponse manquante : " + ", ".join(miss) + ".", miss)
            return
        t = self.test
        outcome, v, defaulted = t.check(answers, as_of)
        if outcome == UNKNOWN:
            out.add(label, UNKNOWN, f"Réponse manquante ({t.answer}) ; {t.expect}.", (t.answer,))
        elif defaulted:
            detail = f"Date non renseignée : date de simulation {fmt(None, v)} retenue ; {t.expect}."
            out.assume(f"default_{t.answer}", self.default_assumption)
            out.add(label, outcome, detail)
        else:
            out.add(label, outcome, answer_detail(t.answer, t.expect, v))


# ------------------------------------------------------------------------------------------- window

WINDOW = "Période d'ouverture des nouveaux contrats ou versements"


@lru_cache(maxsize=4096)
def check_window(valid_from: str | None, valid_until: str | None, as_of: str) -> tuple[str, str]:
    """(outcome, French detail) of an aid's window for new contracts on the date ``as_of``."""
    span = (f"du {fmt(None, valid_from)} " if valid_from else "") + (
        f"jusqu'au {fmt(None, valid_until)}" if valid_until else "sans date de fin"
    )
    if valid_from and as_of < valid_from:
        return NOT_MET, f"Au {fmt(None, as_of)}, l'aide n'est pas encore ouverte ({span})."
    if valid_until and as_of > valid_until:
        return NOT_MET, f"Au {fmt(None, as_of)}, l'aide n'est plus ouverte aux nouveaux contrats ({span})."
    return MET, f"Ouverte au {fmt(None, as_of)} ({span})."

"""The typed catalogue: aid rules and cross-cutting rules loaded into frozen objects, once.

``compile_rules`` turns the compiled catalogue of a release (``eligibility/aids.json``, written by
``rezone_build.rules_build`` from ``rules/*.yaml``) into a :class:`Ruleset`: every test, condition,
zone block and amount is parsed and checked here, once per release (the build step loads every rule
the same way, so a rule the engine cannot read fails the build, not a request). Evaluation then
reads attributes, never rule dicts.

The typed objects of every module are named tuples (immutable, C-level attribute access) rather
than frozen dataclasses: their classes are created at import, where a frozen slotted dataclass costs
~8× more (code generation, measured ~1 ms vs ~0.12 ms per class on the shared 2-core machine), and
``dataclasses`` would pull ``inspect`` into a cold start of the bare engine. The modules that define
them do without ``from __future__ import annotations``, which would turn every field annotation
into a ``ForwardRef`` compiled at import.
"""

from types import MappingProxyType
from typing import NamedTuple

from .amounts import Amount, amount_from_doc
from .conditions import AnswerTest, Condition
from .zones import FLAG_ANSWERS, Zone

__all__ = ["Aid", "Assumption", "CrossCutting", "Ruleset", "Source", "answer_refs", "compile_rules"]


class Source(NamedTuple):
    url: str
    title: str | None = None

    def as_json(self) -> dict:
        return {"url": self.url} if self.title is None else {"url": self.url, "title": self.title}


class Assumption(NamedTuple):
    """A reading chosen where sources conflict or are silent (French ``text``, other reading)."""

    id: str
    text: str
    alternative: str | None = None

    def as_json(self) -> dict:
        a = {"id": self.id, "text": self.text}
        if self.alternative is not None:
            a["alternative"] = self.alternative
        return a


def _sources(r: dict) -> tuple[Source, ...]:
    return tuple(Source(s["url"], s.get("title")) for s in r.get("sources") or ())


def _assumptions(r: dict) -> tuple[Assumption, ...]:
    return tuple(Assumption(a["id"], a["text"], a.get("alternative")) for a in r.get("assumptions") or ())


def answer_refs(rule: dict):
    """Yield (field path, answer name) for every answer a rule file reads, explicitly or implicitly."""

    def tests(t, path):
        if isinstance(t, dict) and "answer" in t:
            yield path + ".answer", t["answer"]

    for i, c in enumerate(rule.get("conditions") or ()):
        p = f"conditions[{i}]"
        yield from tests(c, p)
        yield from tests(c.get("when"), p + ".when")
        for j, t in enumerate(c.get("any_of") or ()):
            yield from tests(t, f"{p}.any_of[{j}]")
    amount = rule.get("amount") or {}
    if "answer" in amount:
        yield "amount.answer", amount["answer"]
    for i, b in enumerate(amount.get("bonuses") or ()):
        yield from tests(b.get("test"), f"amount.bonuses[{i}].test")
    if amount.get("prorate"):
        yield "amount.prorate.answer", amount["prorate"]["answer"]
        yield from tests(amount["prorate"].get("when"), "amount.prorate.when")
    zone = rule.get("zone") or {}
    if zone.get("qpv_override") or zone.get("qpv_qualifies"):
        yield "zone", "in_qpv"
        if zone.get("qpv_override"):
            yield "zone", "qpv_code"
    for flag in zone.get("flags") or ():
        yield "zone.flags", FLAG_ANSWERS[flag]
    if "answer" in rule:
        yield "answer", rule["answer"]
        yield "applies_to", "first_liberal_installation"


def _answers(r: dict) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _, name in answer_refs(r)))


class Aid(NamedTuple):
    """One aid: who (professions), where (zone), when (window), on which answers, how much, sources."""

    id: str
    name: str
    short_name: str
    funder: str
    category: str | None
    professions: tuple[str, ...]
    valid_from: str | None
    valid_until: str | None
    zone: Zone
    conditions: tuple[Condition, ...]
    amount: Amount | None
    exclusions: tuple[str, ...]  # ids of aids it cannot be combined with (symmetric)
    assumptions: tuple[Assumption, ...]
    sources: tuple[Source, ...]
    answers: tuple[str, ...]  # every answer name the rule reads (questionnaire)

    @classmethod
    def from_doc(cls, r: dict) -> "Aid":
        return cls(
            id=r["id"],
            name=r["name"],
            short_name=r.get("short_name", r["id"]),
            funder=r["funder"],
            category=r.get("category"),
            professions=tuple(r["professions"]),
            valid_from=r.get("valid_from"),
            valid_until=r.get("valid_until"),
            zone=Zone.from_doc(r.get("zone")),
            conditions=tuple(Condition.from_doc(c) for c in r.get("conditions") or ()),
            amount=amount_from_doc(r.get("amount")),
            exclusions=tuple(r.get("exclusions") or ()),
            assumptions=_assumptions(r),
            sources=_sources(r),
            answers=_answers(r),
        )


class CrossCutting(NamedTuple):
    """A rule on the aids of a category (the 10-year rule): no new aid if one came within ``years``."""

    id: str
    name: str
    category: str  # the category of aids it constrains
    professions: tuple[str, ...]  # the professions it constrains
    years: int
    answer: str  # the date of the last aid of that category
    valid_from: str | None
    assumptions: tuple[Assumption, ...]
    sources: tuple[Source, ...]
    answers: tuple[str, ...]
    test: AnswerTest  # the answer not within ``years`` of the simulation date

    @classmethod
    def from_doc(cls, r: dict) -> "CrossCutting":
        at = r["applies_to"]
        return cls(
            id=r["id"],
            name=r["name"],
            category=at["category"],
            professions=tuple(at["professions"]),
            years=r["years"],
            answer=r["answer"],
            valid_from=r.get("valid_from"),
            assumptions=_assumptions(r),
            sources=_sources(r),
            answers=_answers(r),
            test=AnswerTest.from_doc({"answer": r["answer"], "not_within_years": r["years"]}),
        )


class Ruleset(NamedTuple):
    """The typed rules of a release, indexed for evaluation."""

    aids: tuple[Aid, ...]  # catalogue order
    cross_cutting: tuple[CrossCutting, ...]
    by_id: MappingProxyType  # id → Aid | CrossCutting
    by_profession: MappingProxyType  # profession → tuple of its aids, catalogue order
    conflicts: MappingProxyType  # aid id → frozenset of the ids it cannot be combined with
    documents: tuple[dict, ...]  # the rules as compiled (the public catalogue, ``GET /v1/aids``)


_KINDS = {"aid": Aid, "cross_cutting": CrossCutting}


def compile_rules(doc) -> Ruleset:
    """A :class:`Ruleset` from the compiled catalogue (``{"aids": [...]}``) or a list of rule dicts."""
    if isinstance(doc, Ruleset):
        return doc
    docs = tuple(doc["aids"] if isinstance(doc, dict) else doc)
    rules = [_KINDS[r.get("kind", "aid")].from_doc(r) for r in docs]
    aids = tuple(r for r in rules if isinstance(r, Aid))
    by_profession: dict[str, list[Aid]] = {}
    conflicts: dict[str, set[str]] = {}
    for a in aids:
        for p in a.professions:
            by_profession.setdefault(p, []).append(a)
        for b in a.exclusions:
            conflicts.setdefault(a.id, set()).add(b)
            conflicts.setdefault(b, set()).add(a.id)
    return Ruleset(
        aids=aids,
        cross_cutting=tuple(r for r in rules if isinstance(r, CrossCutting)),
        by_id=MappingProxyType({r.id: r for r in rules}),
        by_profession=MappingProxyType({p: tuple(v) for p, v in by_profession.items()}),
        conflicts=MappingProxyType({a: frozenset(v) for a, v in conflicts.items()}),
        documents=docs,
    )

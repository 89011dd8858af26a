"""The eligibility engine: a pure function of (rules, location facts, answers, as-of date).

``evaluate(rules, facts, answers, as_of, profession=…)`` returns, for every aid of the profession,
a ``status`` (``eligible`` | ``not_eligible`` | ``missing_information``), an ``amount`` computed from
the answers, the ``reasons`` (each condition with its outcome, in French), the ``missing`` answers
that would decide it, the ``assumptions`` taken where sources conflict, and the ``sources``.

Rules are a :class:`~rezone.eligibility.rules.Ruleset` (typed, loaded once per release from the
compiled catalogue ``eligibility/aids.json``; a catalogue dict is loaded on the fly). Facts are a
commune's zone facts (``rezone.facts.commune_facts``) or a hand-made dict of the same shape:
``{"zonage": {profession: {"code", "label", "reason"} | code}, "region": {"code"} | code,
"qpv": [{"code", "name", "obsolete", "zonage_medecin": {"code"}}], "zrr": {"code", "label"},
"zone_rouge": {"value": True | None, "reason"}, "epci": {"code", "name"}}``.

One concern per module: :mod:`.conditions` (tests on answers, validity window), :mod:`.zones`
(zone codes, QPV, regions, location lists), :mod:`.amounts`, :mod:`.exclusions` (cross-cutting
rules, aids that cannot be combined), :mod:`.rules` (the typed catalogue); this module runs them.
"""

from __future__ import annotations

from datetime import date

from .amounts import no_amount
from .conditions import WINDOW, Reasons, check_window
from .exclusions import check_cross_cutting, resolve_exclusions
from .rules import Aid, Ruleset, compile_rules
from .texts import money
from .zones import Place

__all__ = ["STATUSES", "Ruleset", "compile_rules", "evaluate"]

STATUSES = ("eligible", "not_eligible", "missing_information")


def _evaluate_aid(
    aid: Aid, rs: Ruleset, profession: str, place: Place, answers: dict, as_of: date, as_of_iso: str
) -> dict:
    out = Reasons()
    out.add(WINDOW, *check_window(aid.valid_from, aid.valid_until, as_of_iso))
    zone = aid.zone.evaluate(place, answers, out)
    for c in aid.conditions:
        c.evaluate(answers, as_of, out)
    sources = list(aid.sources)
    for cc in rs.cross_cutting:
        if check_cross_cutting(cc, aid, profession, answers, as_of, out):
            sources += [s for s in cc.sources if s not in sources]
            for a in cc.assumptions:
                out.assume(a.id, a.text, a.alternative)
    assumptions = list(out.assumed.values())
    assumptions.extend(a.as_json() for a in aid.assumptions if a.id not in out.assumed)
    return {
        "id": aid.id,
        "name": aid.name,
        "short_name": aid.short_name,
        "funder": aid.funder,
        "category": aid.category,
        "status": out.status,
        "amount": aid.amount.compute(answers, zone, as_of) if aid.amount else no_amount(),
        "reasons": out.reasons,
        "missing": out.missing,
        "assumptions": assumptions,
        "sources": [s.as_json() for s in sources],
        "valid_from": aid.valid_from,
        "valid_until": aid.valid_until,
    }


def evaluate(rules, facts: dict, answers: dict, as_of, *, profession: str) -> dict:
    """Evaluate every aid of ``profession`` for a location (``facts``), ``answers`` and date ``as_of``."""
    rs = compile_rules(rules)
    as_of = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    answers = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (answers or {}).items()}
    as_of_iso = as_of.isoformat()
    place = Place.from_facts(facts or {}, profession)
    results = [
        _evaluate_aid(a, rs, profession, place, answers, as_of, as_of_iso)
        for a in rs.by_profession.get(profession, ())
    ]
    resolve_exclusions(results, rs.conflicts)
    total = sum(r["amount"]["total"] for r in results if r["status"] == "eligible" and r["amount"]["total"])
    missing: list[str] = []
    for r in results:
        if r["status"] == "missing_information":
            missing.extend(m for m in r["missing"] if m not in missing)
    return {
        "as_of": as_of_iso,
        "profession": profession,
        "aids": results,
        "total_eligible_eur": money(total),
        "missing": missing,
    }

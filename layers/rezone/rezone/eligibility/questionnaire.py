"""The questionnaire of a profession: a JSON Schema (draft 2020-12) of the answers its rules need.

Built from the rules themselves (every answer a condition, amount, zone list or cross-cutting rule
reads) and the vocabulary (French titles, help texts, enum labels, bounds, dependencies), so a
client renders it without knowing the rules. Dependencies are given as ``x-depends-on``
(``{"answer": [values]}``: ask this question only when that answer has one of these values).
"""

from __future__ import annotations

from rezone.constants import PROFESSION_LABELS

from .engine import compile_rules
from .vocabulary import ALWAYS_ASKED, QUESTIONS

__all__ = ["SCHEMA_DIALECT", "answer_refs", "answers_needed", "questionnaire"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FLAG_ANSWERS = {"zrr": "in_zrr", "frr": "in_frr", "zfu": "in_zfu", "zone_rouge": "epci_zone_rouge"}
_ORDER = {q.name: i for i, q in enumerate(QUESTIONS)}
_DESCRIPTION = (
    "Répondez aux questions qui vous concernent : une question sans réponse est signalée dans le résultat "
    "(« missing ») lorsqu'elle déciderait d'une aide. « x-depends-on » indique les questions à ne poser que "
    "selon une réponse précédente."
)
_BY_NAME = {q.name: q for q in QUESTIONS}


def answer_refs(rule: dict):
    """Yield (field path, answer name) for every answer a rule reads, explicitly or implicitly."""

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
        yield "zone.flags", _FLAG_ANSWERS[flag]
    if "answer" in rule:
        yield "answer", rule["answer"]
        yield "applies_to", "first_liberal_installation"


def answers_needed(rules, profession: str) -> dict[str, list[str]]:
    """{answer name: [ids of the aids that read it]} for a profession, in questionnaire order."""
    rs = compile_rules(rules)
    used: dict[str, list[str]] = {n: [] for n in ALWAYS_ASKED}
    aids = rs.by_profession.get(profession, [])
    for rule in aids:
        for _, name in answer_refs(rule):
            ids = used.setdefault(name, [])
            if rule["id"] not in ids:
                ids.append(rule["id"])
    for cc in rs.cross_cutting:
        if profession in cc["applies_to"]["professions"]:
            targets = [r["id"] for r in aids if r.get("category") == cc["applies_to"]["category"]]
            if targets:
                for _, name in answer_refs(cc):
                    ids = used.setdefault(name, [])
                    ids.extend(t for t in targets if t not in ids)
    # a question that depends on another brings the controlling question along
    for name in list(used):
        dep = _BY_NAME[name].depends_on or {}
        for ctrl in dep:
            used.setdefault(ctrl, [])
    return {n: used[n] for n in sorted(used, key=_ORDER.__getitem__)}


def _property(q, used_by: list[str]) -> dict:
    p: dict = {"title": q.title, "description": q.description}
    if q.type == "enum":
        values = [v for v, _ in q.enum]
        p.update(
            type="string",
            enum=values,
            oneOf=[{"const": v, "title": label} for v, label in q.enum],
            **{"x-enum-labels": dict(q.enum)},
        )
    elif q.type == "date":
        p.update(type=["string", "null"] if q.nullable else "string", format="date")
    elif q.type == "boolean":
        p.update(type="boolean", oneOf=[{"const": True, "title": "Oui"}, {"const": False, "title": "Non"}])
    else:
        p["type"] = q.type
    if q.minimum is not None:
        p["minimum"] = q.minimum
    if q.maximum is not None:
        p["maximum"] = q.maximum
    if q.depends_on:
        p["x-depends-on"] = q.depends_on
    p["x-used-by"] = used_by
    return p


def questionnaire(rules, profession: str) -> dict:
    """The JSON Schema of the answers for ``profession``."""
    needed = answers_needed(rules, profession)
    props = {n: _property(_BY_NAME[n], ids) for n, ids in needed.items()}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://rezone.example/v1/eligibility/questions?profession={profession}",
        "title": "Questionnaire d'éligibilité aux aides – " + PROFESSION_LABELS.get(profession, profession),
        "description": _DESCRIPTION,
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "x-order": list(props),
        "x-profession": profession,
    }

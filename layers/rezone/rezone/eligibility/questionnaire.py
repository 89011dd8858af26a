"""The questionnaire of a profession: a JSON Schema (draft 2020-12) of the answers its rules need.

Built from the rules themselves (every answer a condition, amount, zone list or cross-cutting rule
reads) and the vocabulary (French titles, help texts, enum labels, bounds, dependencies), so a
client renders it without knowing the rules. Dependencies are given as ``x-depends-on``
(``{"answer": [values]}``: ask this question only when that answer has one of these values).
"""

from __future__ import annotations

from rezone.constants import PROFESSION_LABELS

from .rules import answer_refs, compile_rules
from .vocabulary import ALWAYS_ASKED, QUESTIONS

__all__ = ["SCHEMA_DIALECT", "answer_refs", "answers_needed", "questionnaire"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_ORDER = {q.name: i for i, q in enumerate(QUESTIONS)}
_DESCRIPTION = (
    "Répondez aux questions qui vous concernent : une question sans réponse est signalée dans le résultat "
    "(« missing ») lorsqu'elle déciderait d'une aide. « x-depends-on » indique les questions à ne poser que "
    "selon une réponse précédente."
)
_BY_NAME = {q.name: q for q in QUESTIONS}


def answers_needed(rules, profession: str) -> dict[str, list[str]]:
    """{answer name: [ids of the aids that read it]} for a profession, in questionnaire order."""
    rs = compile_rules(rules)
    used: dict[str, list[str]] = {n: [] for n in ALWAYS_ASKED}
    aids = rs.by_profession.get(profession, ())
    for rule in aids:
        for name in rule.answers:
            used.setdefault(name, []).append(rule.id)
    for cc in rs.cross_cutting:
        if profession in cc.professions:
            targets = [r.id for r in aids if r.category == cc.category]
            if targets:
                for name in cc.answers:
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

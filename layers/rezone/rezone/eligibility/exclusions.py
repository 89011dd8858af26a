"""Aids that cannot be combined: with an aid received before (cross-cutting rules such as the
10-year rule of décret 2025-231) and with each other within one simulation (``exclusions``).

:func:`check_cross_cutting` adds the verdict of one cross-cutting rule to an aid's reasons;
:func:`resolve_exclusions` keeps, among eligible aids that exclude each other, the combination with
the highest total (catalogue order breaks ties) and explains the others.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date

from .conditions import MET, MISSING, NA, NOT_MET, UNKNOWN, Reasons
from .rules import Aid, CrossCutting
from .texts import eur, fmt, iso

__all__ = ["check_cross_cutting", "resolve_exclusions"]


def check_cross_cutting(
    cc: CrossCutting, aid: Aid, profession: str, answers: dict, as_of: date, out: Reasons
) -> bool:
    """Add the verdict of ``cc`` on ``aid`` to ``out``; False when ``cc`` does not constrain it."""
    if aid.category != cc.category or profession not in cc.professions:
        return False
    cond = f"{cc.name} (aucune aide de la catégorie « {cc.category} » depuis {cc.years} ans)"
    if cc.valid_from and as_of.isoformat() < cc.valid_from:
        out.add(cond, NA, f"Règle en vigueur à partir du {fmt(None, cc.valid_from)}.")
        return True
    v = answers.get(cc.answer, MISSING)
    if v is MISSING:
        if answers.get("first_liberal_installation") is True:
            out.add(cond, MET, "Première installation libérale : aucune aide à l'installation antérieure.")
            out.assume(
                "first_install_no_prior_aid",
                "Première installation libérale déclarée : aucune aide à "
                "l'installation n'a pu être perçue auparavant (règle des 10 ans satisfaite).",
            )
        else:
            out.add(
                cond,
                UNKNOWN,
                "Indiquez la date de la dernière aide à l'installation reçue (ou aucune).",
                (cc.answer,),
            )
        return True
    if cc.test.check(answers, as_of)[0] == MET:
        out.add(
            cond,
            MET,
            "Aucune aide de cette catégorie reçue dans les 10 dernières années."
            if v is None
            else f"Dernière aide le {fmt(None, v)} : plus de {cc.years} ans.",
        )
    else:
        until = iso(v)
        until = f"{int(until[:4]) + cc.years}{until[4:]}"
        out.add(
            cond,
            NOT_MET,
            f"Dernière aide le {fmt(None, v)} : nouvelle aide de cette catégorie possible "
            f"à partir du {fmt(None, until)}.",
        )
    return True


def resolve_exclusions(results: list[dict], conflicts: Mapping[str, frozenset]) -> None:
    """Among eligible aids that exclude each other, keep the best combination; explain the others.

    ``results`` are the per-aid answers (catalogue order), changed in place; ``conflicts`` maps an aid
    id to the ids it cannot be combined with (symmetric).
    """
    idx = {r["id"]: i for i, r in enumerate(results)}
    none: frozenset = frozenset()

    def excl(a: str, b: str) -> bool:
        return b in conflicts.get(a, none)

    eligible = [r["id"] for r in results if r["status"] == "eligible"]
    # connected components of the conflict graph among eligible aids
    seen: set[str] = set()
    for start in eligible:
        if start in seen:
            continue
        comp, stack = [], [start]
        while stack:
            a = stack.pop()
            if a in seen:
                continue
            seen.add(a)
            comp.append(a)
            stack.extend(b for b in eligible if b not in seen and excl(a, b))
        if len(comp) < 2:
            continue
        comp.sort(key=idx.__getitem__)
        best, best_key = (), None
        for n in range(len(comp), 0, -1):
            for subset in itertools.combinations(comp, n):
                if any(excl(a, b) for a, b in itertools.combinations(subset, 2)):
                    continue
                total = sum(results[idx[a]]["amount"]["total"] or 0 for a in subset)
                key = (total, len(subset), [-idx[a] for a in subset])
                if best_key is None or key > best_key:
                    best, best_key = subset, key
        for a in comp:
            if a in best:
                continue
            winners = [b for b in best if excl(a, b)]
            r = results[idx[a]]
            names = ", ".join(results[idx[b]]["short_name"] for b in winners)
            mine = r["amount"]["total"]
            theirs = sum(results[idx[b]]["amount"]["total"] or 0 for b in winners)
            why = (
                f"retenu car montant supérieur ({eur(theirs)} contre {eur(mine or 0)})"
                if theirs > (mine or 0)
                else "retenu à montant égal (ordre du catalogue)"
            )
            r["status"] = "not_eligible"
            r["excluded_by"] = winners
            r["reasons"].append(
                {
                    "condition": f"Cumul avec {names}",
                    "outcome": NOT_MET,
                    "detail": f"Non cumulable avec {names} : {names} {why}.",
                }
            )
    # pending aids that would conflict with a retained one: say so without changing their status
    for r in results:
        if r["status"] != "missing_information":
            continue
        clash = [b for b in eligible if results[idx[b]]["status"] == "eligible" and excl(r["id"], b)]
        if clash:
            names = ", ".join(results[idx[b]]["short_name"] for b in clash)
            r["reasons"].append(
                {
                    "condition": f"Cumul avec {names}",
                    "outcome": UNKNOWN,
                    "detail": f"Non cumulable avec {names}, auquel vous êtes éligible.",
                }
            )

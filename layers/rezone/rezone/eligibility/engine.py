"""The eligibility engine: a pure function of (rules, location facts, answers, as-of date).

``evaluate(rules, facts, answers, as_of, profession=…)`` returns, for every aid of the profession,
a ``status`` (``eligible`` | ``not_eligible`` | ``missing_information``), an ``amount`` computed from
the answers, the ``reasons`` (each condition with its outcome, in French), the ``missing`` answers
that would decide it, the ``assumptions`` taken where sources conflict, and the ``sources``.

Rules are the compiled catalogue (``eligibility/aids.json``, see rezone_build.rules_build); facts
are a commune's zone facts (``rezone.facts.commune_facts``) or a hand-made dict of the same shape:
``{"zonage": {profession: {"code", "label", "reason"} | code}, "region": {"code"} | code,
"qpv": [{"code", "name", "obsolete", "zonage_medecin": {"code"}}], "zrr": {"code", "label"},
"zone_rouge": {"value": True | None, "reason"}, "epci": {"code", "name"}}``.
"""

from __future__ import annotations

import itertools
from datetime import date

from .vocabulary import QUESTIONS

__all__ = ["STATUSES", "Ruleset", "compile_rules", "evaluate"]

STATUSES = ("eligible", "not_eligible", "missing_information")
MET, NOT_MET, UNKNOWN, NA = "met", "not_met", "unknown", "not_applicable"
_MISSING = object()
_REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
_ENUM_LABELS = {q.name: dict(q.enum) for q in QUESTIONS if q.enum}
_TITLES = {q.name: q.title for q in QUESTIONS}
_OPS = (
    "eq",
    "in",
    "gte",
    "gt",
    "lte",
    "lt",
    "on_or_after",
    "on_or_before",
    "within_years",
    "not_within_years",
    "is_null",
)


class Ruleset:
    """Rules indexed for evaluation: aids per profession (catalogue order) and cross-cutting rules."""

    __slots__ = ("aids", "by_id", "by_profession", "cross_cutting", "memo", "prepared")

    def __init__(self, rules: list[dict]):
        self.memo: dict = {}  # bounded memo of explanation texts that depend on the date only
        self.prepared = {id(c): _prepare_condition(c) for r in rules for c in r.get("conditions") or ()}
        self.aids = [r for r in rules if r.get("kind", "aid") == "aid"]
        self.cross_cutting = [r for r in rules if r.get("kind") == "cross_cutting"]
        self.by_id = {r["id"]: r for r in rules}
        self.by_profession: dict[str, list[dict]] = {}
        for r in self.aids:
            for p in r["professions"]:
                self.by_profession.setdefault(p, []).append(r)


def compile_rules(doc) -> Ruleset:
    """A :class:`Ruleset` from the compiled catalogue (``{"aids": [...]}``) or a list of rule dicts."""
    if isinstance(doc, Ruleset):
        return doc
    return Ruleset(doc["aids"] if isinstance(doc, dict) else list(doc))


# ----------------------------------------------------------------------------------------------- helpers


def _fmt_num(x) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}".replace(",", "\u202f")
    return f"{x:,.2f}".rstrip("0").replace(",", "\u202f").replace(".", ",")


def _fmt(name: str | None, v) -> str:
    if v is True:
        return "oui"
    if v is False:
        return "non"
    if v is None:
        return "aucune"
    if isinstance(v, (int, float)):
        return _fmt_num(v)
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    labels = _ENUM_LABELS.get(name or "")
    if labels and v in labels:
        return f"« {labels[v]} »"
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        return f"{v[8:]}/{v[5:7]}/{v[:4]}"
    return str(v)


def _money(x):
    """Euros rounded to the cent; whole amounts as integers (10000, not 10000.0)."""
    x = round(x, 2)
    return int(x) if float(x).is_integer() else x


def _eur(x) -> str:
    return f"{_fmt_num(round(x, 2))} €"


def _iso(d) -> str:
    return d if isinstance(d, str) else d.isoformat()


def _minus_years(d: date, years: float) -> date:
    whole = int(years)
    if d.year - whole < 1:
        return date.min
    try:
        out = d.replace(year=d.year - whole)
    except ValueError:  # 29 February
        out = d.replace(year=d.year - whole, day=28)
    if years != whole:
        out = date.fromordinal(out.toordinal() - round((years - whole) * 365.25))
    return out


def _zone_entry(facts: dict, profession: str):
    z = (facts.get("zonage") or {}).get(profession)
    if isinstance(z, dict):
        return z.get("code"), z.get("label"), z.get("reason")
    return z, z, None


def _code(x):
    return x.get("code") if isinstance(x, dict) else x


class _Acc:
    """Reasons, missing answers and assumptions of one aid."""

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


# ------------------------------------------------------------------------------------------------ tests


def _prepare_test(t: dict) -> tuple:
    """A test as (answer, operator, argument, expectation text, default-to-as_of): parsed once."""
    op = next(o for o in _OPS if o in t)
    return t["answer"], op, t[op], _expect(t), t.get("default") == "as_of"


def _prepare_condition(c: dict) -> dict:
    return {
        "test": _prepare_test(c) if "answer" in c else None,
        "when": _prepare_test(c["when"]) if "when" in c else None,
        "any_of": [_prepare_test(t) for t in c.get("any_of") or ()],
        "details": {},  # answer value → explanation text (bounded memo, values repeat across requests)
    }


def _test(t, answers: dict, ctx: dict):
    """(outcome, value, expectation text, missing names) of one answer test (dict or prepared tuple)."""
    name, op, arg, expect, default_as_of = t if isinstance(t, tuple) else _prepare_test(t)
    v = answers.get(name, _MISSING)
    if v is _MISSING and default_as_of:
        v = ctx["as_of_iso"]
        ctx["defaulted"] = True
    if v is _MISSING:
        return UNKNOWN, v, expect, [name]
    if op == "eq":
        ok = v == arg and type(v) is type(arg) if isinstance(arg, bool) else v == arg
    elif op == "in":
        ok = v in arg
    elif op == "is_null":
        ok = (v is None) == arg
    elif v is None:
        ok = op == "not_within_years"
    elif op in ("gte", "gt", "lte", "lt"):
        ok = {"gte": v >= arg, "gt": v > arg, "lte": v <= arg, "lt": v < arg}[op]
    elif op == "on_or_after":
        ok = _iso(v) >= arg
    elif op == "on_or_before":
        ok = _iso(v) <= arg
    else:  # within_years / not_within_years: relative to the simulation date
        limit = ctx.get(arg)
        if limit is None:
            limit = ctx[arg] = _minus_years(ctx["as_of"], arg).isoformat()
        ok = (_iso(v) > limit) == (op == "within_years")
    return (MET if ok else NOT_MET), v, expect, []


def _expect(t: dict) -> str:
    name = t["answer"]
    op = next(o for o in _OPS if o in t)
    arg = t[op]
    if op == "eq":
        return f"attendu : {_fmt(name, arg)}"
    if op == "in":
        return "attendu : " + " ou ".join(_fmt(name, a) for a in arg)
    if op == "is_null":
        return "attendu : aucune" if arg else "attendu : une valeur"
    sym = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}.get(op)
    if sym:
        return f"attendu {sym} {_fmt_num(arg)}"
    if op == "on_or_after":
        return f"attendu : à partir du {_fmt(None, arg)}"
    if op == "on_or_before":
        return f"attendu : au plus tard le {_fmt(None, arg)}"
    if op == "within_years":
        return f"attendu : moins de {_fmt_num(arg)} an(s) avant la date de simulation"
    return f"attendu : aucune dans les {_fmt_num(arg)} ans précédant la date de simulation"


def _condition(c: dict, prep: dict, answers: dict, ctx: dict, acc: _Acc) -> None:
    label = c["label"]
    if prep["when"]:
        w, _, _, wmiss = _test(prep["when"], answers, ctx)
        if w == NOT_MET:
            acc.add(label, NA, "Sans objet pour votre situation.")
            return
        if w == UNKNOWN:
            acc.add(label, UNKNOWN, "Dépend d'une réponse manquante : " + ", ".join(wmiss) + ".", wmiss)
            return
    if prep["any_of"]:
        parts = [_test(t, answers, ctx) for t in prep["any_of"]]
        if any(p[0] == MET for p in parts):
            acc.add(label, MET, "Au moins une des options est remplie.")
        elif all(p[0] == NOT_MET for p in parts):
            acc.add(label, NOT_MET, "Aucune des options n'est remplie.")
        else:
            miss = [m for p in parts for m in p[3]]
            acc.add(label, UNKNOWN, "Réponse manquante : " + ", ".join(miss) + ".", miss)
        return
    ctx["defaulted"] = False
    outcome, v, expect, miss = _test(prep["test"], answers, ctx)
    if outcome == UNKNOWN:
        acc.add(label, UNKNOWN, f"Réponse manquante ({c['answer']}) ; {expect}.", miss)
        return
    cache = prep["details"]
    key = (v.__class__, v) if isinstance(v, (str, bool, int, float)) else None
    detail = cache.get(key) if key else None
    if detail is None:
        detail = f"Votre réponse : {_fmt(c['answer'], v)} ; {expect}."
        if key and len(cache) < 64:
            cache[key] = detail
    if ctx["defaulted"]:
        detail = f"Date non renseignée : date de simulation {_fmt(None, v)} retenue ; {expect}."
        acc.assume(
            f"default_{c['answer']}",
            c.get("default_assumption") or "Date non renseignée : la date de la simulation est retenue.",
        )
    acc.add(label, outcome, detail)


# ------------------------------------------------------------------------------------------------- zone


def _zone(rule: dict, profession: str, facts: dict, answers: dict, acc: _Acc) -> str | None:
    """Evaluate the zone conditions; return the zone code the amount depends on (QPV override applied)."""
    z = rule.get("zone") or {}
    effective, label, why = _zone_entry(facts, profession)
    codes = z.get("codes") or []
    if codes:
        effective = _zone_codes(z, codes, profession, facts, answers, acc, effective, label, why)
    regions = z.get("regions")
    if regions:
        reg = _code(facts.get("region"))
        cond = "Région : " + ", ".join(_REGIONS.get(r, r) for r in regions)
        if reg is None:
            acc.add(cond, UNKNOWN, "Région du lieu d'exercice inconnue.", ["location"])
        elif reg in regions:
            acc.add(cond, MET, f"Le lieu d'exercice est dans la région {_REGIONS.get(reg, reg)}.")
        else:
            acc.add(
                cond,
                NOT_MET,
                f"Le lieu d'exercice est dans la région {_REGIONS.get(reg, reg)} : "
                "aide propre à une autre région.",
            )
    for flag in z.get("flags") or ():
        _FLAGS[flag](facts, answers, acc)
    return effective


def _zone_codes(z, codes, profession, facts, answers, acc, commune_code, label, why):
    outside = bool(z.get("outside"))
    names = " ou ".join(codes)
    cond = z.get("label") or (
        f"Lieu d'exercice hors zone {names}" if outside else f"Lieu d'exercice en zone {names}"
    )
    in_qpv = answers.get("in_qpv", _MISSING)
    qpvs = [q for q in facts.get("qpv") or () if not q.get("obsolete")]
    qpv_zones = [(q, _code(q.get("zonage_medecin"))) for q in qpvs]
    qpv_zones = [(q, c) for q, c in qpv_zones if c]

    def ok(code):
        return (code in codes) != outside

    effective, where = (
        commune_code,
        f"la commune est classée {commune_code} ({label})" if commune_code else None,
    )
    if z.get("qpv_override") and in_qpv is True and qpv_zones:
        chosen = qpv_zones
        wanted = answers.get("qpv_code")
        if wanted:
            chosen = [(q, c) for q, c in qpv_zones if q.get("code") == wanted]
            if not chosen:
                acc.assume(
                    "qpv_code_unknown",
                    f"Le QPV {wanted} n'a pas de zonage propre connu dans cette commune : "
                    "le zonage de la commune est retenu.",
                )
        distinct = {c for _, c in chosen}
        if len(distinct) == 1:
            q, effective = chosen[0]
            where = (
                f"le QPV {q.get('name') or q.get('code')} est classé {effective} (son zonage propre prévaut)"
            )
        elif len(distinct) > 1 and len({ok(c) for c in distinct}) > 1:
            acc.add(
                cond,
                UNKNOWN,
                "La commune compte plusieurs QPV de zonages différents : précisez le QPV.",
                ["qpv_code"],
            )
            return None
        elif len(distinct) > 1:
            effective = min(distinct)
            where = "les QPV de la commune sont classés " + ", ".join(sorted(distinct))
    elif z.get("qpv_override") and in_qpv is True and not qpv_zones:
        acc.assume(
            "qpv_zonage_unknown",
            "Cabinet déclaré en QPV, mais le zonage propre de ce QPV n'est pas dans "
            "nos données : le zonage de la commune est retenu.",
        )
    if effective is None:
        acc.add(cond, UNKNOWN, f"Zonage inconnu pour ce lieu ({why or 'non renseigné'}).", ["zone"])
        return None
    if z.get("qpv_override") and in_qpv is _MISSING and any(ok(c) != ok(effective) for _, c in qpv_zones):
        acc.add(
            cond,
            UNKNOWN,
            f"{where[0].upper()}{where[1:]}, mais un QPV de la commune a un autre zonage : "
            "précisez si le cabinet est en QPV.",
            ["in_qpv"],
        )
        return effective
    if ok(effective):
        acc.add(cond, MET, f"{where[0].upper()}{where[1:]}.")
    elif z.get("qpv_qualifies") and in_qpv is True:
        acc.add(cond + " ou en QPV", MET, "Le cabinet est déclaré en quartier prioritaire (QPV).")
        if not qpvs:
            acc.assume(
                "qpv_declared",
                "Cabinet déclaré en QPV : la liste nationale des QPV 2024 n'est pas dans "
                "nos données, la déclaration est retenue.",
            )
    elif z.get("qpv_qualifies") and in_qpv is _MISSING:
        acc.add(
            cond + " ou en QPV",
            UNKNOWN,
            f"{where[0].upper()}{where[1:]} ; l'aide est aussi ouverte en "
            "quartier prioritaire (QPV) : précisez si le cabinet est en QPV.",
            ["in_qpv"],
        )
    else:
        acc.add(cond, NOT_MET, f"{where[0].upper()}{where[1:]}.")
    return effective


def _flag_answer(name, cond, unknown_detail, answers, acc):
    v = answers.get(name, _MISSING)
    if v is _MISSING:
        acc.add(cond, UNKNOWN, unknown_detail, [name])
    else:
        acc.add(cond, MET if v else NOT_MET, f"Selon votre réponse ({_fmt(name, v)}).")
        if v:
            acc.assume(
                f"declared_{name}", f"{cond} : d'après votre déclaration, non vérifiée dans nos données."
            )


_ZRR_LABELS = {"C": "classee", "P": "partiellement_classee", "NC": "non_classee"}


def _flag_zrr(facts, answers, acc):
    cond = "Commune classée en zone de revitalisation rurale (ZRR)"
    z = facts.get("zrr") if isinstance(facts.get("zrr"), dict) else {"code": facts.get("zrr")}
    code, label = z.get("code"), z.get("label") or ""
    if code is None and "|" not in label:  # hand-written facts may give the source label only
        code = _ZRR_LABELS.get(label.split(" - ")[0].strip())
    if code == "classee":
        acc.add(cond, MET, f"Classement ZRR de la commune : {label or code}.")
    elif code == "non_classee":
        acc.add(cond, NOT_MET, f"Classement ZRR de la commune : {label or code}.")
    else:
        why = (
            "commune partiellement classée en ZRR"
            if code == "partiellement_classee"
            else z.get("reason") or "classement ZRR inconnu"
        )
        _flag_answer(
            "in_zrr",
            cond,
            f"{why[0].upper()}{why[1:]} : précisez si le cabinet est dans une partie classée.",
            answers,
            acc,
        )


def _flag_frr(facts, answers, acc):
    _flag_answer(
        "in_frr",
        "Commune classée France Ruralités Revitalisation (FRR)",
        "Le classement FRR des communes n'est pas dans nos données : précisez-le.",
        answers,
        acc,
    )


def _flag_zfu(facts, answers, acc):
    _flag_answer(
        "in_zfu",
        "Cabinet en zone franche urbaine – territoire entrepreneur (ZFU-TE)",
        "Les périmètres des ZFU-TE ne sont pas dans nos données : précisez si le cabinet y est situé.",
        answers,
        acc,
    )


def _flag_zone_rouge(facts, answers, acc):
    cond = "Intercommunalité prioritaire (« zone rouge », 151 EPCI)"
    zr = facts.get("zone_rouge")
    value = zr.get("value") if isinstance(zr, dict) else zr
    epci = facts.get("epci") or {}
    name = epci.get("name") if isinstance(epci, dict) else None
    if value is True:
        acc.add(
            cond,
            MET,
            f"L'intercommunalité {name or ''} figure sur la liste des zones rouges.".replace("  ", " "),
        )
        return
    if value is False:
        acc.add(
            cond, NOT_MET, f"L'intercommunalité {name or ''} ne figure pas sur la liste des zones rouges."
        )
        return
    reason = (zr.get("reason") if isinstance(zr, dict) else None) or (
        "la liste officielle des 151 intercommunalités n'est connue qu'en partie"
    )
    _flag_answer(
        "epci_zone_rouge",
        cond,
        f"Statut inconnu pour l'intercommunalité {name or 'du lieu'} : {reason} "
        "(absence de la liste ≠ exclusion).",
        answers,
        acc,
    )


_FLAGS = {"zrr": _flag_zrr, "frr": _flag_frr, "zfu": _flag_zfu, "zone_rouge": _flag_zone_rouge}


# ----------------------------------------------------------------------------------------------- amount


def _amount(spec: dict | None, answers: dict, zone_code, ctx: dict) -> dict:
    out = {"total": None, "currency": "EUR", "schedule": [], "summary": (spec or {}).get("summary")}
    if not spec:
        return out
    t = spec["type"]
    missing: list[str] = []
    sched: list[dict] = []
    if t == "fixed":
        sched = [dict(s) for s in spec["schedule"]]
        total = spec["total"]
    elif t == "per_weekday" or t == "per_day":
        v = answers.get(spec["answer"])
        if v is None:
            missing.append(spec["answer"])
            total = None
        else:
            base = spec["rate"] * min(v, spec["cap"])
            total = base * spec.get("months", 1)
        if t == "per_weekday":
            sched = [
                {"when": s["when"], "amount": None if total is None else total * s["share"]}
                for s in spec["shares"]
            ]
        else:
            sched = [
                {
                    "when": f"Chaque mois, pendant {spec['months']} mois",
                    "amount": None if total is None else total / spec["months"],
                }
            ]
    elif t == "annual":
        sched = [{"when": f"Année {i + 1}", "amount": spec["per_year"]} for i in range(spec["years"])]
        total = spec["per_year"] * spec["years"]
    elif t == "percent":
        v = answers.get(spec["answer"])
        cap = spec.get("cap_per_year")
        if v is None:
            missing.append(spec["answer"])
        yearly = [
            None if v is None else (min(v * r, cap) if cap is not None else v * r) for r in spec["rates"]
        ]
        sched = [{"when": f"Année {i + 1}", "amount": a} for i, a in enumerate(yearly)]
        total = None if v is None else sum(yearly)
    elif t == "by_zone":
        total = spec["by_zone"].get(zone_code)
        sched = [
            {"when": s["when"], "amount": None if total is None else total * s["share"]}
            for s in spec["shares"]
        ]
    else:  # guarantee, exemption: depends on actual income or profit
        total = None
        sched = [dict(s) for s in spec.get("schedule", ())]
    for b in spec.get("bonuses", ()):
        ok, *_ = _test(b["test"], answers, ctx)
        if ok == MET and total is not None:
            years = spec.get("years", 1) if b.get("per_year") else 1
            total += b["amount"] * years
            sched.append({"when": b["label"], "amount": b["amount"] * years})
    pr = spec.get("prorate")
    if pr and total is not None:
        applies, *_ = _test(pr["when"], answers, ctx)
        if applies == MET:
            share = answers.get(pr["answer"])
            if share is None:
                missing.append(pr["answer"])
                total = None
                sched = [dict(s, amount=None) for s in sched]
            else:
                f = share / 100.0
                total *= f
                sched = [dict(s, amount=None if s["amount"] is None else s["amount"] * f) for s in sched]
                out["note"] = pr["label"]
        elif applies == UNKNOWN:
            missing.extend(m for m in (pr["when"]["answer"],) if m not in missing)
    if total is not None:
        total = _money(total)
        for s in sched:
            if s.get("amount") is not None:
                s["amount"] = _money(s["amount"])
    out["total"] = total
    out["schedule"] = sched
    if spec.get("note") and "note" not in out:
        out["note"] = spec["note"]
    if spec.get("max_total") is not None:
        out["max_total"] = spec["max_total"]
    if missing:
        out["missing"] = missing
        out.setdefault("note", "Montant non calculable sans : " + ", ".join(_TITLES.get(m, m) for m in missing) + ".")
    return out


# --------------------------------------------------------------------------------------------- evaluate

_WINDOW = "Période d'ouverture des nouveaux contrats ou versements"


def _window(rule: dict, as_of: str, acc: _Acc, memo: dict) -> None:
    key = (rule["id"], as_of)
    hit = memo.get(key)
    if hit is None:
        vf, vu = rule.get("valid_from"), rule.get("valid_until")
        span = (f"du {_fmt(None, vf)} " if vf else "") + (
            f"jusqu'au {_fmt(None, vu)}" if vu else "sans date de fin"
        )
        if vf and as_of < vf:
            hit = NOT_MET, f"Au {_fmt(None, as_of)}, l'aide n'est pas encore ouverte ({span})."
        elif vu and as_of > vu:
            hit = (
                NOT_MET,
                f"Au {_fmt(None, as_of)}, l'aide n'est plus ouverte aux nouveaux contrats ({span}).",
            )
        else:
            hit = MET, f"Ouverte au {_fmt(None, as_of)} ({span})."
        if len(memo) < 4096:
            memo[key] = hit
    acc.add(_WINDOW, hit[0], hit[1])


def _cross_cutting(rule: dict, cc: dict, profession: str, answers: dict, ctx: dict, acc: _Acc) -> bool:
    at = cc["applies_to"]
    if rule.get("category") != at["category"] or profession not in at["professions"]:
        return False
    cond = f"{cc['name']} (aucune aide de la catégorie « {at['category']} » depuis {cc['years']} ans)"
    if cc.get("valid_from") and ctx["as_of_iso"] < cc["valid_from"]:
        acc.add(cond, NA, f"Règle en vigueur à partir du {_fmt(None, cc['valid_from'])}.")
        return True
    name = cc["answer"]
    v = answers.get(name, _MISSING)
    if v is _MISSING:
        if answers.get("first_liberal_installation") is True:
            acc.add(cond, MET, "Première installation libérale : aucune aide à l'installation antérieure.")
            acc.assume(
                "first_install_no_prior_aid",
                "Première installation libérale déclarée : aucune aide à "
                "l'installation n'a pu être perçue auparavant (règle des 10 ans satisfaite).",
            )
        else:
            acc.add(
                cond,
                UNKNOWN,
                "Indiquez la date de la dernière aide à l'installation reçue (ou aucune).",
                [name],
            )
        return True
    outcome, *_ = _test({"answer": name, "not_within_years": cc["years"]}, answers, ctx)
    if outcome == MET:
        acc.add(
            cond,
            MET,
            "Aucune aide de cette catégorie reçue dans les 10 dernières années."
            if v is None
            else f"Dernière aide le {_fmt(None, v)} : plus de {cc['years']} ans.",
        )
    else:
        until = _iso(v)
        until = f"{int(until[:4]) + cc['years']}{until[4:]}"
        acc.add(
            cond,
            NOT_MET,
            f"Dernière aide le {_fmt(None, v)} : nouvelle aide de cette catégorie possible "
            f"à partir du {_fmt(None, until)}.",
        )
    return True


def _evaluate_rule(rule: dict, rs: Ruleset, profession: str, facts: dict, answers: dict, ctx: dict) -> dict:
    acc = _Acc()
    _window(rule, ctx["as_of_iso"], acc, rs.memo)
    zone_code = _zone(rule, profession, facts, answers, acc)
    prepared = rs.prepared
    for c in rule.get("conditions", ()):
        _condition(c, prepared[id(c)], answers, ctx, acc)
    sources = rule["sources"]
    for cc in rs.cross_cutting:
        if _cross_cutting(rule, cc, profession, answers, ctx, acc):
            sources = sources + [s for s in cc["sources"] if s not in sources]
            for a in cc.get("assumptions", ()):
                acc.assume(a["id"], a["text"], a.get("alternative"))
    assumptions = list(acc.assumed.values())
    assumptions.extend(a for a in rule.get("assumptions", ()) if a["id"] not in acc.assumed)
    if acc.failed:
        status = "not_eligible"
    elif acc.unknown:
        status = "missing_information"
    else:
        status = "eligible"
    return {
        "id": rule["id"],
        "name": rule["name"],
        "short_name": rule.get("short_name", rule["id"]),
        "funder": rule["funder"],
        "category": rule.get("category"),
        "status": status,
        "amount": _amount(rule.get("amount"), answers, zone_code, ctx),
        "reasons": acc.reasons,
        "missing": acc.missing,
        "assumptions": assumptions,
        "sources": list(sources),
        "valid_from": rule.get("valid_from"),
        "valid_until": rule.get("valid_until"),
    }


def _resolve_exclusions(results: list[dict], rs: Ruleset) -> None:
    """Among eligible aids that exclude each other, keep the best combination; explain the others."""
    idx = {r["id"]: i for i, r in enumerate(results)}

    def excl(a: str, b: str) -> bool:
        return b in (rs.by_id[a].get("exclusions") or ()) or a in (rs.by_id[b].get("exclusions") or ())

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
        best, best_key = None, None
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
                f"retenu car montant supérieur ({_eur(theirs)} contre {_eur(mine or 0)})"
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


def evaluate(rules, facts: dict, answers: dict, as_of, *, profession: str) -> dict:
    """Evaluate every aid of ``profession`` for a location (``facts``), ``answers`` and date ``as_of``."""
    rs = compile_rules(rules)
    as_of_d = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    ctx = {"as_of": as_of_d, "as_of_iso": as_of_d.isoformat(), "defaulted": False}
    answers = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (answers or {}).items()}
    results = [
        _evaluate_rule(r, rs, profession, facts or {}, answers, ctx)
        for r in rs.by_profession.get(profession, ())
    ]
    _resolve_exclusions(results, rs)
    total = sum(r["amount"]["total"] for r in results if r["status"] == "eligible" and r["amount"]["total"])
    missing: list[str] = []
    for r in results:
        if r["status"] == "missing_information":
            missing.extend(m for m in r["missing"] if m not in missing)
    return {
        "as_of": ctx["as_of_iso"],
        "profession": profession,
        "aids": results,
        "total_eligible_eur": _money(total),
        "missing": missing,
    }

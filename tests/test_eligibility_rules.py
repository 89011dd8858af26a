"""Eligibility: the rules of ``rules/`` loaded into the engine's typed, frozen objects.

The verdicts themselves are checked by the scenario table (test_eligibility_scenarios.py); here:
what the catalogue becomes once loaded, how a missing date is defaulted (a return value, not a
flag), the symmetric exclusions, and that evaluating leaves nothing behind in the loaded rules.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from rezone.eligibility import compile_rules, evaluate
from rezone.eligibility.amounts import Annual, ByZone, IncomeDependent, PerWeekday
from rezone.eligibility.conditions import MET, NOT_MET, UNKNOWN, AnswerTest, Condition
from rezone.eligibility.rules import Aid, CrossCutting, Source
from rezone.eligibility.zones import Place
from rezone_build.rules_build import compile_rules_dir

CATALOGUE = compile_rules_dir()
RULES = compile_rules(CATALOGUE)


def test_catalogue_loads_into_frozen_typed_objects():
    assert len(RULES.aids) + len(RULES.cross_cutting) == CATALOGUE["count"]
    assert [r["id"] for r in RULES.documents] == [r["id"] for r in CATALOGUE["aids"]]
    caim = RULES.by_id["M-CAIM"]
    assert isinstance(caim, Aid) and caim.short_name == "CAIM" and caim.category == "installation"
    assert caim.zone.codes == ("ZIP",) and caim.zone.qpv_override and not caim.zone.outside
    kind = caim.amount.kind
    assert isinstance(kind, PerWeekday)
    assert (kind.rate, kind.cap, [s.share for s in kind.shares]) == (12500, 4, [0.5, 0.5])
    dated = next(c for c in caim.conditions if c.test and c.test.answer == "installation_date")
    assert isinstance(dated, Condition) and dated.test.op == "within_years" and dated.test.default_as_of
    assert dated.default_assumption.startswith("Date d'installation non renseignée")
    coordinated = next(c for c in caim.conditions if c.any_of)
    assert [t.answer for t in coordinated.any_of] == [
        "coordinated_practice",
        "coordinated_practice_within_2_years",
    ]
    assert caim.sources[0] == Source(
        "https://www.paysdelaloire.paps.sante.fr/linstallation-61", "PAPS Pays de la Loire – L'installation"
    )
    assert RULES.by_id["M-COSCOM"].amount.kind == Annual(per_year=5000, years=3)
    assert RULES.by_id["M-COSCOM"].amount.prorate.when.arg == ("2_optam", "2")
    ten_years = RULES.by_id["G-10Y"]
    assert isinstance(ten_years, CrossCutting) and (ten_years.category, ten_years.years) == (
        "installation",
        10,
    )
    kinds = {type(a.amount.kind) for a in RULES.aids}
    assert {PerWeekday, Annual, ByZone, IncomeDependent} <= kinds
    with pytest.raises(AttributeError):
        caim.valid_until = "2030-12-31"
    with pytest.raises(AttributeError):
        kind.rate = 1
    with pytest.raises(TypeError):
        RULES.by_profession["medecin"] = ()


def test_questionnaire_answers_are_collected_at_load():
    caim = RULES.by_id["M-CAIM"]
    assert caim.answers[:2] == ("project", "installation_date")
    assert {"in_qpv", "qpv_code", "hopital_proximite", "days_per_week"} <= set(caim.answers)
    assert "epci_zone_rouge" in RULES.by_id["G-UMPCV"].answers  # implied by its zone list
    assert RULES.by_id["G-10Y"].answers == ("last_installation_aid_date", "first_liberal_installation")


def test_missing_date_defaults_to_simulation_date_as_a_return_value():
    t = AnswerTest.from_doc({"answer": "installation_date", "within_years": 1, "default": "as_of"})
    assert t.check({}, date(2026, 3, 1)) == (MET, "2026-03-01", True)
    assert t.check({"installation_date": "2024-01-15"}, date(2026, 3, 1)) == (NOT_MET, "2024-01-15", False)
    strict = AnswerTest.from_doc({"answer": "installation_date", "within_years": 1})
    assert strict.check({}, date(2026, 3, 1))[0] == UNKNOWN
    assert strict.expect == "attendu : moins de 1 an(s) avant la date de simulation"
    # the default shows in the explanation and as an assumption of that aid only
    zip_facts = {"zonage": {"medecin": {"code": "ZIP", "label": "ZIP"}}, "region": {"code": "84"}}
    answers = {"project": "installation", "secteur": "1", "days_per_week": 4, "coordinated_practice": True}
    r = {a["id"]: a for a in evaluate(RULES, zip_facts, answers, "2025-06-01", profession="medecin")["aids"]}
    caim_reason = next(x for x in r["M-CAIM"]["reasons"] if x["condition"].startswith("Installé depuis"))
    assert caim_reason["outcome"] == MET and caim_reason["detail"].startswith(
        "Date non renseignée : date de simulation 01/06/2025 retenue"
    )
    assert "default_installation_date" in {a["id"] for a in r["M-CAIM"]["assumptions"]}
    answers["installation_date"] = "2025-05-01"
    r = {a["id"]: a for a in evaluate(RULES, zip_facts, answers, "2025-06-01", profession="medecin")["aids"]}
    caim_reason = next(x for x in r["M-CAIM"]["reasons"] if x["condition"].startswith("Installé depuis"))
    assert caim_reason["detail"].startswith("Votre réponse : 01/05/2025")
    assert "default_installation_date" not in {a["id"] for a in r["M-CAIM"]["assumptions"]}


def test_exclusions_are_symmetric():
    # M-CSTM names M-COSCOM; M-COSCOM does not name M-CSTM: still excluded both ways
    assert "M-CSTM" not in RULES.by_id["M-COSCOM"].exclusions
    assert "M-COSCOM" in RULES.conflicts["M-CSTM"] and "M-CSTM" in RULES.conflicts["M-COSCOM"]
    for a, others in RULES.conflicts.items():
        for b in others:
            assert a in RULES.conflicts[b]


def test_place_reads_facts_once_typed():
    facts = {
        "zonage": {"medecin": {"code": "ZAC", "label": "Zone d'action complémentaire", "reason": None}},
        "region": "32",
        "qpv": [
            {"code": "QN08001M", "name": "Étouvie", "obsolete": False, "zonage_medecin": {"code": "ZIP"}},
            {"code": "QN08002M", "name": "Ancien", "obsolete": True, "zonage_medecin": {"code": "ZIP"}},
        ],
        "zrr": {"code": None, "label": "P - partiellement classée"},
        "zone_rouge": {"value": None, "reason": "liste partielle"},
        "epci": {"code": "248000531", "name": "CA Amiens Métropole"},
    }
    p = Place.from_facts(facts, "medecin")
    assert (p.zone, p.region, p.zrr, p.zone_rouge, p.epci_name) == (
        "ZAC",
        "32",
        "partiellement_classee",
        None,
        "CA Amiens Métropole",
    )
    assert [q.code for q in p.qpvs] == ["QN08001M"] and p.qpvs[0].zone == "ZIP"
    assert Place.from_facts({}, "infirmier").zone is None


def test_evaluation_leaves_the_loaded_rules_untouched():
    """No per-request state is kept in the rules: a shared Ruleset answers like a fresh one."""
    fx = {"zonage": {"medecin": {"code": "ZIP", "label": "ZIP"}}, "region": {"code": "32"}}
    profiles = [
        {"project": "installation", "first_liberal_installation": True, "secteur": "1", "days_per_week": 3},
        {"project": "installation", "secteur": "2", "days_per_week": 5, "installation_date": "2020-01-01"},
        {"project": "already_installed", "secteur": "2_optam", "opposable_share_pct": 40, "age": 64},
    ]
    before = repr(RULES)
    shared = [
        evaluate(RULES, fx, a, d, profession="medecin")
        for a in profiles
        for d in ("2024-01-01", "2026-03-01")
    ]
    fresh = [
        evaluate(compile_rules(CATALOGUE), fx, a, d, profession="medecin")
        for a in reversed(profiles)
        for d in ("2026-03-01", "2024-01-01")
    ]
    assert json.dumps(shared) == json.dumps(fresh[::-1])
    assert repr(RULES) == before

"""Eligibility: scenario table (engine as a pure function), rule files, build step, API.

Each scenario cites the row of ``../shared/reference/aids-and-zonage.md`` (section and ID) or the seed
it checks. The engine is tested with hand-made facts; the API through the eligibility handler on
the small real release (``live_store``).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from rezone.eligibility import evaluate, questionnaire
from rezone.eligibility.vocabulary import QUESTION_NAMES
from rezone_build.rules_build import RULES_DIR, RuleError, compile_rules_dir

CATALOGUE = compile_rules_dir()
UNSET = object()


def facts(zone=None, profession="medecin", region="84", **extra):
    f = {"zonage": {profession: {"code": zone, "label": zone, "reason": None if zone else "non classé"}},
         "region": {"code": region}}
    f.update(extra)
    return f


DOC = {"project": "installation", "first_liberal_installation": True, "secteur": "1", "days_per_week": 4,
       "coordinated_practice": True, "pdsa": True}
INSTALLED = {"project": "already_installed", "secteur": "1", "coordinated_practice": True}
QPV_ZIP = [{"code": "QN01304M", "name": "Quartier test", "obsolete": False,
            "zonage_medecin": {"code": "ZIP"}}]


def A(base=None, **kw):
    out = dict(base or {})
    out.update(kw)
    return out


def W(d, **kw):
    """DOC without some answers (kw name=UNSET) or with others."""
    out = dict(d)
    for k, v in kw.items():
        if v is UNSET:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# (reference row, profession, facts, answers, as_of, {aid: (status, total)}, extra checks on the result)
SCENARIOS = [
    ("§3.1 M-CAIM 4 days ZIP 2025", "medecin", facts("ZIP"), DOC, "2025-06-01",
     {"M-CAIM": ("eligible", 50000), "M24-PRIMO-ZIP": ("not_eligible", 10000)},
     lambda r: r["M-CAIM"]["amount"]["schedule"] == [
         {"when": "À la signature", "amount": 25000},
         {"when": "Au premier anniversaire du contrat", "amount": 25000}]),
    ("§3.2 M24-PRIMO-ZIP same doctor 2026", "medecin", facts("ZIP"), DOC, "2026-03-01",
     {"M24-PRIMO-ZIP": ("eligible", 10000), "M-CAIM": ("not_eligible", 50000)},
     lambda r: any("31/12/2025" in x["detail"] for x in r["M-CAIM"]["reasons"])),
    ("§3.1 M-CAIM 3 days = 37 500", "medecin", facts("ZIP"), A(DOC, days_per_week=3), "2025-06-01",
     {"M-CAIM": ("eligible", 37500)}, None),
    ("§3.1 M-CAIM 2.5 days = 31 250", "medecin", facts("ZIP"), A(DOC, days_per_week=2.5), "2025-06-01",
     {"M-CAIM": ("eligible", 31250)}, None),
    ("§3.1 M-CAIM capped at 4 days", "medecin", facts("ZIP"), A(DOC, days_per_week=6), "2025-06-01",
     {"M-CAIM": ("eligible", 50000)}, None),
    ("§3.1 M-CAIM under 2.5 days", "medecin", facts("ZIP"), A(DOC, days_per_week=2), "2025-06-01",
     {"M-CAIM": ("not_eligible", 25000)}, None),
    ("§3.1 M-CAIM +2 500 hôpital de proximité", "medecin", facts("ZIP"), A(DOC, hopital_proximite=True),
     "2025-06-01", {"M-CAIM": ("eligible", 52500)}, None),
    ("§3.1 M-CAIM secteur 2 sans OPTAM", "medecin", facts("ZIP"), A(DOC, secteur="2"), "2025-06-01",
     {"M-CAIM": ("not_eligible", 50000)}, None),
    ("§3.1 M-CAIM not in ZAC", "medecin", facts("ZAC"), DOC, "2025-06-01",
     {"M-CAIM": ("not_eligible", 50000)}, None),
    ("§3.1 M-CAIM PDSA unanswered", "medecin", facts("ZIP"), W(DOC, pdsa=UNSET), "2025-06-01",
     {"M-CAIM": ("missing_information", 50000)}, lambda r: r["M-CAIM"]["missing"] == ["pdsa"]),
    ("§3.1 M-CAIM coordinated practice within 2 years", "medecin", facts("ZIP"),
     A(DOC, coordinated_practice=False, coordinated_practice_within_2_years=True), "2025-06-01",
     {"M-CAIM": ("eligible", 50000)}, None),
    ("§3.1 M-CAIM installed more than a year ago", "medecin", facts("ZIP"),
     A(DOC, installation_date="2023-01-10"), "2025-06-01", {"M-CAIM": ("not_eligible", 50000)}, None),
    ("§3.1 M-CAIM ⟂ M-COSCOM: best combination", "medecin", facts("ZIP"), DOC, "2025-06-01",
     {"M-CAIM": ("eligible", 50000), "M-COSCOM": ("not_eligible", 15000)},
     lambda r: r["M-COSCOM"]["excluded_by"] == ["M-CAIM"]
     and "Non cumulable avec CAIM" in r["M-COSCOM"]["reasons"][-1]["detail"]),
    ("§3.1 M-COSCOM installed, 3 years", "medecin", facts("ZIP"), INSTALLED, "2025-06-01",
     {"M-COSCOM": ("eligible", 15000), "M-CAIM": ("not_eligible", None)}, None),
    ("§3.1 M-COSCOM secteur 2 prorated 60 %", "medecin", facts("ZIP"),
     A(INSTALLED, secteur="2", opposable_share_pct=60), "2025-06-01", {"M-COSCOM": ("eligible", 9000)}, None),
    ("§3.1 M-COSCOM secteur 2 share unknown", "medecin", facts("ZIP"), A(INSTALLED, secteur="2_optam"),
     "2025-06-01", {"M-COSCOM": ("eligible", None)},
     lambda r: r["M-COSCOM"]["amount"]["missing"] == ["opposable_share_pct"]),
    ("§3.1 M-COTRAM 10 % of fees", "medecin", facts("ZIP"),
     A(INSTALLED, age=62, hosts_successor_under_50=True, annual_fees_eur=150000), "2025-06-01",
     {"M-COTRAM": ("eligible", 45000)}, None),
    ("§3.1 M-COTRAM capped 20 000 €/yr", "medecin", facts("ZIP"),
     A(INSTALLED, age=66, hosts_successor_under_50=True, annual_fees_eur=300000), "2025-06-01",
     {"M-COTRAM": ("eligible", 60000), "M-COSCOM": ("eligible", 15000)}, None),
    ("§3.1 M-COTRAM under 60", "medecin", facts("ZIP"),
     A(INSTALLED, age=55, hosts_successor_under_50=True, annual_fees_eur=150000), "2025-06-01",
     {"M-COTRAM": ("not_eligible", 45000)}, None),
    ("§3.1 M-CSTM outside ZIP, 25 % of ZIP fees", "medecin", facts("ZAC"),
     A(INSTALLED, days_per_year_in_zip=12, annual_fees_in_zip_eur=40000), "2025-06-01",
     {"M-CSTM": ("eligible", 30000)}, None),
    ("§3.1 M-CSTM capped 50 000 €/yr", "medecin", facts("HZ"),
     A(INSTALLED, days_per_year_in_zip=60, annual_fees_in_zip_eur=400000), "2025-06-01",
     {"M-CSTM": ("eligible", 150000)}, None),
    ("§3.1 M-CSTM practice in ZIP", "medecin", facts("ZIP"), A(INSTALLED, days_per_year_in_zip=12),
     "2025-06-01", {"M-CSTM": ("not_eligible", None)}, None),
    ("§3.1 M-CSTM fewer than 10 days", "medecin", facts("ZAC"), A(INSTALLED, days_per_year_in_zip=5),
     "2025-06-01", {"M-CSTM": ("not_eligible", None)}, None),
    ("§3.1 M-CAIM-MAJ 3.5 days = 8 750 [INF]", "medecin", facts("ZIP"),
     A(DOC, days_per_week=3.5, ars_majoration_zone=True), "2025-06-01",
     {"M-CAIM-MAJ": ("eligible", 8750), "M-CAIM": ("eligible", 43750)},
     lambda r: any(a["id"] == "caim_maj_3_5_days" for a in r["M-CAIM-MAJ"]["assumptions"])),
    ("§3.1 M-COSCOM-MAJ Île-de-France ZIP+", "medecin", facts("ZIP", region="11"),
     A(INSTALLED, ars_majoration_zone=True, hopital_proximite=True), "2025-06-01",
     {"M-COSCOM-MAJ": ("eligible", 3750), "M-COSCOM": ("eligible", 18750)}, None),
    ("§3.1 M-COTRAM-MAJ capped 4 000 €/yr", "medecin", facts("ZIP", region="11"),
     A(INSTALLED, age=63, hosts_successor_under_50=True, annual_fees_eur=120000, ars_majoration_zone=True),
     "2025-06-01", {"M-COTRAM-MAJ": ("eligible", 12000), "M-COTRAM": ("eligible", 36000)}, None),
    ("§3.1 M-COSCOM-MAJ outside Île-de-France", "medecin", facts("ZIP", region="84"),
     A(INSTALLED, ars_majoration_zone=True), "2025-06-01", {"M-COSCOM-MAJ": ("not_eligible", 3000)}, None),
    ("§3.2 M24-FMT-AGE 67 and over, any zone", "medecin", facts("HZ"),
     A(INSTALLED, age=68, medecin_traitant=True, fmt_annual_eur=30000, in_qpv=False), "2026-03-01",
     {"M24-FMT-AGE": ("eligible", 3000), "M24-FMT-ZIP": ("not_eligible", 3000)}, None),
    ("§3.2 M24-PRIMO-ZAC 5 000 €", "medecin", facts("ZAC"), DOC, "2026-03-01",
     {"M24-PRIMO-ZAC": ("eligible", 5000), "M24-PRIMO-ZIP": ("not_eligible", 10000)}, None),
    ("§3.2 M24-PRIMO-ZIP not a first installation", "medecin", facts("ZIP"),
     A(DOC, first_liberal_installation=False, last_installation_aid_date=None), "2026-03-01",
     {"M24-PRIMO-ZIP": ("not_eligible", 10000)}, None),
    ("§3.2 M24-PRIMO-ZIP no retroactivity for 2025 installs", "medecin", facts("ZIP"),
     A(DOC, installation_date="2025-11-01"), "2026-02-01", {"M24-PRIMO-ZIP": ("not_eligible", 10000)}, None),
    ("seed 003: M24-PRIMO-ZIP secteur 2 OPTAM", "medecin", facts("ZIP"), A(DOC, secteur="2_optam"),
     "2026-03-01",
     {"M24-PRIMO-ZIP": ("eligible", 10000)}, None),
    ("§0 QPV own zonage prevails (ZIP QPV in ZAC commune)", "medecin", facts("ZAC", qpv=QPV_ZIP),
     A(DOC, in_qpv=True), "2026-03-01",
     {"M24-PRIMO-ZIP": ("eligible", 10000), "M24-PRIMO-ZAC": ("not_eligible", 5000)},
     lambda r: "QPV" in r["M24-PRIMO-ZIP"]["reasons"][1]["detail"]),
    ("§0 QPV: unknown QPV code falls back to the commune", "medecin", facts("ZAC", qpv=QPV_ZIP),
     A(DOC, in_qpv=True, qpv_code="QN99999X"), "2026-03-01",
     {"M24-PRIMO-ZIP": ("not_eligible", 10000), "M24-PRIMO-ZAC": ("eligible", 5000)},
     lambda r: any(a["id"] == "qpv_code_unknown" for a in r["M24-PRIMO-ZAC"]["assumptions"])),
    ("§0 QPV: unanswered in_qpv decides", "medecin", facts("ZAC", qpv=QPV_ZIP), DOC, "2026-03-01",
     {"M24-PRIMO-ZIP": ("missing_information", 10000), "M24-PRIMO-ZAC": ("missing_information", 5000)},
     lambda r: r["M24-PRIMO-ZIP"]["missing"] == ["in_qpv"]),
    ("seed 003: M24-SECOND-ZIP ex nihilo", "medecin", facts("ZIP"),
     {"project": "secondary_practice", "secondary_ex_nihilo": True, "secteur": "1"}, "2026-03-01",
     {"M24-SECOND-ZIP": ("eligible", 3000)}, None),
    ("seed 003: M24-SECOND-ZIP takeover not eligible", "medecin", facts("ZIP"),
     {"project": "secondary_practice", "secondary_ex_nihilo": False, "secteur": "1"}, "2026-03-01",
     {"M24-SECOND-ZIP": ("not_eligible", 3000)}, None),
    ("§3.2 M24-FMT-ZIP +10 % of FMT", "medecin", facts("ZIP"),
     A(INSTALLED, medecin_traitant=True, fmt_annual_eur=20000), "2026-03-01",
     {"M24-FMT-ZIP": ("eligible", 2000)},
     lambda r: any(a["id"] == "fmt_zac" for a in r["M24-FMT-ZIP"]["assumptions"])),
    ("§3.2 M24-FMT-ZIP amount unknown without FMT", "medecin", facts("ZIP"),
     A(INSTALLED, medecin_traitant=True), "2026-03-01", {"M24-FMT-ZIP": ("eligible", None)},
     lambda r: "forfait médecin traitant" in r["M24-FMT-ZIP"]["amount"]["note"]),
    ("§3.2 M24-FMT-ZIP in a QPV of a ZAC commune", "medecin", facts("ZAC"),
     A(INSTALLED, medecin_traitant=True, in_qpv=True, fmt_annual_eur=10000), "2026-03-01",
     {"M24-FMT-ZIP": ("eligible", 1000)}, None),
    ("§5.7 M24-FMT-ZIP not in ZAC (ameli reading)", "medecin", facts("ZAC"),
     A(INSTALLED, medecin_traitant=True, in_qpv=False), "2026-03-01",
     {"M24-FMT-ZIP": ("not_eligible", None)}, None),
    ("§3.2 M24-FMT-PRIMO 50/30/10 %", "medecin", facts("ZIP"),
     A(DOC, medecin_traitant=True, fmt_annual_eur=10000), "2026-03-01",
     {"M24-FMT-PRIMO": ("eligible", 9000), "M24-PRIMO-ZIP": ("eligible", 10000),
      "M24-FMT-ZIP": ("eligible", 1000)},
     lambda r: [s["amount"] for s in r["M24-FMT-PRIMO"]["amount"]["schedule"]] == [5000, 3000, 1000]),
    ("§3.4 G-10Y aid received 6 years ago", "medecin", facts("ZIP"),
     A(DOC, first_liberal_installation=False, last_installation_aid_date="2019-05-01"), "2025-06-01",
     {"M-CAIM": ("not_eligible", 50000)},
     lambda r: any("01/05/2029" in x["detail"] for x in r["M-CAIM"]["reasons"])),
    ("§3.4 G-10Y aid received 11 years ago", "medecin", facts("ZIP"),
     A(DOC, first_liberal_installation=False, last_installation_aid_date="2014-01-01"), "2025-06-01",
     {"M-CAIM": ("eligible", 50000)}, None),
    ("§3.4 G-10Y not yet in force (before 15/03/2025)", "medecin", facts("ZIP"),
     A(DOC, first_liberal_installation=False, last_installation_aid_date="2019-05-01"), "2025-01-15",
     {"M-CAIM": ("eligible", 50000)}, None),
    ("§3.4 G-10Y date unknown for a second installation", "medecin", facts("ZIP"),
     A(DOC, first_liberal_installation=False), "2025-06-01", {"M-CAIM": ("missing_information", 50000)},
     lambda r: r["M-CAIM"]["missing"] == ["last_installation_aid_date"]),
    ("§3.3 S-CDE-INST open in 2023", "medecin", facts("ZAC"), DOC, "2023-06-01",
     {"S-CDE-INST": ("eligible", None)}, None),
    ("§5.6 S-CDE-INST closed to installed doctors from 2024", "medecin", facts("ZAC"), DOC, "2024-03-01",
     {"S-CDE-INST": ("not_eligible", None)}, None),
    ("§3.3 S-CDE-REMPL remplaçant 2026", "medecin", facts("ZIP"),
     {"project": "replacement", "replacement_days_per_quarter": 30, "replacement_share_in_zone_pct": 85},
     "2026-03-01", {"S-CDE-REMPL": ("eligible", None), "M24-PRIMO-ZIP": ("not_eligible", 10000)},
     lambda r: r["S-CDE-REMPL"]["amount"]["max_total"] == 36000),
    ("seed 003 R-HDF-CRAI ZAC 30 000 €", "medecin", facts("ZAC", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True), "2025-06-01",
     {"R-HDF-CRAI": ("eligible", 30000), "M-CAIM": ("not_eligible", 50000)}, None),
    ("seed 003 R-HDF-CRAI ZAR 20 000 €", "medecin", facts("ZAR", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True), "2025-06-01", {"R-HDF-CRAI": ("eligible", 20000)}, None),
    ("seed 003 R-HDF-CRAI only in Hauts-de-France", "medecin", facts("ZAC", region="84"),
     A(DOC, days_per_week=4.5, msu_commitment=True), "2025-06-01",
     {"R-HDF-CRAI": ("not_eligible", 30000)}, None),
    ("seed 003 R-HDF-CRAI moving less than 20 km", "medecin", facts("ZAC", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True, first_liberal_installation=False,
       distance_from_previous_practice_km=15), "2025-06-01", {"R-HDF-CRAI": ("not_eligible", 30000)}, None),
    ("seed 003 R-HDF-CRAI moving more than 20 km", "medecin", facts("ZAC", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True, first_liberal_installation=False,
       distance_from_previous_practice_km=25), "2025-06-01", {"R-HDF-CRAI": ("eligible", 30000)}, None),
    ("§3.3 R-HDF-CRAI transition: 2025 install signed in 2026", "medecin", facts("ZAC", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True, installation_date="2025-09-01"), "2026-03-01",
     {"R-HDF-CRAI": ("eligible", 30000), "M24-PRIMO-ZAC": ("not_eligible", 5000)}, None),
    ("§3.3 R-HDF-CRAI closed for 2026 installs", "medecin", facts("ZAC", region="32"),
     A(DOC, days_per_week=4.5, msu_commitment=True), "2026-03-01",
     {"R-HDF-CRAI": ("not_eligible", 30000), "M24-PRIMO-ZAC": ("eligible", 5000)}, None),
    ("seed 003 R-HDF-CRMG ZAR guarantee first year", "medecin", facts("ZAR", region="32"), DOC, "2025-06-01",
     {"R-HDF-CRMG": ("eligible", None), "R-HDF-CRME": ("eligible", 15000)},
     lambda r: r["R-HDF-CRMG"]["amount"]["max_total"] == 82800
     and {a["id"] for a in r["R-HDF-CRMG"]["assumptions"]} >= {"crmg_zone", "crmg_duration"}),
    ("seed 004 G-UMPCV zone rouge 2 days/month", "medecin", facts("HZ", zone_rouge={"value": True}),
     {"solidarity_days_per_month": 2}, "2026-01-10", {"G-UMPCV": ("eligible", 4800)}, None),
    ("seed 004 G-UMPCV capped at 2 days/month", "medecin", facts("HZ", zone_rouge={"value": True}),
     {"solidarity_days_per_month": 5}, "2026-01-10", {"G-UMPCV": ("eligible", 4800)}, None),
    ("§5.2 G-UMPCV EPCI not on the partial list: unknown, not no", "medecin",
     facts("ZIP", zone_rouge={"value": None, "reason": "liste partielle"}), {"solidarity_days_per_month": 1},
     "2026-01-10", {"G-UMPCV": ("missing_information", 2400)},
     lambda r: r["G-UMPCV"]["missing"] == ["epci_zone_rouge"]),
    ("§3.4 G-UMPCV declared not a zone rouge", "medecin", facts("ZIP"),
     {"solidarity_days_per_month": 1, "epci_zone_rouge": False}, "2026-01-10",
     {"G-UMPCV": ("not_eligible", 2400)}, None),
    ("§3.4 G-UMPCV before its launch", "medecin", facts("HZ", zone_rouge={"value": True}),
     {"solidarity_days_per_month": 2}, "2025-06-01", {"G-UMPCV": ("not_eligible", 4800)}, None),
    ("§3.5 T-ZRR classified commune, install 2023", "medecin",
     facts("ZIP", zrr={"label": "C - Classée en ZRR"}),
     A(DOC, installation_date="2023-09-01"), "2023-10-01", {"T-ZRR": ("eligible", None)}, None),
    ("§3.5 T-ZRR partially classified commune", "infirmier",
     facts("tres_sous_dote", "infirmier", zrr={"label": "P - Commune partiellement classée en ZRR"}),
     {"project": "installation"}, "2024-01-15", {"T-ZRR": ("missing_information", None)},
     lambda r: r["T-ZRR"]["missing"] == ["in_zrr"]),
    ("§3.5 T-ZRR conflicting source rows: unknown, asked", "medecin",
     facts("ZIP", zrr={"code": None, "label": "C - Classée en ZRR | NC - Commune non classée",
                       "reason": "conflicting ZRR classes in the source rows of this commune"}),
     A(DOC, installation_date="2023-09-01"), "2023-10-01", {"T-ZRR": ("missing_information", None)},
     lambda r: r["T-ZRR"]["missing"] == ["in_zrr"]),
    ("§3.5 T-ZRR non classée (ingest code)", "medecin",
     facts("ZIP", zrr={"code": "non_classee", "label": "NC - Commune non classée"}),
     A(DOC, installation_date="2023-09-01"), "2023-10-01", {"T-ZRR": ("not_eligible", None)}, None),
    ("§3.5 T-ZRR closed after 30/06/2024", "medecin", facts("ZIP", zrr={"label": "C - Classée en ZRR"}), DOC,
     "2025-06-01", {"T-ZRR": ("not_eligible", None)}, None),
    ("§3.5 T-FRR classification unknown", "sage_femme", facts("sous_dote", "sage_femme"),
     {"project": "installation"}, "2026-03-01", {"T-FRR": ("missing_information", None)},
     lambda r: r["T-FRR"]["missing"] == ["in_frr"]),
    ("§3.5 T-ZFU no ZFU data", "masseur_kinesitherapeute", facts("intermediaire", "masseur_kinesitherapeute"),
     {"project": "installation"}, "2023-05-01", {"T-ZFU": ("missing_information", None)},
     lambda r: "ZFU-TE ne sont pas dans nos données" in r["T-ZFU"]["reasons"][1]["detail"]),
    ("§3.5 T-151TER PDSA exemption in ZIP", "medecin", facts("ZIP"), DOC, "2026-03-01",
     {"T-151TER": ("eligible", None)}, None),
    ("§3.5 T-151TER not in ZAC (chosen reading)", "medecin", facts("ZAC"), DOC, "2026-03-01",
     {"T-151TER": ("not_eligible", None)},
     lambda r: any(a["id"] == "pdsa_zone_scope" for a in r["T-151TER"]["assumptions"])),
    ("§3.6 I-CAPII first installation", "infirmier", facts("tres_sous_dote", "infirmier"),
     {"project": "installation", "first_liberal_installation": True, "coordinated_practice": True,
      "activity_share_in_zone_pct": 60}, "2026-03-01",
     {"I-CAPII": ("eligible", 37500), "I-CAII": ("not_eligible", 27500), "I-CAMI": ("not_eligible", 9000)},
     lambda r: r["I-CAPII"]["amount"]["schedule"][0] == {"when": "À la signature", "amount": 14250}),
    ("§3.6 I-CAII already conventionné", "infirmier", facts("tres_sous_dote", "infirmier"),
     {"project": "installation", "first_liberal_installation": False, "coordinated_practice": True,
      "activity_share_in_zone_pct": 60}, "2026-03-01", {"I-CAII": ("eligible", 27500)}, None),
    ("§3.6 I-CAMI maintien", "infirmier", facts("tres_sous_dote", "infirmier"),
     {"project": "already_installed", "coordinated_practice": True, "activity_share_in_zone_pct": 70},
     "2026-03-01", {"I-CAMI": ("eligible", 9000), "I-CAPII": ("not_eligible", 37500)}, None),
    ("§3.6 I-CAPII not in sous-dotée", "infirmier", facts("sous_dote", "infirmier"),
     {"project": "installation", "first_liberal_installation": True, "coordinated_practice": True,
      "activity_share_in_zone_pct": 60}, "2026-03-01", {"I-CAPII": ("not_eligible", 37500)}, None),
    ("§3.6 K-CACCMK creation 49 000 €", "masseur_kinesitherapeute",
     facts("tres_sous_dote", "masseur_kinesitherapeute"),
     {"project": "installation", "practice_type": "creation_or_takeover"}, "2026-03-01",
     {"K-CACCMK": ("eligible", 49000), "K-CAIMK": ("not_eligible", 34000)}, None),
    ("§3.6 K-CAIMK existing cabinet 34 000 €", "masseur_kinesitherapeute",
     facts("tres_sous_dote", "masseur_kinesitherapeute"),
     {"project": "installation", "practice_type": "join_existing"},
     "2026-03-01", {"K-CAIMK": ("eligible", 34000)}, None),
    ("§3.6 K-CAMMK sous-dotée", "masseur_kinesitherapeute", facts("sous_dote", "masseur_kinesitherapeute"),
     {"project": "already_installed", "activity_share_in_zone_pct": 55}, "2026-03-01",
     {"K-CAMMK": ("eligible", 9000), "K-CACCMK": ("not_eligible", 49000)}, None),
    ("§3.6 SF-CAPISF sous-dotée 38 000 €", "sage_femme", facts("sous_dote", "sage_femme"),
     {"project": "installation", "first_liberal_installation": True, "days_per_week": 3}, "2026-03-01",
     {"SF-CAPISF": ("eligible", 38000), "SF-CAISF": ("not_eligible", 34000)}, None),
    ("§3.6 SF-CAISF [CONFLICT] 34 000 € vs 28 000 €", "sage_femme", facts("tres_sous_dote", "sage_femme"),
     {"project": "installation", "first_liberal_installation": False, "days_per_week": 3}, "2026-03-01",
     {"SF-CAISF": ("eligible", 34000)},
     lambda r: "28 000" in next(a for a in r["SF-CAISF"]["assumptions"]
                                if a["id"] == "caisf_amount_conflict")["alternative"]),
    ("§3.6 SF-CAMSF 4 000 €/yr", "sage_femme", facts("tres_sous_dote", "sage_femme"),
     {"project": "already_installed"}, "2026-03-01", {"SF-CAMSF": ("eligible", 12000)}, None),
    ("§3.6 CD-CAICD 50 000 € in two instalments", "chirurgien_dentiste",
     facts("tres_sous_dote", "chirurgien_dentiste"),
     {"project": "installation", "days_per_week": 3, "other_incentive_contract": False}, "2026-03-01",
     {"CD-CAICD": ("eligible", 50000), "CD-CAMCD": ("not_eligible", 12000)},
     lambda r: len(r["CD-CAICD"]["amount"]["schedule"]) == 2),
    ("§3.6 CD-CAICD other contract running", "chirurgien_dentiste",
     facts("tres_sous_dote", "chirurgien_dentiste"),
     {"project": "installation", "days_per_week": 3, "other_incentive_contract": True}, "2026-03-01",
     {"CD-CAICD": ("not_eligible", 50000)}, None),
    ("§3.6 CD-CAMCD 12 000 €", "chirurgien_dentiste", facts("tres_sous_dote", "chirurgien_dentiste"),
     {"project": "already_installed", "days_per_week": 4, "other_incentive_contract": False}, "2026-03-01",
     {"CD-CAMCD": ("eligible", 12000)}, None),
    ("§3.6 O-CAPIOP sous-dense 30 000 €", "orthophoniste", facts("sous_dense", "orthophoniste"),
     {"project": "installation", "first_liberal_installation": True, "activity_share_in_zone_pct": 80},
     "2026-03-01", {"O-CAPIOP": ("eligible", 30000), "O-CAIOP": ("not_eligible", 19500)}, None),
    ("§3.6 O-CAIOP never had an installation aid", "orthophoniste", facts("sous_dense", "orthophoniste"),
     {"project": "installation", "first_liberal_installation": False, "last_installation_aid_date": None,
      "activity_share_in_zone_pct": 80}, "2026-03-01", {"O-CAIOP": ("eligible", 19500)}, None),
    ("§3.6 O-CAIOP had an installation aid", "orthophoniste", facts("sous_dense", "orthophoniste"),
     {"project": "installation", "first_liberal_installation": False,
      "last_installation_aid_date": "2012-04-01",
      "activity_share_in_zone_pct": 80}, "2026-03-01", {"O-CAIOP": ("not_eligible", 19500)}, None),
    ("§3.6 O-CAMOP 1 500 €/yr", "orthophoniste", facts("sous_dense", "orthophoniste"),
     {"project": "already_installed", "activity_share_in_zone_pct": 90}, "2026-03-01",
     {"O-CAMOP": ("eligible", 4500)}, None),
    ("§3.6 O-TRANS capped 10 000 €", "orthophoniste", facts("sous_dense", "orthophoniste"),
     {"project": "already_installed", "age": 61, "hosts_successor_under_50": True, "annual_fees_eur": 150000},
     "2026-03-01", {"O-TRANS": ("eligible", 10000)}, None),
    ("§3.6 O-CAPIOP not in intermédiaire", "orthophoniste", facts("intermediaire", "orthophoniste"),
     {"project": "installation", "first_liberal_installation": True, "activity_share_in_zone_pct": 80},
     "2026-03-01", {"O-CAPIOP": ("not_eligible", 30000)}, None),
    ("§2.1 unknown zonage asks for the zone", "medecin", facts(None), DOC, "2026-03-01",
     {"M24-PRIMO-ZIP": ("missing_information", 10000)}, lambda r: r["M24-PRIMO-ZIP"]["missing"] == ["zone"]),
]


@pytest.mark.parametrize("ref,profession,fx,answers,as_of,expected,check", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_scenario(ref, profession, fx, answers, as_of, expected, check):
    result = evaluate(CATALOGUE, fx, answers, as_of, profession=profession)
    by_id = {a["id"]: a for a in result["aids"]}
    for aid, (status, total) in expected.items():
        a = by_id[aid]
        assert a["status"] == status, (ref, aid, a["status"], a["reasons"])
        assert a["amount"]["total"] == total, (ref, aid, a["amount"])
    if check:
        assert check(by_id), (ref, json.dumps(by_id, ensure_ascii=False)[:3000])
    assert result["total_eligible_eur"] == sum(a["amount"]["total"] or 0 for a in result["aids"]
                                               if a["status"] == "eligible")


def test_at_least_40_scenarios_across_professions():
    assert len(SCENARIOS) >= 40
    assert {s[1] for s in SCENARIOS} == {"medecin", "infirmier", "masseur_kinesitherapeute", "sage_femme",
                                          "chirurgien_dentiste", "orthophoniste"}
    assert len({s[4] for s in SCENARIOS}) >= 8


def test_every_result_explains_itself():
    result = evaluate(CATALOGUE, facts("ZIP"), DOC, "2026-03-01", profession="medecin")
    assert result["aids"]
    for a in result["aids"]:
        assert a["status"] in ("eligible", "not_eligible", "missing_information")
        assert a["sources"] and all(s["url"].startswith("http") for s in a["sources"])
        assert a["reasons"] and all(r["outcome"] in ("met", "not_met", "unknown", "not_applicable")
                                    and r["condition"] and r["detail"] for r in a["reasons"])
        assert (a["status"] == "missing_information") == bool(a["missing"]) or a["status"] == "not_eligible"
        assert a["amount"]["currency"] == "EUR"
    assert result["missing"]  # FMT and others need answers


def test_engine_is_pure():
    answers = dict(DOC)
    fx = facts("ZIP", qpv=[dict(QPV_ZIP[0])])
    snapshot = json.dumps([answers, fx, CATALOGUE], sort_keys=True)
    r1 = evaluate(CATALOGUE, fx, answers, "2026-03-01", profession="medecin")
    r2 = evaluate(CATALOGUE, fx, answers, "2026-03-01", profession="medecin")
    assert r1 == r2 and json.dumps([answers, fx, CATALOGUE], sort_keys=True) == snapshot


def test_no_aid_for_unknown_profession_rules():
    result = evaluate(CATALOGUE, facts("ZIP"), DOC, "2026-03-01", profession="pharmacien")
    assert result["aids"] == [] and result["total_eligible_eur"] == 0


def test_engine_total_on_random_inputs():
    """Any answers within the vocabulary, any zone and date: a verdict for every aid, never an exception."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rezone.constants import PROFESSIONS, ZONE_CODES
    from rezone.eligibility.vocabulary import QUESTIONS

    def value(q):
        if q.type == "boolean":
            return st.booleans()
        if q.type == "enum":
            return st.sampled_from([v for v, _ in q.enum])
        if q.type == "date":
            return st.dates().map(lambda d: d.isoformat()) | (st.none() if q.nullable else st.nothing())
        if q.type in ("integer", "number"):
            lo, hi = int(q.minimum or 0), int(q.maximum or 10**6)
            return st.integers(lo, hi) if q.type == "integer" else st.floats(lo, hi, allow_nan=False)
        return st.text(min_size=1, max_size=8)

    answers_st = st.fixed_dictionaries({}, optional={q.name: value(q) for q in QUESTIONS})

    @settings(max_examples=150, deadline=None)
    @given(prof=st.sampled_from(PROFESSIONS), data=st.data(), answers=answers_st,
           as_of=st.dates(min_value=date(2000, 1, 1)),
           region=st.sampled_from(["11", "32", "84", "93"]), zone_rouge=st.sampled_from([None, True, False]),
           qpv=st.sampled_from([[], QPV_ZIP]))
    def check(prof, data, answers, as_of, region, zone_rouge, qpv):
        zone = data.draw(st.sampled_from((None, *ZONE_CODES[prof])))
        fx = facts(zone, prof, region, zone_rouge={"value": zone_rouge}, qpv=qpv)
        r = evaluate(CATALOGUE, fx, answers, as_of, profession=prof)
        own = [a for a in CATALOGUE["aids"] if a["kind"] == "aid" and prof in a["professions"]]
        assert len(r["aids"]) == len(own)
        for a in r["aids"]:
            assert a["status"] in ("eligible", "not_eligible", "missing_information")
            if a["status"] == "missing_information":
                assert a["missing"]
            t = a["amount"]["total"]
            assert t is None or t >= 0
        assert r["total_eligible_eur"] >= 0

    check()


def test_questionnaire_covers_every_answer_a_rule_reads():
    from rezone.eligibility.questionnaire import answer_refs

    for rule in CATALOGUE["aids"]:
        for prof in rule["professions"]:
            props = questionnaire(CATALOGUE, prof)["properties"]
            for _, name in answer_refs(rule):
                assert name in props, (rule["id"], prof, name)


# --------------------------------------------------------------------------------- rule files and build

def test_every_rule_validates_and_is_sourced():
    ids = {r["id"] for r in CATALOGUE["aids"]}
    for needed in ("M-CAIM", "M-CAIM-MAJ", "M-COSCOM", "M-COSCOM-MAJ", "M-COTRAM", "M-COTRAM-MAJ",
                   "M24-FMT-AGE", "M-CSTM", "M24-PRIMO-ZIP", "M24-PRIMO-ZAC", "M24-SECOND-ZIP", "M24-FMT-ZIP",
                   "M24-FMT-PRIMO",
                   "S-CDE-INST", "S-CDE-REMPL", "R-HDF-CRAI", "R-HDF-CRMG", "R-HDF-CRME", "G-UMPCV", "G-10Y",
                   "T-ZRR", "T-FRR", "T-ZFU", "T-151TER", "I-CAPII",
                   "I-CAII", "I-CAMI", "K-CACCMK", "K-CAIMK", "K-CAMMK", "SF-CAPISF", "SF-CAISF", "SF-CAMSF",
                   "CD-CAICD", "CD-CAMCD", "O-CAPIOP", "O-CAIOP", "O-CAMOP", "O-TRANS"):
        assert needed in ids
    assert len(list(RULES_DIR.glob("*.yaml"))) == CATALOGUE["count"] == len(ids)
    for r in CATALOGUE["aids"]:
        assert r["sources"], r["id"]


def _copy_rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(RULES_DIR, d)
    return d


@pytest.mark.parametrize("edit,field", [
    (lambda t: t.replace("funder: Assurance Maladie (avec l'ARS)\n", "", 1), "funder"),
    (lambda t: t.replace('valid_until: "2025-12-31"', 'valid_until: "31/12/2025"'), "valid_until"),
    (lambda t: t.replace("answer: days_per_week\n    gte: 2.5", "answer: days_per_weak\n    gte: 2.5"),
     "conditions[3].answer"),
    (lambda t: t.replace("codes: [ZIP]", "codes: [tres_sous_dote]"), "zone.codes"),
    (lambda t: t.replace("exclusions: [M-COSCOM, M-COTRAM, M-CSTM]", "exclusions: [M-COSCOM, M-NOPE]"),
     "exclusions[1]"),
    (lambda t: t.replace("rate: 12500", "rate: douze mille"), "amount.rate"),
])
def test_malformed_rule_fails_with_file_and_field(tmp_path, edit, field):
    d = _copy_rules(tmp_path)
    f = d / "m-caim.yaml"
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        compile_rules_dir(d)
    assert exc.value.file == "m-caim.yaml" and exc.value.field == field, str(exc.value)
    assert "m-caim.yaml" in str(exc.value) and field in str(exc.value)


def test_build_step_writes_catalogue_and_fails_on_bad_rule(tmp_path):
    from types import SimpleNamespace

    from rezone_build import rules_build

    out = tmp_path / "release"
    res = rules_build.build(None, out, SimpleNamespace())
    doc = json.loads((out / "eligibility" / "aids.json").read_text(encoding="utf-8"))
    assert res["rules"] == doc["count"] == CATALOGUE["count"]
    d = _copy_rules(tmp_path)
    (d / "t-zfu.yaml").write_text("id: T-ZFU\nname: [oops\n", encoding="utf-8")
    with pytest.raises(RuleError, match="t-zfu.yaml"):
        rules_build.build(None, tmp_path / "r2", SimpleNamespace(rules_dir=d))


def test_questionnaire_is_a_json_schema_with_french_labels():
    import jsonschema

    for prof in ("medecin", "infirmier", "orthophoniste"):
        q = questionnaire(CATALOGUE, prof)
        jsonschema.Draft202012Validator.check_schema(q)
        assert q["$schema"].endswith("2020-12/schema") and q["x-order"][0] == "project"
        assert set(q["properties"]) <= QUESTION_NAMES
        for p in q["properties"].values():
            assert p["title"] and p["description"]
        assert q["properties"]["project"]["x-enum-labels"]["installation"].startswith("Je m'installe")
        jsonschema.validate({"project": "installation"}, q)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"project": "retraite"}, q)
    med = questionnaire(CATALOGUE, "medecin")["properties"]
    assert med["secondary_ex_nihilo"]["x-depends-on"] == {"project": ["secondary_practice"]}
    assert {"secteur", "days_per_week", "pdsa", "last_installation_aid_date", "in_qpv",
            "epci_zone_rouge"} <= set(med)
    nurse = questionnaire(CATALOGUE, "infirmier")["properties"]
    assert "secteur" not in nurse and "activity_share_in_zone_pct" in nurse


# ------------------------------------------------------------------------------------------------- API

pytest_api = pytest.mark.needs_sources


def post(body, raw: bytes | None = None):
    from rezone_infra.server import load_handler, make_event

    data = raw if raw is not None else json.dumps(body).encode()
    ev = make_event("POST", "/v1/eligibility", "", {"host": "test", "content-type": "application/json"}, data)
    resp = load_handler("eligibility")(ev, None)
    return resp["statusCode"], resp["headers"], json.loads(resp["body"]) if resp["body"] else None


def get(path, query=""):
    from rezone_infra.server import load_handler, make_event

    resp = load_handler("eligibility")(make_event("GET", path, query, {"host": "test"}, None), None)
    return resp["statusCode"], resp["headers"], json.loads(resp["body"]) if resp["body"] else None


@pytest_api
def test_api_amiens_uses_real_zonage(live_store):
    from rezone.facts import commune_facts
    from rezone.release import current

    real = commune_facts(current(), "80021")
    zone = real["zonage"]["medecin"]["code"]
    s, h, b = post({"profession": "medecin", "location": {"commune": "80021"}, "as_of": "2026-03-01",
                    "answers": dict(DOC, in_qpv=False)})
    assert s == 200, b
    assert h["Access-Control-Allow-Origin"] == "*"
    assert b["location"]["commune"]["code"] == "80021" and b["location"]["zonage"]["medecin"]["code"] == zone
    assert b["location"]["region"]["code"] == "32"
    by_id = {a["id"]: a for a in b["aids"]}
    expected_primo = {"ZIP": "M24-PRIMO-ZIP", "ZAC": "M24-PRIMO-ZAC"}.get(zone)
    if expected_primo:
        assert by_id[expected_primo]["status"] == "eligible"
    assert by_id["M-CAIM"]["status"] == "not_eligible"  # closed on 31/12/2025
    eligible = [a["amount"]["total"] or 0 for a in b["aids"] if a["status"] == "eligible"]
    assert b["total_eligible_eur"] == sum(eligible)
    assert b["as_of"] == "2026-03-01" and b["profession"] == "medecin"


@pytest_api
def test_api_what_if_zone_override(live_store):
    s, _, b = post({"profession": "medecin", "location": {"commune": "80021"}, "zone": {"code": "ZIP"},
                    "as_of": "2025-06-01", "answers": DOC})
    assert s == 200, b
    by_id = {a["id"]: a for a in b["aids"]}
    assert by_id["M-CAIM"]["status"] == "eligible" and by_id["M-CAIM"]["amount"]["total"] == 50000
    assert isinstance(by_id["M-CAIM"]["amount"]["total"], int)  # 50000, not 50000.0
    assert b["location"]["simulated"] is True and b["location"]["zonage"]["medecin"]["code"] == "ZIP"
    s, _, b = post({"profession": "infirmier", "zone": {"code": "tres_sous_dote"}, "as_of": "2026-03-01",
                    "answers": {"project": "already_installed", "coordinated_practice": True,
                                "activity_share_in_zone_pct": 60}})
    assert s == 200 and {a["id"]: a["status"] for a in b["aids"]}["I-CAMI"] == "eligible"


@pytest_api
def test_api_lat_lon(live_store):
    s, _, b = post({"profession": "sage_femme", "location": {"lat": 49.8942, "lon": 2.2957},
                    "as_of": "2026-03-01",
                    "answers": {"project": "installation"}})
    assert s == 200, b
    assert b["location"]["commune"]["code"] == "80021"


@pytest_api
@pytest.mark.parametrize("body,param", [
    ({"profession": "medecin", "location": {"commune": "80021"}, "answers": {"days_per_week": "quatre"}},
     "answers.days_per_week"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "answers": {"days_per_week": -1}},
     "answers.days_per_week"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "answers": {"secteur": "3"}},
     "answers.secteur"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "answers": {"pdsa": "oui"}}, "answers.pdsa"),
    ({"profession": "medecin", "location": {"commune": "80021"},
      "answers": {"installation_date": "01/03/2026"}},
     "answers.installation_date"),
    ({"profession": "medecin", "location": {"commune": "80021"},
      "answers": {"installation_date": 1767225600}},
     "answers.installation_date"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "as_of": "2026-13-01"}, "as_of"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "as_of": "0001-01-01"}, "as_of"),
    ({"profession": "medecin", "location": {"commune": "80021"}, "answers": {"unknown_answer": 1}},
     "answers.unknown_answer"),
    ({"profession": "plombier", "location": {"commune": "80021"}}, "profession"),
    ({"profession": "medecin", "location": {"commune": "99999"}}, "location.commune"),
    ({"profession": "medecin", "location": {"commune": "abc"}}, "location.commune"),
    ({"profession": "medecin", "location": {"lat": 95, "lon": 2}}, "location.lat"),
    ({"profession": "infirmier", "zone": {"code": "ZIP"}}, "zone.code"),
])
def test_api_bad_answers_are_422_naming_the_field(live_store, body, param):
    s, h, b = post(body)
    assert s == 422, b
    assert h["Content-Type"].startswith("application/problem+json") and b["title"]
    assert b["param"] == param, b


@pytest_api
def test_api_broken_json_and_body_limit(live_store):
    s, h, b = post(None, raw=b"{")
    assert 400 <= s < 500 and h["Content-Type"].startswith("application/problem+json")
    big = json.dumps({"profession": "medecin", "location": {"commune": "80021"}, "pad": "x" * 70000}).encode()
    s, h, b = post(None, raw=big)
    assert s == 413 and b["status"] == 413 and h["Access-Control-Allow-Origin"] == "*"
    from rezone_infra.server import load_handler, make_event

    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        ev = make_event("POST", "/v1/eligibility", "", {"content-type": ctype}, b"profession=medecin")
        r = load_handler("eligibility")(ev, None)
        assert r["statusCode"] == 415 and json.loads(r["body"])["param"] == "content-type", r


@pytest_api
def test_api_aids_catalogue_lists_every_rule_with_sources(live_store):
    s, _h, b = get("/v1/aids")
    assert s == 200
    assert {a["id"] for a in b["aids"]} == {r["id"] for r in CATALOGUE["aids"]}
    for a in b["aids"]:
        assert a["sources"] and a["name"] and a["funder"] and a["professions"] and "valid_from" in a
        assert a["amount_summary"] or a["kind"] == "cross_cutting"
    caim = next(a for a in b["aids"] if a["id"] == "M-CAIM")
    assert caim["zone_types"] == ["ZIP"] and caim["valid_until"] == "2025-12-31"
    s, _, b = get("/v1/aids", "profession=orthophoniste")
    assert s == 200 and all("orthophoniste" in a["professions"] for a in b["aids"]) and b["count"] >= 4


@pytest_api
def test_api_questions(live_store):
    s, _, b = get("/v1/eligibility/questions", "profession=masseur_kinesitherapeute")
    assert s == 200 and b["$schema"].endswith("2020-12/schema")
    assert b["properties"]["practice_type"]["x-enum-labels"]["creation_or_takeover"]
    s, _h, b = get("/v1/eligibility/questions", "profession=plombier")
    assert 400 <= s < 500 and b["param"] == "profession"


@pytest_api
def test_api_never_500_on_random_answers(live_store):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**9), st.floats(allow_nan=False),
                            st.text(max_size=12),
                            st.sampled_from(["installation", "1", "2_optam", "2026-02-29", "ZIP",
                                             "1999-12-31"]))
    names = st.sampled_from(sorted(QUESTION_NAMES) + ["bogus"])

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(answers=st.dictionaries(names, json_values, max_size=8),
           prof=st.sampled_from(["medecin", "infirmier", "orthophoniste"]),
           as_of=st.sampled_from([None, "2025-06-01", "2026-03-01", "2199-12-31", "1900-01-01"]))
    def check(answers, prof, as_of):
        body = {"profession": prof, "location": {"commune": "80021"}, "answers": answers}
        if as_of:
            body["as_of"] = as_of
        s, _h, b = post(body)
        assert s == 200 or (s == 422 and b["param"]), (s, b)
        if s == 200:
            assert all(a["status"] in ("eligible", "not_eligible", "missing_information") for a in b["aids"])

    check()


@pytest_api
def test_api_marseille_qpv_own_zonage_prevails(live_store, small_dataset):
    """Marseille's QPV 2024 carry their own doctors' zonage (PACA file): it prevails in the QPV."""
    from rezone.facts import commune_facts
    from rezone.release import current

    real = commune_facts(current(), "13055")
    commune_zone = real["zonage"]["medecin"]["code"]
    zip_qpvs = [q for q in real["qpv"]
                if not q["obsolete"] and (q["zonage_medecin"] or {}).get("code") == "ZIP"]
    assert zip_qpvs and commune_zone != "ZIP"
    q = zip_qpvs[0]
    s, _, b = post({"profession": "medecin", "location": {"commune": "13055"}, "as_of": "2026-03-01",
                    "answers": dict(DOC, in_qpv=True, qpv_code=q["code"])})
    assert s == 200, b
    primo = {a["id"]: a for a in b["aids"]}["M24-PRIMO-ZIP"]
    assert primo["status"] == "eligible" and q["name"] in primo["reasons"][1]["detail"]
    s, _, b = post({"profession": "medecin", "location": {"commune": "13055"}, "as_of": "2026-03-01",
                    "answers": DOC})
    primo = {a["id"]: a for a in b["aids"]}["M24-PRIMO-ZIP"]
    assert primo["status"] == "missing_information" and "in_qpv" in primo["missing"]
    # a point inside that QPV's polygon: the QPV is taken from the map
    pt = small_dataset.qpvs[q["code"]].geometry.representative_point()
    s, _, b = post({"profession": "medecin", "location": {"lat": pt.y, "lon": pt.x}, "as_of": "2026-03-01",
                    "answers": DOC})
    assert s == 200, b
    assert b["location"]["qpv_at_point"]["code"] == q["code"]
    assert {a["id"]: a for a in b["aids"]}["M24-PRIMO-ZIP"]["status"] == "eligible"

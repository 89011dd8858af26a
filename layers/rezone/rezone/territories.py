"""Key figures of a territory compared with its enclosing territories.

The build writes each territory's own figures under ``query/territories/`` (communes grouped by
the first three characters of their code in ``commune/<xyz>.json``, other levels one
``<level>/<code>.json`` each, members in ``<level>/<code>.members.json``, and ``meta.json``).
:func:`territory` reads the record and its parents' records and attaches to every figure the same
figure for each enclosing level (``enclosing``). A figure published only at an enclosing level
(e.g. the département counts) appears as ``null`` with that reason; figures no source provides
(:data:`UNSOURCED`) as ``null`` with their reason. When the release has
``raster/access-shares/`` (raster step), the shares of population far from a hospital are added
from it: ``meta.json`` and one small file per level (per département for communes).
"""

from __future__ import annotations

import re

from . import layout
from .errors import InvalidInput, Unknown
from .facts import COMMUNE_CODE_RE, commune_file, dep_of
from .storage import NotFound

__all__ = ["ACCESS_DIR", "BV_NOTE", "BV_REASON", "CODE_PATTERNS", "UNSOURCED", "commune_file", "territory"]

ACCESS_DIR = layout.ACCESS_SHARES_DIR

# Figures the Assurance Maladie service shows that no open source in this release provides.
UNSOURCED: dict[str, dict[str, str]] = {
    "patients_par_medecin": {
        "fr": "Patientèle médecin traitant par généraliste : donnée ameli (open data Assurance Maladie) non "
              "chargée dans cette version.",
        "en": "Patients per GP (ameli open data) is not loaded in this release."},
    "age_medecins": {
        "fr": "Âge des médecins généralistes par commune : aucune source publique (l'extraction RPPS en libre accès "
              "n'a pas de date de naissance) ; par département, l'export ameli « effectifs et densités » le donne "
              "quand il est chargé.",
        "en": "Age of GPs by commune: no public source (the open RPPS extraction has no birth date); by "
              "département, the ameli 'effectifs et densités' export gives it when loaded."},
    "secteur_medecins": {
        "fr": "Secteur de conventionnement des médecins : nécessite l'annuaire ameli / RPPS, non chargé.",
        "en": "GP fee sector needs the ameli directory / RPPS, not loaded."},
    "actes_par_medecin": {
        "fr": "Nombre d'actes par médecin : donnée SNDS / ameli non disponible en open data par commune.",
        "en": "Acts per GP: SNDS / ameli data, not open at commune level."},
}

BV_REASON = ("indicateur publié par bassin de vie « canton-ville » (découpage DREES de l'APL) : affiché pour la "
             "commune pôle seulement, faute de table commune → bassin de vie canton-ville dans les sources")
BV_NOTE = "chiffre du bassin de vie 2022 de la commune (pas de la commune seule)"

CODE_PATTERNS: dict[str, re.Pattern] = {
    "commune": COMMUNE_CODE_RE,
    "epci": re.compile(r"^\d{9}$"),
    "bassin_de_vie": COMMUNE_CODE_RE,
    "departement": re.compile(r"^(?:\d{2}|2[AB]|97\d)$"),
    "region": re.compile(r"^\d{2}$"),
    "france": re.compile(r"^FR$"),
    "tvs": re.compile(r"^[0-9A-Za-z_]{1,12}$"),
}
LEVEL_NAMES = {"commune": "commune", "epci": "EPCI", "bassin_de_vie": "bassin de vie", "departement": "département", "region": "région",
               "france": "France", "tvs": "territoire de vie-santé"}


def _record(release, level: str, code: str) -> dict | None:
    try:
        if level == "commune":
            return release.json(layout.territory_communes(commune_file(code))).get(code)
        return release.json(layout.territory(level, code))
    except NotFound:
        return None


def _meta(release) -> dict:
    try:
        return release.json(layout.TERRITORIES_META)
    except NotFound:
        return {}


def _access(release) -> dict | None:
    def factory():
        try:
            return release.json(layout.access_shares("meta"))
        except NotFound:
            return None

    return release.memo("access-shares", factory)


def _access_fig(release, acc: dict, level: str, code: str) -> dict:
    name = f"commune-{dep_of(code)}" if level == "commune" else level
    try:
        value = release.json(layout.access_shares(name)).get(code)
    except NotFound:
        value = None
    out = {"value": value, "unit": "part de la population", "source": acc.get("source"),
           "vintage": acc.get("vintage"), "method": acc.get("method")}
    if value is None:
        out["reason"] = "pas de calcul d'accès pour ce territoire"
    return out


def territory(release, level: str, code: str) -> dict:
    """The territory answer: InvalidInput for an unknown level or a malformed code, Unknown for a code
    this release does not know."""
    pat = CODE_PATTERNS.get(level)
    if pat is None:
        raise InvalidInput(f"« {level} » n'est pas un niveau connu.", "level", "Niveau de territoire inconnu")
    if not pat.match(code):
        raise InvalidInput(f"« {code} » n'a pas la forme d'un code de {LEVEL_NAMES[level]}.", "code",
                           "Code de territoire invalide")
    rec = _record(release, level, code)
    if rec is None:
        if level == "tvs":
            raise Unknown("La table commune → TVS (DREES) n'est pas chargée dans cette version, ou ce code "
                          "n'existe pas.", "code", "Territoire de vie-santé inconnu")
        raise Unknown(f"Aucun territoire {LEVEL_NAMES[level]} « {code} » dans cette version des données.", "code",
                      "Territoire inconnu")
    parents = {}
    for plevel, pcode in rec.get("parents", {}).items():
        prec = _record(release, plevel, pcode) if pcode else None
        if prec is not None:
            parents[plevel] = prec
    acc = _access(release)
    figures = {}
    own = dict(rec["figures"])
    # figures published only at an enclosing level (the commune's bassin de vie first: its values are the
    # commune's BV figures)
    for plevel, prec in sorted(parents.items(), key=lambda kv: kv[0] != "bassin_de_vie"):
        for fid, pf in prec["figures"].items():
            if fid not in own and plevel == "bassin_de_vie" and fid.startswith("bv."):
                # the BV's own figures are the commune's bassin-de-vie figures, marked as such
                own[fid] = dict(pf, level="bassin_de_vie", note=BV_NOTE,
                                territory={"level": "bassin_de_vie", "code": prec["code"], "name": prec["name"]})
            elif fid not in own:
                own[fid] = {"value": None, "unit": pf.get("unit"), "source": pf.get("source"),
                            "vintage": pf.get("vintage"),
                            "reason": f"publié au niveau {LEVEL_NAMES[plevel]} seulement (voir enclosing)"}
    for fid, reason in UNSOURCED.items():
        own[fid] = {"value": None, "unit": None, "source": None, "vintage": None, "reason": reason["fr"],
                    "reason_en": reason["en"]}
    if acc is not None:
        own["acces_hopital"] = _access_fig(release, acc, level, code)
    for fid, fig in own.items():
        enclosing = {}
        for plevel, prec in parents.items():
            pf = _access_fig(release, acc, plevel, prec["code"]) if fid == "acces_hopital" else prec["figures"].get(fid)
            if pf is not None:
                enclosing[plevel] = dict(pf, code=prec["code"], name=prec["name"])
        figures[fid] = dict(fig, enclosing=enclosing)
    if "quartile" in figures.get("apl_mg_2023", {}):
        figures["apl_mg_2023"]["quartile_scope"] = _meta(release).get("quartiles", {}).get("apl_mg_2023")
    out = {k: v for k, v in rec.items() if k not in ("figures", "parents")}
    if level == "commune":
        for table in _meta(release).get("bassin_de_vie_tables", []):
            if table not in out:
                out[table] = None
                out[f"{table}_reason"] = BV_REASON
    out["enclosing"] = {pl: {"code": p["code"], "name": p["name"]} for pl, p in parents.items()}
    out["figures"] = figures
    if level not in ("commune", "france"):
        try:
            out["members"] = release.json(layout.territory_members(level, code))["communes"]
        except NotFound:
            out["members"] = None
    out["release"] = release.version
    return out

"""Territory-card figures added to ``query/territories/``: bassin de vie, BPE counts, CPTS, nearest services.

Used by :func:`rezone_build.query_build.build_territories`; every figure is a dict ``{value, unit,
source, vintage, [reason], [method], [level]}`` like the others.

* ``bv.<indicator>``: the indicators published by bassin de vie (CartoSanté, INSEE). A BV carries its
  own (a commune gets its BV's at serve time, marked ``level: "bassin_de_vie"``); an EPCI, département, région
  and France the mean of their communes' BV values weighted by the communes' population
  (decoupage-administratif, the population every other figure uses) — or the département's official
  value when the département file publishes the same indicator.
* ``bpe.<service>``: BPE 2020 equipment counts summed over the territory's communes, with the rate
  per 10,000 inhabitants.
* ``cpts``: number of CPTS covering the territory, null + reason where no list is loaded.
* ``etablissements_par_type``: facilities counted by kind (FINESS category → finess_categories.csv).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

import numpy as np
import shapely
from shapely import STRtree

from .ingest_cpts import LOADED_REGIONS, NOT_LOADED_REASON
from .ingest_insee import BPE_CODES, BPE_SOURCE, BPE_VINTAGE

__all__ = ["BPE_META", "HOSPITAL_KINDS", "NEAREST_META", "PROFESSION_DENSITY", "CardFigures", "nearest_services"]

POPULATION_SOURCE = "decoupage-administratif"
# Profession → BV density indicator id (CartoSanté publishes densities for these four only).
PROFESSION_DENSITY: dict[str, str | None] = {
    "medecin": "densite_de_generalistes_lib",
    "infirmier": "densite_d_infirmiers_lib",
    "sage_femme": "densite_de_sages_femmes_lib",
    "orthophoniste": "densite_d_orthophonistes_lib",
    "masseur_kinesitherapeute": None,
    "chirurgien_dentiste": None,
}
NO_DENSITY_REASON = ("aucune densité de cette profession par bassin de vie dans les sources (CartoSanté ne publie "
                     "que généralistes, infirmiers, sages-femmes et orthophonistes)")
BPE_META = {
    "note": "BPE 2020 : plus ancienne que les autres couches (zonage 2025, populations 2026) ; équipements (un "
            "service d'un établissement), pas établissements",
    "rate_method": "équipements BPE 2020 / population légale en vigueur en 2026 × 10 000",
    "labels": {slug: {"code": code, "label": label} for code, (slug, label) in BPE_CODES.items()},
}
NEAREST_META = {
    "hopital": "établissement MCO (CHR/CHU, centre hospitalier, clinique, hôpital des armées) le plus proche du "
               "point de référence de la commune, à vol d'oiseau ; antennes SMUR et unités sanitaires en milieu "
               "pénitentiaire exclues",
    "urgences": "commune la plus proche dont la BPE 2020 compte au moins un service d'urgences (distance à vol "
                "d'oiseau entre points de référence des communes ; l'adresse du service n'est pas dans la BPE par "
                "commune) : donnée de niveau commune",
}
RPPS_FIGURES = ("medecin", "infirmier", "masseur_kinesitherapeute", "sage_femme", "chirurgien_dentiste", "orthophoniste")
# SAE lists some sites of a hospital entity that no patient is sent to: SMUR antennas (mobile emergency
# teams) and prison health units. They are not "the nearest hospital".
NOT_A_HOSPITAL = re.compile(r"\b(SMUR|SMU|USMP|UCSA|SMPR|UHSI|UHSA)\b|DETENTION|PENITENTIAIRE", re.IGNORECASE)
HOSPITAL_KINDS = ("chu_chr", "centre_hospitalier", "clinique_mco", "hopital_armees")


def _fig(value, unit, source, vintage, reason=None, **extra) -> dict:
    out = {"value": value, "unit": unit, "source": source, "vintage": vintage}
    if value is None:
        out["reason"] = reason or "valeur absente de la source"
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


class CardFigures:
    """The card figures of any set of communes (one commune, a BV, an EPCI, a département…)."""

    def __init__(self, ds):
        self.ds = ds
        self.bv_rows = ds.indicators.get("bassin_de_vie", {})
        self.dep_rows = ds.indicators.get("departement", {})
        ids: dict[str, object] = {}
        for row in self.bv_rows.values():
            for k, v in row.items():
                if k != "name" and k not in ids:
                    ids[k] = v
        self.bv_ids = ids  # indicator id → a sample Value (unit, source, vintage)

    # -- bassin de vie indicators
    def bv_own(self, bv_code: str) -> dict:
        """``bv.<id>`` figures of one BV (its source values)."""
        row = self.bv_rows.get(bv_code)
        out = {}
        for k, sample in self.bv_ids.items():
            v = row.get(k) if row else None
            extra = {"level": "bassin_de_vie"}
            if v is None:
                out[f"bv.{k}"] = _fig(None, sample.unit, sample.source, sample.vintage,
                                      "bassin de vie absent du fichier d'indicateurs", **extra)
            else:
                out[f"bv.{k}"] = _fig(v.value, v.unit, v.source, v.vintage, v.reason, **extra)
        return out

    def bv_weighted(self, communes, dep_code: str | None = None) -> dict:
        """``bv.<id>`` for several communes: their BVs' values weighted by commune population."""
        acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        total = sum(c.population or 0 for c in communes)
        for c in communes:
            bv = c.bassin_de_vie.value if c.bassin_de_vie else None
            row = self.bv_rows.get(bv) if bv else None
            if not row or not c.population:
                continue
            for k, v in row.items():
                if k != "name" and v.value is not None:
                    a = acc[k]
                    a[0] += v.value * c.population
                    a[1] += c.population
                    a[2] += 1
        out = {}
        official = self.dep_rows.get(dep_code, {}) if dep_code else {}
        for k, sample in self.bv_ids.items():
            off = official.get(k)
            if off is not None and off.value is not None:
                out[f"bv.{k}"] = _fig(off.value, off.unit, off.source, off.vintage,
                                      method="valeur départementale publiée (même indicateur)")
                continue
            num, den, n = acc.get(k, (0.0, 0.0, 0))
            if not den:
                out[f"bv.{k}"] = _fig(None, sample.unit, sample.source, sample.vintage,
                                      "aucune valeur de bassin de vie pour ces communes (secret statistique "
                                      "ou absence)")
                continue
            out[f"bv.{k}"] = _fig(
                round(num / den, 2), sample.unit, sample.source, sample.vintage,
                method=f"moyenne des valeurs des bassins de vie des communes, pondérée par leur population "
                       f"légale ({POPULATION_SOURCE}) ; aucune valeur officielle à ce niveau",
                coverage=round(den / total, 4) if total else None, communes_with_value=n)
        return out

    # -- BPE
    def bpe(self, communes) -> dict:
        counts = defaultdict(int)
        pop = 0
        missing = [c.code for c in communes if c.bpe is None]
        with_bpe = [c for c in communes if c.bpe is not None]
        for c in with_bpe:
            pop += c.population or 0
            for b, n in c.bpe.items():
                counts[b] += n
        out = {}
        several = len(communes) > 1
        for b, (slug, _label) in BPE_CODES.items():
            if not with_bpe:
                reason = next((c.extra.get("bpe_reason") for c in communes), None) or "absente de la BPE 2020"
                out[f"bpe.{slug}"] = _fig(None, "équipements", BPE_SOURCE, BPE_VINTAGE, reason)
                continue
            n = counts[b]
            rate = round(n / pop * 10_000, 2) if pop else None
            method = None
            if several:
                method = f"somme des communes ({len(with_bpe)})"
                if missing:
                    method += f" ; {len(missing)} commune(s) absente(s) de la BPE 2020 non comptée(s)"
            out[f"bpe.{slug}"] = _fig(n, "équipements", BPE_SOURCE, BPE_VINTAGE, method=method,
                                      rate_per_10000=rate)
        return out

    # -- optional sources (loaders_card): RPPS counts, APL of other professions, BPE D2
    def optional(self, communes) -> dict:
        out = {}
        opt = self.ds.optional
        pop = sum(c.population or 0 for c in communes)
        several = len(communes) > 1
        if (opt.get("rpps") or {}).get("status") == "loaded":
            for p in RPPS_FIGURES:
                tot = sum(c.extra.get("rpps", {}).get(p, {}).get("total", 0) for c in communes)
                lib = sum(c.extra.get("rpps", {}).get(p, {}).get("liberal", 0) for c in communes)
                out[f"rpps.{p}"] = _fig(tot, "professionnels", "rpps", opt["rpps"]["files"][0], liberal=lib,
                                        rate_per_10000=round(tot / pop * 10_000, 2) if pop else None,
                                        method="personnes distinctes par commune d'activité (Annuaire Santé)"
                                        + (" ; somme des communes" if several else ""))
        if (opt.get("apl_autres") or {}).get("status") == "loaded":
            for p, years in opt["apl_autres"]["professions"].items():
                for y in years:
                    num = den = 0.0
                    for c in communes:
                        v = c.extra.get("apl_autres", {}).get(p, {}).get(y)
                        if v is not None and c.population:
                            num += v * c.population
                            den += c.population
                    out[f"apl_{p}_{y}"] = _fig(round(num / den, 3) if den else None,
                                               "ETP pour 100 000 habitants standardisés", "drees-apl", y,
                                               "aucune valeur d'APL pour ces communes",
                                               method="moyenne pondérée par la population légale" if several else None)
        if (opt.get("bpe_d2") or {}).get("status") == "loaded":
            for code in opt["bpe_d2"]["codes"]:
                n = sum(c.extra.get("bpe_d2", {}).get(code, 0) for c in communes)
                out[f"bpe_d2.{code}"] = _fig(n, "adresses d'exercice", "bpe-d2", opt["bpe_d2"]["files"][0],
                                             rate_per_10000=round(n / pop * 10_000, 2) if pop else None)
        return out

    # -- CPTS
    def cpts(self, communes) -> dict:
        loaded = [c for c in communes if c.cpts is not None]
        if not loaded:
            return {"cpts": _fig(None, "CPTS", "cpts", None, NOT_LOADED_REASON)}
        ids = {k for c in loaded for k in c.cpts}
        covered = sum(c.population or 0 for c in loaded if c.cpts)
        total = sum(c.population or 0 for c in loaded)
        note = None
        if len(loaded) < len(communes):
            note = (f"seules les communes de {', '.join(LOADED_REGIONS.values())} sont comptées "
                    f"({len(loaded)} sur {len(communes)})")
        src = next(iter(self.ds.cpts.values())) if self.ds.cpts else None
        return {"cpts": _fig(len(ids), "CPTS", "cpts", src.vintage if src else None, note=note,
                             population_share=round(covered / total, 4) if total else None,
                             method="CPTS couvrant au moins une commune du territoire")}

    # -- facilities by kind
    @staticmethod
    def kinds(facilities) -> dict:
        counts = defaultdict(int)
        srcs, vints = set(), set()
        for f in facilities:
            counts[f.kind or "autre"] += 1
            srcs.add(f.source)
            vints.add(f.vintage)
        return {"etablissements_par_type": _fig(
            dict(sorted(counts.items())), "établissements", ",".join(sorted(srcs)) or "etablissements-sae",
            ",".join(sorted(vints)) or "2023",
            method="établissements comptés par type (catégorie FINESS → finess_categories.csv) et par commune "
                   "d'implantation")}


def _xy(lon: float, lat: float) -> tuple[float, float]:
    """Sinusoidal projection (km): good enough to pick the nearest of nearby points."""
    return lon * 111.32 * math.cos(math.radians(lat)), lat * 110.57


def _km(a, b) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _tree(points):
    return STRtree(shapely.points(np.array([_xy(*p) for p in points]))) if points else None


def nearest_services(ds) -> dict[str, dict]:
    """Per commune: the nearest hospital (MCO facility) and nearest commune with urgences in the BPE."""
    hosp = [f for f in ds.facilities if f.kind in HOSPITAL_KINDS and f.lon is not None and f.lat is not None
            and not NOT_A_HOSPITAL.search(f.name)]
    urg = [c for c in ds.communes.values() if c.bpe and c.bpe.get("D106") and c.center]
    h_tree = _tree([(f.lon, f.lat) for f in hosp])
    u_tree = _tree([c.center for c in urg])
    out = {}
    for c in ds.communes.values():
        rec = {}
        if c.center is None:
            out[c.code] = {"hopital": None, "urgences": None, "reason": "commune sans point de référence"}
            continue
        pt = shapely.Point(_xy(*c.center))
        if h_tree is not None:
            f = hosp[int(h_tree.nearest(pt))]
            rec["hopital"] = {
                "id": f.id, "name": f.name, "kind": f.kind, "commune": f.commune, "precision": f.precision,
                "distance_km": round(_km(c.center, (f.lon, f.lat)), 1), "source": f.source, "vintage": f.vintage}
        else:
            rec["hopital"] = None
        if u_tree is not None:
            u = urg[int(u_tree.nearest(pt))]
            rec["urgences"] = {
                "commune": {"code": u.code, "name": u.name}, "count": u.bpe["D106"],
                "distance_km": round(_km(c.center, u.center), 1), "source": BPE_SOURCE, "vintage": BPE_VINTAGE,
                "level": "commune"}
        else:
            rec["urgences"] = None
        out[c.code] = rec
    return out

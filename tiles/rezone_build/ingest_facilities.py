"""Health facilities: SAE 2023 establishments, hopitaux-france (FINESS 2020), Haute-Garonne structures.

* SAE 2023 (ISO-8859-1, ``;``): FINESS number, name, FINESS category code, SAE legal category
  (``catr`` PUB/PNL/PLU), commune code. Coordinates come from hopitaux-france by FINESS number
  (whose leading zero was lost for départements 01-09) → ``precision="exact"``; otherwise the
  commune's reference point → ``precision="commune"`` (approximate).
* hopitaux-france rows not in SAE are added (source ``hopitaux-france``, vintage 2020), their
  commune found by point-in-polygon, else by name + postal code.
* Haute-Garonne structures (pharmacies, centres de santé, MSP, ...) with their coordinates.

``type`` is one of :data:`FACILITY_TYPES` (slug → French label); ``public`` is True/False, or
None when the source does not say. ``kind`` (:data:`FACILITY_KINDS`) is the kind of structure a
doctor recognises (CHR/CHU, centre hospitalier, clinique, HAD, dialyse, SMR, psychiatrie, CLCC…),
from the FINESS category code (SAE ``cat``) or label (hopitaux-france, Haute-Garonne) through the
code table ``finess_categories.csv`` (FINESS nomenclature "catégories d'établissements"; its
``evidence`` column says which labels the sources here confirm). Unknown codes → ``autre``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import shapely
from rezone.constants import FACILITY_KINDS, FACILITY_TYPES
from shapely import STRtree

from .cog import COM_REASON, Cog
from .ingest_zonage import NameIndex
from .model import Commune, Facility
from .normalize import deps_of_postal, finess9, finess_insee
from .quality import QualityReport
from .sources import Sources

__all__ = ["FACILITY_KINDS", "FACILITY_TYPES", "CommuneLocator", "finess_categories", "load_facilities"]

SAE_REL = "etablissements-sae/ID_2023r.csv"
FR_REL = "etablissements-geolocalises/hopitaux-france/FR.csv"
HG_REL = "etablissements-geolocalises/haute-garonne/structures-finess-31.json"

CATEGORIES_CSV = Path(__file__).with_name("finess_categories.csv")
CATEGORIES_SOURCE = "FINESS nomenclature des catégories d'établissements (finess.esante.gouv.fr), table finess_categories.csv"


def finess_categories() -> dict[str, dict[str, str]]:
    """FINESS category code → {label, kind, evidence} (the code table shipped as data)."""
    with CATEGORIES_CSV.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f, delimiter=";")}


# SAE legal category (``catr`` prefix) → (type, public)
_SAE_STATUS = {
    "PUB": ("hopital_public", True),
    "PNL": ("hopital_prive_non_lucratif", False),
    "PLU": ("clinique_privee", False),
}
# FINESS category labels that are public hospitals by definition
_PUBLIC_HOSPITAL_LABELS = (
    "Centre Hospitalier (C.H.)",
    "Centre Hospitalier Régional (C.H.R.)",
    "Centre hospitalier, ex Hôpital local",
)
# Haute-Garonne category label → type
_HG_TYPES = {
    "Pharmacie d'Officine": "pharmacie",
    "Centre de Santé": "centre_de_sante",
    "Maison de santé (L.6223-3)": "msp",
    "Centre Médico-Psychologique (C.M.P.)": "centre_medico_psychologique",
    "Centre Médico-Psycho-Pédagogique (C.M.P.P.)": "centre_medico_psychologique",
    "Maison médicale de garde (MMG)": "maison_medicale_de_garde",
}


class CommuneLocator:
    """Point → COG 2026 commune (polygons of the dataset), with a name + postal code fallback."""

    def __init__(self, communes: dict[str, Commune], names: NameIndex | None = None):
        self.codes = [k for k, c in communes.items() if c.geometry is not None]
        self.tree = STRtree([communes[k].geometry for k in self.codes])
        self.names = names

    def at(self, lon: float, lat: float) -> str | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.codes[min(hits)] if len(hits) else None

    def by_name(self, name: str, cp: str) -> str | None:
        if self.names is None or not name:
            return None
        _, hits = self.names.match(name, cp)
        news = {n for _, n in hits}
        return news.pop() if len(news) == 1 else None


def _float(s) -> float | None:
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _read_fr(src: Sources, q: QualityReport) -> dict[str, dict]:
    st = q.source(FR_REL)
    out = {}
    with src.path(FR_REL).open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            st.read += 1
            fi = finess9(r["id"])
            lon, lat = _float(r["lon"]), _float(r["lat"])
            if fi is None or lon is None or lat is None:
                st.reject("no FINESS number or coordinates", r["id"])
                continue
            out[fi] = {**r, "lon": lon, "lat": lat}
    return out


def load_facilities(
    communes: dict[str, Commune],
    cog: Cog,
    src: Sources,
    q: QualityReport,
    names: NameIndex | None = None,
    locator: CommuneLocator | None = None,
) -> list[Facility]:
    deps = {c.departement for c in communes.values()}
    locator = locator or CommuneLocator(communes, names)
    fr = _read_fr(src, q)
    st_fr = q.source(FR_REL)
    out: list[Facility] = []

    # Category code → FINESS label, learnt from the SAE rows joined to hopitaux-france.
    raw = src.path(SAE_REL).read_bytes().decode("iso-8859-1")
    sae_rows = list(csv.DictReader(io.StringIO(raw), delimiter=";"))
    cat_label: dict[str, str] = {}
    for r in sae_rows:
        h = fr.get(finess9(r["fi"]) or "")
        if h and h["facility_type"]:
            cat_label.setdefault(r["cat"], h["facility_type"])

    cats = finess_categories()
    kind_of_label = {r["label"].casefold(): r["kind"] for r in cats.values()}
    kind_of_label.update({"centre de santé": "centre_de_sante", "maison de santé (l.6223-3)": "msp",
                          "pharmacie d'officine": "pharmacie",
                          "centre médico-psychologique (c.m.p.)": "psychiatrie"})
    for code, r in cats.items():
        cat_label.setdefault(code, r["label"])

    def kind_of(label: str | None) -> str:
        return kind_of_label.get((label or "").casefold(), "autre")

    st = q.source(SAE_REL)
    seen: set[str] = set()
    for r in sae_rows:
        st.read += 1
        fi = finess9(r["fi"])
        raw_code = (r["COMINSEE"] or "").strip().zfill(5)
        code = cog.rekey(finess_insee(raw_code[:2], raw_code[2:]))
        if fi is None:
            st.reject("no FINESS number", r["rs"])
            continue
        if code is None:
            insee = finess_insee(raw_code[:2], raw_code[2:])
            st.reject(
                COM_REASON if cog.is_com(insee) else "commune code unknown in COG 2026",
                f"{fi}:{r['COMINSEE']}",
            )
            continue
        if code not in communes:
            continue
        typ, public = _SAE_STATUS.get(r["catr"].rstrip("0123456789"), ("etablissement_de_sante", None))
        h = fr.get(fi)
        if h is not None:
            lon, lat, precision = h["lon"], h["lat"], "exact"
            st.note("coordinates_from_hopitaux_france")
            st_fr.note("joined_to_sae")
        elif communes[code].center is not None:
            (lon, lat), precision = communes[code].center, "commune"
            st.note("coordinates_from_commune_reference_point")
        else:
            lon = lat = None
            precision = "unknown"
            st.note("no_coordinates", example=fi)
        seen.add(fi)
        st.matched += 1
        out.append(
            Facility(
                id=fi,
                finess=fi,
                name=r["rs"].strip(),
                type=typ,
                category=cat_label.get(r["cat"], f"catégorie FINESS {r['cat']}"),
                commune=code,
                lon=lon,
                lat=lat,
                precision=precision,
                public=public,
                source="etablissements-sae",
                vintage="2023",
                extra={
                    "sae_category": r["catr"],
                    "finess_category_code": r["cat"],
                    "finess_juridique": r["fi_ej"],
                    "arrondissement": r["ARMT"] or None,
                    "geo_qual": h["geo_qual"] if h else None,
                },
                kind=cats[r["cat"]]["kind"] if r["cat"] in cats else "autre",
            )
        )
        if r["cat"] not in cats:
            st.note("finess_category_not_in_code_table", f"{fi}:{r['cat']}")

    for fi, h in fr.items():
        if fi in seen:
            continue
        cp = h["postcode"].strip().zfill(5)
        if not deps.intersection({*deps_of_postal(cp), fi[:3] if fi.startswith("97") else fi[:2]}):
            continue  # outside the départements built
        code = locator.at(h["lon"], h["lat"]) or locator.by_name(h["city"], cp)
        if code is None:
            st_fr.reject("commune not found (point outside the polygons, name unknown)", fi)
            continue
        if code not in communes:
            continue
        label = h["facility_type"]
        if label in _PUBLIC_HOSPITAL_LABELS or h["public_private"] == "public":
            typ, public = "hopital_public", True
        elif h["public_private"] == "private":
            typ, public = "etablissement_prive", False
        else:
            typ, public = "etablissement_de_sante", None
        st_fr.matched += 1
        seen.add(fi)
        out.append(
            Facility(
                id=fi,
                finess=fi,
                name=(h["site_name"] or h["hospital_name"]).strip(),
                type=typ,
                category=label or None,
                commune=code,
                lon=h["lon"],
                lat=h["lat"],
                precision="exact",
                public=public,
                source="hopitaux-france",
                vintage="2020",
                extra={"geo_qual": h["geo_qual"]},
                kind=kind_of(label),
            )
        )

    if "31" in deps:
        out.extend(_haute_garonne(communes, locator, src, q, seen, kind_of))
    return out


def _haute_garonne(
    communes, locator: CommuneLocator, src: Sources, q: QualityReport, seen: set, kind_of
) -> list[Facility]:
    st = q.source(HG_REL)
    data = json.loads(src.path(HG_REL).read_text(encoding="utf-8"))
    out = []
    for s in data["structures"]:
        st.read += 1
        fi = finess9(s["id"].lstrip("f"))
        lon, lat = _float(s.get("lon")), _float(s.get("lat"))
        if fi in seen:
            st.note("already_listed_by_sae_or_hopitaux_france")
            continue
        code = locator.at(lon, lat) if lon is not None and lat is not None else None
        if code is None:
            cp = next((w for w in s.get("adresse", "").split() if w.isdigit() and len(w) == 5), "")
            code = locator.by_name(s.get("commune", ""), cp)
        if code is None:
            st.reject("commune not found", f"{fi} {s.get('commune')}")
            continue
        if code not in communes:
            continue
        cat = s["cat"]
        typ = _HG_TYPES.get(cat)
        public = None
        if cat in _PUBLIC_HOSPITAL_LABELS:
            typ, public = "hopital_public", True
        elif typ == "pharmacie":
            public = False
        typ = typ or "autre"
        st.matched += 1
        out.append(
            Facility(
                id=fi,
                finess=fi,
                name=s["nom"].strip(),
                type=typ,
                category=cat,
                commune=code,
                lon=lon,
                lat=lat,
                precision="exact" if lon is not None else "commune",
                public=public,
                source="haute-garonne",
                vintage=data.get("maj", "2026")[:4],
                extra={"address": s.get("adresse"), "besoins": s.get("besoins", [])},
                kind=kind_of(cat),
            )
        )
    return out

"""Quartiers prioritaires (QPV).

* PACA 2024 generation: 135 polygons (``qpv-paca.geojson``: ``q`` code, ``n`` name, ``z`` doctors'
  zonage of the QPV itself, ``com`` commune codes) and ``qpv-zonage.json`` (same zonage by commune,
  millésime of the ARS arrêté). A QPV can be ZIP inside a ZAC commune.
* Occitanie 2015 generation: 105 polygons, labelled ``obsolete`` (replaced on 1 January 2024).

A QPV lists the COG 2026 communes it touches: the source's own commune codes (re-keyed, Marseille
arrondissements → Marseille) plus any commune whose polygon holds at least 5 % of the QPV's area.
Only QPVs touching the départements built are kept.
"""

from __future__ import annotations

import json

from shapely.geometry import shape

from .cog import Cog
from .ingest_communes import valid
from .ingest_facilities import CommuneLocator
from .model import Commune, Qpv, ZoneValue
from .quality import QualityReport
from .sources import Sources

__all__ = ["MIN_SHARE", "load_qpvs"]

PACA_GEO = "qpv/paca-2024/qpv-paca.geojson"
PACA_ZON = "qpv/paca-2024/qpv-zonage.json"
OCC_GEO = "qpv/occitanie-2015/qp.geojson"
MIN_SHARE = 0.05  # share of the QPV's area inside a commune for that commune to be listed
_DOCTOR_QPV_CODES = {"ZIP": "ZIP", "ZAC": "ZAC"}


def _touching(g, listed: list[str], communes: dict[str, Commune], locator: CommuneLocator) -> list[str]:
    out = set(listed)
    if g is not None and g.area > 0:
        for i in locator.tree.query(g, predicate="intersects"):
            code = locator.codes[i]
            if communes[code].geometry.intersection(g).area >= MIN_SHARE * g.area:
                out.add(code)
    return sorted(out)


def load_qpvs(
    communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport, locator: CommuneLocator
) -> dict[str, Qpv]:
    out: dict[str, Qpv] = {}
    deps = {c.departement for c in communes.values()}

    zon = json.loads(src.path(PACA_ZON).read_text(encoding="utf-8"))
    vintage = str(zon.get("millesime", "2025"))
    by_qpv: dict[str, str] = {}
    for com in zon["communes"].values():
        for item in com["qpv"]:
            by_qpv.setdefault(item["id"], item["z"])
    st = q.source(PACA_GEO)
    for f in json.loads(src.path(PACA_GEO).read_text(encoding="utf-8"))["features"]:
        st.read += 1
        p = f["properties"]
        listed = sorted({cog.rekey(c) or c for c in p.get("com", [])})
        if not any(c in communes for c in listed) and p.get("d") not in deps:
            continue
        g = valid(shape(f["geometry"])) if f.get("geometry") else None
        z = p.get("z") or by_qpv.get(p["q"])
        if p.get("z") and by_qpv.get(p["q"]) and p["z"] != by_qpv[p["q"]]:
            st.note("zonage_differs_between_files", example=p["q"])
        zv = ZoneValue(
            _DOCTOR_QPV_CODES.get(z),
            z,
            "qpv",
            vintage,
            None if z in _DOCTOR_QPV_CODES else "no zonage for this QPV in the ARS file",
        )
        touching = [c for c in _touching(g, listed, communes, locator) if c in communes or c in listed]
        out[p["q"]] = Qpv(
            code=p["q"],
            name=p["n"],
            communes=touching,
            geometry=g,
            generation="2024",
            obsolete=False,
            zonage_medecin=zv,
            source="qpv",
            vintage="2024",
        )
        st.matched += 1

    st = q.source(OCC_GEO)
    for f in json.loads(src.path(OCC_GEO).read_text(encoding="utf-8"))["features"]:
        st.read += 1
        p = f["properties"]
        if p.get("code_departement") not in deps:
            continue
        listed = [cog.rekey(p["code_commune"]) or p["code_commune"]] if p.get("code_commune") else []
        g = valid(shape(f["geometry"])) if f.get("geometry") else None
        out[p["code_qp"]] = Qpv(
            code=p["code_qp"],
            name=p["nom_qp"],
            communes=_touching(g, listed, communes, locator),
            geometry=g,
            generation="2015",
            obsolete=True,
            zonage_medecin=None,
            source="qpv",
            vintage="2015",
        )
        st.matched += 1
    return out

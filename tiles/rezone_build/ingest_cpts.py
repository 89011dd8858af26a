"""CPTS (communautés professionnelles territoriales de santé): the ARS PACA list with polygons.

``cpts/paca/cpts.geojson``: 70 features, properties ``nom``, ``statut``, ``site``, ``communes``
(INSEE codes), ``arrondissements`` (Marseille arrondissements municipaux) and, for the CPTS that
cover only part of a commune, ``infra`` (the names of the communes cut between several CPTS:
Marseille, Nice, Toulon). Codes are re-keyed to COG 2026.

Every commune of a région whose list is loaded (:data:`LOADED_REGIONS`) gets ``Commune.cpts`` =
the ids of the CPTS covering it (``[]`` when none does); elsewhere ``Commune.cpts`` stays ``None``
(no list loaded: unknown, never "no CPTS").
"""

from __future__ import annotations

import re
import unicodedata

from shapely.geometry import shape
from shapely.validation import make_valid

from .cog import Cog
from .model import Commune, Cpts
from .quality import QualityReport
from .sources import Sources

__all__ = ["CPTS_REL", "CPTS_SOURCE", "CPTS_VINTAGE", "LOADED_REGIONS", "NOT_LOADED_REASON", "load_cpts"]

CPTS_REL = "cpts/paca/cpts.geojson"
CPTS_SOURCE = "cpts"
CPTS_VINTAGE = "liste ARS PACA 2026"
LOADED_REGIONS = {"93": "Provence-Alpes-Côte d'Azur"}
NOT_LOADED_REASON = ("liste des CPTS non chargée pour cette région (seule la liste de l'ARS PACA est dans les "
                     "sources) : inconnu, pas « aucune CPTS »")


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def load_cpts(communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport) -> dict[str, Cpts]:
    st = q.source(CPTS_REL)
    data = src.json(CPTS_REL)
    out: dict[str, Cpts] = {}
    for f in data.get("features", []):
        st.read += 1
        p = f.get("properties") or {}
        name = (p.get("nom") or "").strip()
        if not name:
            st.reject("no name")
            continue
        cid = _slug(name)
        codes, unknown = [], []
        for k in p.get("communes") or []:
            new = cog.rekey(str(k))
            (codes if new else unknown).append(new or k)
        for k in unknown:
            st.reject("commune code unknown in COG 2026", f"{name}:{k}")
        partial = set()
        if p.get("arrondissements"):  # only some arrondissements of a PLM commune
            partial.update(cog.rekey(a) for a in p["arrondissements"] if cog.rekey(a))
        infra = {norm for n in (p.get("infra") or []) if (norm := _slug(n))}
        partial.update(k for k in codes if k in communes and _slug(communes[k].name) in infra)
        geom = None
        if f.get("geometry"):
            geom = shape(f["geometry"])
            if not geom.is_valid:
                geom = make_valid(geom)
                st.note("geometry_made_valid", name)
        regions = {communes[k].region for k in codes if k in communes}
        if not regions:
            continue  # outside the départements built
        st.matched += 1
        out[cid] = Cpts(cid, name, sorted(set(codes)), sorted(partial), geom, min(regions),
                        (p.get("site") or "").strip() or None, CPTS_SOURCE, CPTS_VINTAGE)
    for c in communes.values():
        if c.region in LOADED_REGIONS:
            c.cpts = []
    for cid, cp in out.items():
        for k in cp.communes:
            if k in communes and communes[k].cpts is not None:
                communes[k].cpts.append(cid)
    q.sections["cpts"] = {
        "cpts": len(out),
        "regions_loaded": sorted(LOADED_REGIONS),
        "communes_in_a_cpts": sum(1 for c in communes.values() if c.cpts),
        "communes_in_loaded_regions_without_cpts": sum(1 for c in communes.values() if c.cpts == []),
        "communes_in_several_cpts": sorted(k for k, c in communes.items() if c.cpts and len(c.cpts) > 1),
    }
    return out

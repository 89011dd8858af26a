"""Départements, régions (polygons from france-geojson ``*-avec-outre-mer``) and EPCI membership."""

from __future__ import annotations

import json

from shapely.geometry import shape

from .cog import Cog
from .ingest_communes import valid
from .model import Commune, Departement, Epci, Region
from .quality import QualityReport
from .sources import Sources

__all__ = ["load_departements", "load_epcis", "load_regions"]


def _polygons(src: Sources, rel: str, wanted: set[str] | None) -> dict[str, object]:
    data = json.loads(src.path(rel).read_text(encoding="utf-8"))
    return {
        f["properties"]["code"]: valid(shape(f["geometry"]))
        for f in data["features"]
        if wanted is None or f["properties"]["code"] in wanted
    }


def _population(cog: Cog, key: str) -> dict[str, int]:
    """Sum of the populations of ALL current communes (not only those of a scoped build) by ``key``."""
    out: dict[str, int] = {}
    for r in cog.current.values():
        if r.get("population") is not None:
            out[r[key]] = out.get(r[key], 0) + r["population"]
    return out


def load_departements(
    cog: Cog, src: Sources, deps: set[str] | None, q: QualityReport
) -> dict[str, Departement]:
    st = q.source("decoupage-administratif/departements.json")
    rows = src.json("decoupage-administratif/departements.json")
    geoms = _polygons(src, "france-geojson/departements-avec-outre-mer.geojson", deps)
    pop = _population(cog, "departement")
    out = {}
    for r in rows:
        st.read += 1
        if r.get("zone") == "com" or (deps is not None and r["code"] not in deps):
            continue
        g = geoms.get(r["code"])
        if g is None:
            st.reject("no polygon in france-geojson", r["code"])
        out[r["code"]] = Departement(r["code"], r["nom"], r["region"], g, pop.get(r["code"]), r.get("chefLieu"))
        st.matched += 1
    return out


def load_regions(
    cog: Cog, departements: dict[str, Departement], src: Sources, q: QualityReport
) -> dict[str, Region]:
    st = q.source("decoupage-administratif/regions.json")
    rows = src.json("decoupage-administratif/regions.json")
    wanted = {d.region for d in departements.values()}
    geoms = _polygons(src, "france-geojson/regions-avec-outre-mer.geojson", wanted)
    pop = _population(cog, "region")
    out = {}
    for r in rows:
        st.read += 1
        if r["code"] not in wanted:
            continue
        g = geoms.get(r["code"])
        if g is None:
            st.reject("no polygon in france-geojson", r["code"])
        out[r["code"]] = Region(r["code"], r["nom"], g, pop.get(r["code"]), r.get("chefLieu"))
        st.matched += 1
    return out


def load_epcis(communes: dict[str, Commune], src: Sources, q: QualityReport) -> dict[str, Epci]:
    """EPCI with at least one member in the dataset; ``members`` lists all member codes (COG 2026)."""
    st = q.source("decoupage-administratif/epci.json")
    out = {}
    for e in src.json("decoupage-administratif/epci.json"):
        st.read += 1
        members = [m["code"] for m in e["membres"]]
        if not any(m in communes for m in members):
            continue
        out[e["code"]] = Epci(
            code=e["code"],
            name=e["nom"],
            type=e["type"],
            members=members,
            population=e.get("populationMunicipale"),
        )
        st.matched += 1
    return out

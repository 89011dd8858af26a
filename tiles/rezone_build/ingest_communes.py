"""Communes (COG 2026) with population, postal codes, EPCI, reference point and 2018 polygons.

* list, names, population, postal codes: decoupage-administratif ``communes.json`` (commune-actuelle);
* EPCI: ``epci.json`` ``membres``;
* reference point: communes-centroides (COG 2024, ``COM`` rows) for the same code, else the
  centroid (or a point on the surface when the centroid falls outside) of the geometry;
* geometry: union of the france-geojson 2018 polygons of the commune's own code and of its
  ``anciensCodes`` (a commune nouvelle = its former communes), made valid.
"""

from __future__ import annotations

import json
from collections import defaultdict

import shapely
from shapely.geometry import shape

from .cog import Cog
from .model import Commune
from .quality import QualityReport
from .sources import Sources

__all__ = ["geometry_files", "load_centers", "load_communes", "load_geometries", "valid"]


def valid(g):
    """A valid (Multi)Polygon: make_valid keeps only the polygonal parts."""
    if g is None or g.is_empty:
        return None
    if not g.is_valid:
        g = shapely.make_valid(g)
        if g.geom_type == "GeometryCollection":
            polys = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(polys) if polys else None
    return g


def load_communes(cog: Cog, src: Sources, deps: set[str] | None, q: QualityReport) -> dict[str, Commune]:
    st = q.source("decoupage-administratif/communes.json")
    epci_of: dict[str, str] = {}
    for e in src.json("decoupage-administratif/epci.json"):
        for m in e["membres"]:
            epci_of[m["code"]] = e["code"]
    out: dict[str, Commune] = {}
    st.read = len(cog.current) + len(cog.excluded_com)
    st.note("excluded_collectivites_outre_mer", n=len(cog.excluded_com))
    for code, r in cog.current.items():
        if deps is not None and r["departement"] not in deps:
            continue
        pop = r.get("population")
        if pop is None:
            st.note("without_population", example=code)
        epci = epci_of.get(code)
        if epci is None:
            st.note("without_epci", example=code)
        out[code] = Commune(
            code=code,
            name=r["nom"],
            departement=r["departement"],
            region=r["region"],
            epci=epci,
            population=pop,
            postal_codes=list(r.get("codesPostaux", [])),
            center=None,
            center_source=None,
            geometry=None,
            geometry_source=None,
            zonage={},
            former_codes=list(r.get("anciensCodes", [])),
        )
    st.matched = len(out)
    return out


def load_centers(communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport) -> None:
    """Reference point from communes-centroides (COG 2024 ``COM`` rows re-keyed to COG 2026: the row
    of the same code, else the most populated former commune), else from the geometry."""
    rel = "communes-centroides/communes.csv"
    st = q.source(rel)
    # new code → (same code?, population, old code, point)
    pts: dict[str, tuple[int, int, str, tuple[float, float]]] = {}
    for r in src.csv_rows(rel):
        st.read += 1
        if r["commune_type"] != "COM":
            continue
        old = r["insee_com"]
        new = cog.rekey(old)
        if new not in communes:
            continue
        try:
            pt = (float(r["lng"]), float(r["lat"]))
        except ValueError:
            st.reject("bad coordinates", old)
            continue
        pop = int(r["population_2021"]) if r["population_2021"].isdigit() else -1
        cand = (int(old == new), pop, old, pt)
        if new not in pts or cand[:2] > pts[new][:2]:
            pts[new] = cand
    for c in communes.values():
        if c.code in pts:
            _, _, old, c.center = pts[c.code]
            c.center_source = "communes-centroides" if old == c.code else f"communes-centroides:{old}"
            if old != c.code:
                st.note("center_of_former_commune", example=f"{old}→{c.code}")
            st.matched += 1
        elif c.geometry is not None:
            p = c.geometry.centroid
            how = "geometry:centroid"
            if not c.geometry.contains(p):
                p, how = c.geometry.representative_point(), "geometry:point_on_surface"
            c.center, c.center_source = (round(p.x, 6), round(p.y, 6)), how
            st.note("center_from_geometry", example=c.code)
        else:
            st.note("no_center", example=c.code)
    _locate_restored(communes, q)


def _locate_restored(communes: dict[str, Commune], q: QualityReport) -> None:
    """A commune without a 2018 polygon was re-created since 2018 out of a commune nouvelle: when its
    reference point is known, the commune whose 2018 polygon holds it is flagged (its geometry
    also covers the restored commune) — the geometries are left as the sources give them."""
    without = [c for c in communes.values() if c.geometry is None]
    if not without:
        return
    polys = [c for c in communes.values() if c.geometry is not None]
    tree = shapely.STRtree([c.geometry for c in polys])
    for entry in q.sections.get("communes_without_geometry", []):
        c = communes[entry["code"]]
        hits = tree.query(shapely.Point(*c.center), predicate="intersects") if c.center else []
        if len(hits):
            host = polys[int(min(hits))]
            host.extra.setdefault("geometry_also_covers", []).append(c.code)
            entry["inside_2018_polygon_of"] = host.code
        entry["note"] = (
            "no polygon in the 2018 files: commune (re)created since 2018; its area lies in a "
            "neighbour's 2018 polygon"
            if not c.former_codes
            else "no 2018 polygon found"
        )


def geometry_files(src: Sources, deps: set[str] | None) -> list[str]:
    prefix = "france-geojson/departements-communes/communes-"
    out = []
    for rel in src.files:
        if rel.startswith(prefix):
            dep = rel[len(prefix) :].split("-", 1)[0]
            if deps is None or dep in deps:
                out.append(rel)
    return sorted(out)


def load_geometries(
    communes: dict[str, Commune],
    cog: Cog,
    src: Sources,
    deps: set[str] | None,
    q: QualityReport,
    progress: bool = False,
) -> None:
    """Attach the union of the 2018 polygons of each commune's own code and former codes."""
    from tqdm import tqdm

    polys: dict[str, list] = defaultdict(list)
    st = q.source("france-geojson/departements-communes")
    files = geometry_files(src, deps)
    for rel in tqdm(files, desc="commune polygons", unit="file", disable=not progress, leave=False):
        data = json.loads(src.path(rel).read_text(encoding="utf-8"))
        for feat in data["features"]:
            st.read += 1
            code = feat["properties"]["code"]
            new = cog.rekey(code)
            if new is None:
                st.reject("2018 code unknown in COG 2026", code)
                continue
            if new not in communes:
                if deps is None:
                    st.reject("2018 code of a commune outside the dataset", code)
                continue
            try:
                polys[new].append((code, shape(feat["geometry"])))
            except (KeyError, TypeError, ValueError):
                st.reject("unreadable geometry", code)
                continue
            st.matched += 1
    for code, parts in polys.items():
        c = communes[code]
        geoms = [valid(g) for _, g in parts]
        geoms = [g for g in geoms if g is not None]
        if not geoms:
            continue
        g = geoms[0] if len(geoms) == 1 else valid(shapely.union_all(geoms))
        olds = sorted(k for k, _ in parts)
        c.geometry = g
        c.geometry_source = "france-geojson:" + (olds[0] if len(olds) == 1 else f"union({','.join(olds)})")
        if len(olds) > 1:
            st.note("communes_nouvelles_unioned")
        elif olds[0] != code:
            st.note("rekeyed_single_polygon", example=f"{olds[0]}→{code}")
    missing = sorted(k for k, c in communes.items() if c.geometry is None)
    q.sections["communes_without_geometry"] = [
        {"code": k, "name": communes[k].name, "former_codes": communes[k].former_codes} for k in missing
    ]

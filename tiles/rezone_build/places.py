"""Place names for the map's labels: the ``places`` tileset's layers (contract: ``docs/tiles.md``).

``communes``      points at each commune's reference point, with ``code``, ``nom``, ``rank``
                  (1 = préfecture de région … 7 = village) and ``population``; a commune is in the
                  tiles from the zoom of its rank (``RANK_MINZOOM``), so préfectures show at z6 and
                  villages from z11, and MapLibre's collision pass (``symbol-sort-key`` = rank) keeps
                  the most important name where two collide.
``departements``  points at each département's pole of inaccessibility (``shapely.polylabel`` of
                  its largest part, always inside it), with ``code`` and ``nom``, z5–8.

Ranks come from the COG's chefs-lieux (préfectures of régions and départements) and the legal
population; the thresholds are the usual ones of French road maps.
"""

from __future__ import annotations

import shapely
from shapely.ops import polylabel

__all__ = ["DEPARTEMENT_ZOOMS", "RANK_MINZOOM", "commune_places", "departement_places", "rank"]

RANK_MINZOOM = {1: 4, 2: 6, 3: 7, 4: 8, 5: 9, 6: 10, 7: 11}
DEPARTEMENT_ZOOMS = (5, 8)
_THRESHOLDS = ((100_000, 2), (20_000, 3), (10_000, 4), (5_000, 5), (2_000, 6))


def rank(code: str, population: int | None, regional: set[str], prefectures: set[str]) -> int:
    """1 préfecture de région; 2 préfecture or ≥ 100,000 inhabitants; 3 ≥ 20,000; 4 ≥ 10,000;
    5 ≥ 5,000; 6 ≥ 2,000; 7 the others."""
    if code in regional:
        return 1
    if code in prefectures:
        return 2
    for threshold, r in _THRESHOLDS:
        if (population or 0) >= threshold:
            return r
    return 7


def commune_places(ds, codes: list[str]) -> tuple[list, list[dict]]:
    """(lon/lat points, properties) of the communes ``codes`` that have a reference point or a polygon."""
    regional = {r.chef_lieu for r in ds.regions.values() if r.chef_lieu}
    prefectures = {d.chef_lieu for d in ds.departements.values() if d.chef_lieu}
    points, props = [], []
    for code in codes:
        c = ds.communes[code]
        if c.center is not None:
            pt = shapely.Point(c.center)
        elif c.geometry is not None and not c.geometry.is_empty:
            pt = c.geometry.point_on_surface()
        else:
            continue
        pr = {"code": c.code, "nom": c.name, "rank": rank(c.code, c.population, regional, prefectures)}
        if c.population is not None:
            pr["population"] = int(c.population)
        points.append(pt)
        props.append(pr)
    return points, props


def departement_places(ds, codes: set[str]) -> tuple[list, list[dict]]:
    """(lon/lat label points, properties) of the départements ``codes`` that have a polygon."""
    points, props = [], []
    for code in sorted(codes):
        d = ds.departements.get(code)
        if d is None or d.geometry is None or d.geometry.is_empty:
            continue
        largest = max(shapely.get_parts(d.geometry), key=lambda g: g.area)
        points.append(polylabel(largest, tolerance=0.005))
        props.append({"code": d.code, "nom": d.name})
    return points, props

"""Population-weighted access figures per commune, EPCI, département, région and France.

Each commune's whole population is placed at its reference point (``Commune.center``); its
distance is the straight-line distance from that point to the nearest hospital of its area
(same projection and KD-tree as the grid, computed at the point itself, not at a cell centre).
A territory's share beyond 10/20/30 km is the population of its communes beyond that distance
divided by the population of its communes with a known distance; ``distance_km`` is the
population-weighted mean distance. Communes without population or reference point are left out
and counted. In a partial build (``ds.scope``) a territory only partly built (an EPCI with member
communes outside the scope, any région, France) carries ``"partial": true``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from rezone import layout
from rezone.facts import dep_of

from .raster_grid import AREAS, area_of, nearest_distance, to_proj

__all__ = ["THRESHOLDS_KM", "access_shares", "commune_distances", "write_access_shares"]


THRESHOLDS_KM = (10, 20, 30)


def commune_distances(ds, hospitals_xy: dict[str, np.ndarray]) -> dict[str, float]:
    """Distance (metres) from each commune's reference point to the nearest hospital of its area."""
    by_area: dict[str, list] = defaultdict(list)
    for c in ds.communes.values():
        if c.center is not None:
            by_area[area_of(c.departement)].append(c)
    out: dict[str, float] = {}
    for key, communes in by_area.items():
        pts = hospitals_xy.get(key)
        if pts is None or not len(pts):
            continue
        x, y = to_proj(AREAS[key].crs, [c.center[0] for c in communes], [c.center[1] for c in communes])
        for c, d in zip(communes, nearest_distance(pts, np.column_stack([x, y]))):
            out[c.code] = float(d)
    return out


def _figures(pop: float, dist_pop: float, beyond: dict[int, float], **extra) -> dict:
    fig = {f"share_gt_{t}km": round(beyond[t] / pop, 4) for t in THRESHOLDS_KM}
    fig["distance_km"] = round(dist_pop / pop / 1000.0, 2)
    return {**fig, **extra}


def access_shares(ds, distances: dict[str, float]) -> dict[str, dict[str, dict]]:
    """``{level: {code: figures}}`` for commune, epci, departement, region and france."""
    acc: dict[tuple[str, str], list] = {}
    missing: dict[tuple[str, str], int] = defaultdict(int)
    levels: dict[str, dict[str, dict]] = {lv: {} for lv in ("commune", "epci", "departement", "region", "france")}
    for c in ds.communes.values():
        keys = [("epci", c.epci), ("departement", c.departement), ("region", c.region), ("france", "FR")]
        keys = [k for k in keys if k[1]]
        d = distances.get(c.code)
        if d is None or not c.population:
            for k in keys:
                missing[k] += 1
            continue
        beyond = {t: float(c.population) if d > t * 1000 else 0.0 for t in THRESHOLDS_KM}
        levels["commune"][c.code] = _figures(c.population, d * c.population, beyond, population=c.population)
        for k in keys:
            a = acc.setdefault(k, [0.0, 0.0, dict.fromkeys(THRESHOLDS_KM, 0.0), 0])
            a[0] += c.population
            a[1] += d * c.population
            a[3] += 1
            for t in THRESHOLDS_KM:
                a[2][t] += beyond[t]
    for (level, code), (pop, dist_pop, beyond, n) in acc.items():
        fig = _figures(pop, dist_pop, beyond, population=int(pop), communes=n,
                       communes_missing=missing.get((level, code), 0))
        if _partial(ds, level, code):
            fig["partial"] = True
        levels[level][code] = fig
    return levels


def _partial(ds, level: str, code: str) -> bool:
    if not ds.scope:
        return False
    if level == "epci":
        epci = ds.epcis.get(code)
        return epci is None or any(m not in ds.communes for m in epci.members)
    return level in ("region", "france")


def write_access_shares(out: Path, doc: dict) -> None:
    """Write ``access-shares.json`` (the whole document) and its serving split under ``access-shares/``:
    ``meta.json`` (everything but the figures), ``<level>.json`` for the levels above the commune and
    ``commune-<dep>.json`` per département, so that a territories request reads a few KB, not the
    whole document (3.9 MB for France)."""
    def dump(path: Path, obj) -> None:
        path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))

    (out / layout.ACCESS_SHARES_DIR).mkdir(parents=True, exist_ok=True)
    dump(out / layout.ACCESS_SHARES, doc)
    levels = doc.get("levels", {})
    dump(out / layout.access_shares("meta"), {k: v for k, v in doc.items() if k != "levels"})
    by_dep: dict[str, dict] = defaultdict(dict)
    for code, fig in levels.get("commune", {}).items():
        by_dep[dep_of(code)][code] = fig
    for dep, figs in by_dep.items():
        dump(out / layout.access_shares(f"commune-{dep}"), figs)
    for level, figs in levels.items():
        if level != "commune":
            dump(out / layout.access_shares(level), figs)

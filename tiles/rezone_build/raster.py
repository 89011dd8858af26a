"""Release step ``raster``: straight-line distance to the nearest hospital, as COGs, map tiles, figures.

Writes into the release:

- ``raster/distance-hopital-<area>.tif``: one Cloud-Optimized GeoTIFF per area (``metropole`` in
  Lambert-93, each overseas département in its local UTM zone), 1 km cells, int32 metres
  (nodata -1), five bands: any hospital, public-sector hospital, then pharmacy, centre de santé
  and maison de santé pluriprofessionnelle (Haute-Garonne only: the only département whose
  ambulatory structures are geolocated; nodata elsewhere).
- ``raster/access-shares.json``: population-weighted share of inhabitants farther than 10/20/30 km
  from a hospital, per commune, EPCI, département, région and France; split for serving under
  ``raster/access-shares/`` (meta, one file per level, communes per département).
- ``raster/index.json``: what was built (files, bands, counts, coverage, caveats).
- ``tiles/acces-hopital.pmtiles``: PNG tiles (z4–10) of the distance classes of band 1.

Every distance is a straight line ("à vol d'oiseau"), never a travel time. The steps run at
build time only: no serving code imports this module or rasterio.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from rezone import layout

from .raster_cog import NODATA, write_cog
from .raster_grid import AREAS, area_of, grid_distance, make_grid, to_proj
from .raster_shares import access_shares, commune_distances, write_access_shares
from .raster_tiles import CLASSES, RasterLayer, classify, write_pmtiles

__all__ = [
    "HOSPITAL_TYPES",
    "METHOD",
    "STRUCTURE_BANDS",
    "TILESET",
    "build",
    "maplibre_layer",
    "select_hospitals",
    "select_structures",
]

HOSPITAL_SOURCE = "etablissements-geolocalises/hopitaux-france"
# Source ids the ingest gives hospitals located by the geolocated FINESS list: SAE 2023 rows joined
# to it by FINESS number (``precision="exact"``), and its own rows absent from SAE.
SAE_SOURCE = "etablissements-sae"
FR_SOURCES = ("hopitaux-france", HOSPITAL_SOURCE)
HOSPITAL_TYPES = ("hopital_public", "hopital_prive_non_lucratif", "clinique_privee", "etablissement_prive",
                  "etablissement_de_sante")
FR_VINTAGE = "FINESS extraction of 6 March 2020"
# Source ids of the Haute-Garonne file's structures (the ingest's id, and the mirror's path).
STRUCTURE_SOURCES = ("haute-garonne", "etablissements-geolocalises/haute-garonne")
STRUCTURE_DEP = "31"
# Ambulatory structure types geolocated in the Haute-Garonne file: (type slug, band description).
STRUCTURE_BANDS = [
    ("pharmacie", "distance à la pharmacie la plus proche (Haute-Garonne uniquement)"),
    ("centre_de_sante", "distance au centre de santé le plus proche (Haute-Garonne uniquement)"),
    ("msp", "distance à la maison de santé pluriprofessionnelle la plus proche (Haute-Garonne uniquement)"),
]
TILESET = "acces-hopital"
MINZOOM, MAXZOOM = 4, 10
METHOD = "distance euclidienne (à vol d'oiseau) au plus proche hôpital, pas un temps de trajet"
METHOD_EN = (
    "straight-line (Euclidean) distance, not a travel time: distance from each 1 km cell centre to the "
    "nearest facility, computed with a KD-tree (scipy cKDTree) on coordinates projected in Lambert-93 "
    "(EPSG:2154) for metropolitan France and in the local UTM zone overseas (EPSG:5490 for 971/972, "
    "2972 for 973, 2975 for 974, 4471 for 976); projection scale error under 0.3 %. Cells touching no "
    "département polygon (outside France) are nodata."
)
SHARES_METHOD = (
    "Population-weighted: each commune's whole population (populations légales) is placed at its "
    "reference point (Commune.center); its distance is the straight-line distance from that point to the "
    "nearest hospital (computed at the point with the same KD-tree, not read from a cell). A territory's "
    "share_gt_Nkm = population of its communes farther than N km / population of its communes with a known "
    "distance; distance_km = population-weighted mean distance. Straight-line distance, not a travel time."
)
EDGE_EFFECT = (
    "Hospitals abroad (Belgium, Luxembourg, Germany, Switzerland, Italy, Monaco, Andorra, Spain) are not in "
    "the list: near land borders the distance is an upper bound. In a partial build (a few départements) "
    "only the hospitals of the built départements are known, so distances near their edges are too large."
)


def maplibre_layer(source_id: str = TILESET) -> dict:
    """A MapLibre style layer for the tiles (the source being ``{"type": "raster", "url": TileJSON}``)."""
    return {"id": f"{TILESET}-layer", "type": "raster", "source": source_id,
            "layout": {"visibility": "none"}, "paint": {"raster-opacity": 0.6, "raster-resampling": "nearest"}}


def _is_exact(f) -> bool:
    return f.precision == "exact" and f.lon is not None and f.lat is not None


def select_hospitals(ds) -> list:
    """Hospitals located exactly by the geolocated FINESS list (one per FINESS number).

    Hospitals of the Haute-Garonne file are left out (another vintage, one département only), and so
    are SAE establishments only placed at their commune's reference point.
    """
    seen: dict[str, object] = {}
    for f in ds.facilities:
        if _is_exact(f) and f.type in HOSPITAL_TYPES and (f.source == SAE_SOURCE or f.source in FR_SOURCES):
            seen.setdefault(f.finess or f.id, f)
    return list(seen.values())


def select_structures(ds) -> dict[str, list]:
    """Haute-Garonne ambulatory structures by type (pharmacie, centre_de_sante, msp)."""
    out: dict[str, list] = {t: [] for t, _ in STRUCTURE_BANDS}
    for f in ds.facilities:
        if _is_exact(f) and f.source in STRUCTURE_SOURCES and f.type in out:
            out[f.type].append(f)
    return out


def _hospital_vintage(hospitals) -> str:
    parts = [f"{FR_VINTAGE} (coordinates and list, {HOSPITAL_SOURCE})"]
    if any(f.source == SAE_SOURCE for f in hospitals):
        parts.append("DREES SAE 2023 establishments joined by FINESS number")
    return "; ".join(parts)


def _points(crs: str, envelope, facilities) -> np.ndarray:
    w, s, e, n = envelope
    inside = [f for f in facilities if w <= f.lon <= e and s <= f.lat <= n]
    if not inside:
        return np.empty((0, 2))
    x, y = to_proj(crs, [f.lon for f in inside], [f.lat for f in inside])
    return np.column_stack([x, y])


def _structure_vintage(structures: dict[str, list]) -> str | None:
    vintages = sorted({f.vintage for v in structures.values() for f in v if f.vintage})
    return "; ".join(vintages) or None


def build(ds, out: Path, ctx) -> dict:
    scope = set(ctx.departements) if ctx.departements else (set(ds.scope) if ds.scope else None)
    by_area: dict[str, dict] = defaultdict(dict)
    for code, dep in ds.departements.items():
        if dep.geometry is not None and not dep.geometry.is_empty and (scope is None or code in scope):
            by_area[area_of(code)][code] = dep.geometry
    hospitals = select_hospitals(ds)
    public = [f for f in hospitals if f.public is True]
    structures = select_structures(ds)
    if not hospitals:
        raise ValueError(f"no exactly located hospital from {HOSPITAL_SOURCE} in the dataset")
    vintage = _hospital_vintage(hospitals)
    struct_vintage = _structure_vintage(structures)
    not_exact = sum(1 for f in ds.facilities if f.type in HOSPITAL_TYPES and f.source == SAE_SOURCE
                    and not _is_exact(f))
    joined = any(f.source == SAE_SOURCE for f in hospitals)
    common = {
        "source": HOSPITAL_SOURCE + (f" joined to {SAE_SOURCE} (DREES SAE 2023) by FINESS number" if joined else ""),
        "vintage": vintage,
        "method": METHOD,
        "method_detail": METHOD_EN,
        "units": "metres (int32, nodata -1)",
        "edge_effect": EDGE_EFFECT,
        "scope": ",".join(sorted(scope)) if scope else "FR",
        "hospitals_note": f"{len(hospitals)} establishments located by the geolocated FINESS list; {not_exact} SAE 2023 "
                          "establishments absent from it (only placed at their commune's reference point) are left out",
    }
    band_desc = ["distance à l'hôpital le plus proche (tout établissement de santé de la liste)",
                 "distance à l'hôpital public le plus proche"] + [d for _, d in STRUCTURE_BANDS]
    band_tags = [{"facilities": str(len(hospitals)), "coverage": "France"},
                 {"facilities": str(len(public)), "coverage": "France"}] + [
        {"facilities": str(len(structures[t])), "coverage": f"département {STRUCTURE_DEP} only",
         "source": "etablissements-geolocalises/haute-garonne", "vintage": struct_vintage or "none loaded"}
        for t, _ in STRUCTURE_BANDS]
    (out / layout.RASTER_DIR).mkdir(parents=True, exist_ok=True)
    files, layers, hospitals_xy = {}, [], {}
    timings: dict[str, float] = defaultdict(float)
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] += now - clock[0]
        clock[0] = now

    for key in sorted(by_area):
        area = AREAS[key]
        grid = make_grid(area, by_area[key])
        lap("grid")
        hospitals_xy[key] = _points(area.crs, area.envelope, hospitals)
        any_d = grid_distance(grid, hospitals_xy[key])
        bands = [any_d, grid_distance(grid, _points(area.crs, area.envelope, public))]
        in_31 = grid.dep_index == (grid.deps.index(STRUCTURE_DEP) + 1) if STRUCTURE_DEP in grid.deps else None
        for t, _ in STRUCTURE_BANDS:
            pts = _points(area.crs, area.envelope, structures[t])
            bands.append(grid_distance(grid, pts, in_31) if in_31 is not None and len(pts)
                         else np.full(any_d.shape, np.nan))
        lap("distance")
        rel = layout.raster_cog(key)
        tags = {**common, "area": area.label, "departements": ",".join(grid.deps),
                "hospitals_in_area": str(len(hospitals_xy[key])), "cell_size_m": "1000"}
        size = write_cog(out / rel, grid, list(zip(band_desc, bands)), tags, band_tags)
        files[rel] = {"area": key, "label": area.label, "crs": area.crs, "width": grid.width,
                      "height": grid.height, "bytes": size, "hospitals": len(hospitals_xy[key]),
                      "cells_in_france": int(grid.mask.sum()),
                      "max_distance_m": None if np.isnan(any_d).all() else float(np.nanmax(any_d))}
        layers.append(RasterLayer(grid, classify(any_d), [g.bounds for g in by_area[key].values()]))
        lap("cog")
        ctx.say(f"[raster] {key}: {grid.width}×{grid.height} cells, {len(hospitals_xy[key])} hospitals")

    legend = [{"class": lo_hi[3], "min_km": lo_hi[1], "max_km": lo_hi[2], "color": lo_hi[4]} for lo_hi in CLASSES]
    tile_meta = {
        "name": "Accès à l'hôpital (distance à vol d'oiseau)",
        "description": (f"Distance à vol d'oiseau (ligne droite, pas un temps de trajet) au plus proche "
                        f"hôpital (tout établissement de santé géolocalisé), maille de 1 km ; {len(hospitals)} "
                        f"établissements de la liste FINESS géolocalisée ({HOSPITAL_SOURCE}, extraction du "
                        f"6 mars 2020){' rapprochée de la SAE 2023' if joined else ''}."),
        "attribution": "FINESS (extraction du 6 mars 2020, via Eurostat GISCO) ; IGN ADMIN EXPRESS ; Rézone",
        "sources": [s for s in ("etablissements-geolocalises", SAE_SOURCE, "france-geojson") if s in ds.sources],
        "type": "overlay",
        "legend": legend,
        "maplibre_layer": maplibre_layer(),
        "method": METHOD,
        "vintage": vintage,
    }
    tile_stats = write_pmtiles(out / layout.tileset(TILESET), layers, MINZOOM, MAXZOOM, tile_meta)
    lap("tiles")

    distances = commune_distances(ds, hospitals_xy)
    pop_src = ds.sources.get("decoupage-administratif")
    shares = {
        "source": common["source"],
        "vintage": vintage,
        "population_source": f"decoupage-administratif ({pop_src.vintage})" if pop_src else "decoupage-administratif",
        "method": f"{METHOD}. {SHARES_METHOD}",
        "scope": common["scope"],
        "edge_effect": EDGE_EFFECT,
        "hospitals_note": common["hospitals_note"],
        "levels": access_shares(ds, distances),
    }
    write_access_shares(out, shares)
    index = {**common, "files": files, "nodata": NODATA,
             "bands": [{"index": i + 1, "description": d, **t} for i, (d, t) in enumerate(zip(band_desc, band_tags))],
             "hospitals": len(hospitals), "public_hospitals": len(public),
             "hospitals_left_out_not_exact": not_exact,
             "structures": {t: len(v) for t, v in structures.items()},
             "structures_vintage": struct_vintage,
             "tiles": {"tileset": TILESET, "legend": legend, "minzoom": MINZOOM, "maxzoom": MAXZOOM,
                       "count": tile_stats["tiles"], "bytes": tile_stats["bytes"]}}
    (out / layout.RASTER_INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1))
    lap("shares")
    return {"files": sorted(files), "hospitals": len(hospitals), "public_hospitals": len(public),
            "tiles": tile_stats["tiles"], "tiles_bytes": tile_stats["bytes"],
            "tiles_per_zoom": tile_stats["per_zoom"],
            "tile_bytes_median": tile_stats["sizes"][len(tile_stats["sizes"]) // 2],
            "tile_bytes_max": tile_stats["sizes"][-1],
            "communes_with_distance": len(distances), "timings_s": {k: round(v, 3) for k, v in timings.items()}}

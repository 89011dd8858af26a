"""Health facilities in a bounding box, as a GeoJSON FeatureCollection.

The build writes ``query/facilities/index.json`` (grid size, facility count per cell, types) and
one ``query/facilities/<ix>_<iy>.json`` per non-empty cell; a query reads the cells the box
touches (at most :data:`MAX_SPAN_DEG` wide and high, so a handful of small files).
"""

from __future__ import annotations

import math
from collections.abc import Collection

from . import layout
from .constants import FACILITY_FILTERS
from .errors import InvalidInput, OutOfRange

__all__ = ["INDEX_KEY", "MAX_FEATURES", "MAX_SPAN_DEG", "BBox", "check_bbox", "facilities"]

INDEX_KEY = layout.FACILITIES_INDEX
MAX_SPAN_DEG = 2.0
MAX_FEATURES = 2000

BBox = tuple[float, float, float, float]


def check_bbox(bbox: BBox) -> BBox:
    """The one check of a box (minlon, minlat, maxlon, maxlat): finite, ordered, in range, small enough."""
    x0, y0, x1, y1 = bbox
    if not all(math.isfinite(v) for v in bbox):
        raise OutOfRange("bbox contient une valeur non finie.", "bbox", "Emprise invalide")
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise OutOfRange("bbox doit avoir minlon < maxlon et minlat < maxlat, dans [-180, 180] × [-90, 90].",
                         "bbox", "Emprise invalide")
    if x1 - x0 > MAX_SPAN_DEG or y1 - y0 > MAX_SPAN_DEG:
        raise OutOfRange(f"bbox ne doit pas dépasser {MAX_SPAN_DEG}° de côté ; utilisez les tuiles « facilities » "
                         "pour une vue plus large.", "bbox", "Emprise trop grande")
    return bbox


def facilities(release, bbox: BBox, types: Collection[str] | None = None, limit: int = MAX_FEATURES) -> dict:
    """The FeatureCollection of facilities in ``bbox`` (of the given ``types``, all when None or empty)."""
    x0, y0, x1, y1 = check_bbox(bbox)
    index = release.json(INDEX_KEY)
    wanted = None
    if types:  # a type of the vocabulary this release has none of simply matches nothing
        wanted = set(types)
        unknown = sorted(wanted - set(FACILITY_FILTERS))  # a legal status or a kind of structure (HAD, dialyse…)
        if unknown:
            raise InvalidInput(f"Types inconnus : {', '.join(unknown)} ; types connus : {', '.join(FACILITY_FILTERS)}.",
                               "type", "Type d'établissement inconnu")
    g = index["grid"]
    feats = []
    total = 0
    for ix in range(math.floor(x0 / g), math.floor(x1 / g) + 1):
        for iy in range(math.floor(y0 / g), math.floor(y1 / g) + 1):
            key = f"{ix}_{iy}"
            if key not in index["cells"]:
                continue
            for f in release.json(layout.facilities_cell(key)):
                if not (x0 <= f["lon"] <= x1 and y0 <= f["lat"] <= y1):
                    continue
                if wanted is not None and f["type"] not in wanted and f.get("kind") not in wanted:
                    continue
                total += 1
                if len(feats) < limit:
                    props = {k: v for k, v in f.items() if k not in ("lon", "lat")}
                    feats.append({"type": "Feature", "id": f["id"],
                                  "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
                                  "properties": props})
    return {"type": "FeatureCollection", "features": feats, "numberMatched": total,
            "numberReturned": len(feats), "truncated": total > len(feats), "bbox": [x0, y0, x1, y1],
            "release": release.version}

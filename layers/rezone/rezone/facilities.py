"""Health facilities in a bounding box, as a GeoJSON FeatureCollection.

The build writes ``query/facilities/index.json`` (grid size, facility count per cell, types) and
one ``query/facilities/<ix>_<iy>.json`` per non-empty cell; a query reads the cells the box
touches (at most :data:`MAX_SPAN_DEG` wide and high, so a handful of small files).
"""

from __future__ import annotations

import math

from .http import ApiError

__all__ = ["INDEX_KEY", "MAX_FEATURES", "MAX_SPAN_DEG", "facilities", "parse_bbox"]

INDEX_KEY = "query/facilities/index.json"
MAX_SPAN_DEG = 2.0
MAX_FEATURES = 2000


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'minlon,minlat,maxlon,maxlat' → floats; ApiError 400 (param ``bbox``) if malformed or too large."""
    parts = text.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ApiError(400, "Emprise invalide", "bbox doit valoir « minlon,minlat,maxlon,maxlat » "
                       "(quatre nombres séparés par des virgules).", "bbox") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ApiError(400, "Emprise invalide", "bbox contient une valeur non finie.", "bbox")
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise ApiError(400, "Emprise invalide", "bbox doit avoir minlon < maxlon et minlat < maxlat, "
                       "dans [-180, 180] × [-90, 90].", "bbox")
    if x1 - x0 > MAX_SPAN_DEG or y1 - y0 > MAX_SPAN_DEG:
        raise ApiError(400, "Emprise trop grande", f"bbox ne doit pas dépasser {MAX_SPAN_DEG}° de côté ; "
                       "utilisez les tuiles « facilities » pour une vue plus large.", "bbox")
    return x0, y0, x1, y1


def facilities(release, bbox: str, types: str | None = None, limit: int = MAX_FEATURES) -> dict:
    """The FeatureCollection of facilities in ``bbox`` (of the given comma-separated ``types``)."""
    x0, y0, x1, y1 = parse_bbox(bbox)
    index = release.json(INDEX_KEY)
    wanted = None
    if types:
        wanted = {t.strip() for t in types.split(",") if t.strip()}
        unknown = sorted(wanted - set(index["types"]))
        if unknown:
            raise ApiError(400, "Type d'établissement inconnu",
                           f"Types inconnus : {', '.join(unknown)} ; types connus : {', '.join(index['types'])}.",
                           "type")
    g = index["grid"]
    feats = []
    total = 0
    for ix in range(math.floor(x0 / g), math.floor(x1 / g) + 1):
        for iy in range(math.floor(y0 / g), math.floor(y1 / g) + 1):
            key = f"{ix}_{iy}"
            if key not in index["cells"]:
                continue
            for f in release.json(f"query/facilities/{key}.json"):
                if not (x0 <= f["lon"] <= x1 and y0 <= f["lat"] <= y1):
                    continue
                if wanted is not None and f["type"] not in wanted:
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

"""Point lookup: which commune (and QPV) contains a WGS84 point, from precomputed shards.

The build (``rezone_build.query_build``) cuts commune and QPV polygons along a regular lon/lat
grid and writes one shard per non-empty cell, ``query/locate/<ix>_<iy>.bin`` (zlib of a JSON
header line then the WKB geometries), listed in ``query/locate/index.json`` with each shard's
bbox and size. A lookup reads the index and one shard (a few tens of KB), builds an STRtree for
that shard once per warm container, and answers in microseconds afterwards.

A point on a border shared by several communes gets one deterministic answer: the lowest code
among the polygons that cover it. A point in a sliver between two simplified polygons (less than
:data:`SNAP_DEG` away from one) snaps to the nearest one and says so in ``match``.
"""

from __future__ import annotations

import json
import math
import zlib

import shapely
from shapely import STRtree

from .constants import PROFESSIONS
from .facts import commune_facts
from .http import ApiError
from .storage import NotFound

__all__ = ["find_commune", "lookup", "locate", "load_shard", "shard_key", "Shard", "SNAP_DEG", "INDEX_KEY"]

INDEX_KEY = "query/locate/index.json"
SNAP_DEG = 0.0015  # ≈ 110-170 m: the slivers left by per-département simplification


class Shard:
    """The polygons of one grid cell, with a lazily built STRtree."""

    __slots__ = ("codes", "geoms", "qpv_codes", "qpv_geoms", "qpv_info", "_tree", "_qtree")

    def __init__(self, raw: bytes):
        data = zlib.decompress(raw)
        nl = data.index(b"\n")
        head = json.loads(data[:nl])
        pos = nl + 1
        wkbs = []
        for _, n in head["c"]:
            wkbs.append(data[pos:pos + n])
            pos += n
        qwkbs = []
        for _, n, _ in head["q"]:
            qwkbs.append(data[pos:pos + n])
            pos += n
        self.codes = [c for c, _ in head["c"]]
        self.geoms = shapely.from_wkb(wkbs)
        self.qpv_codes = [c for c, _, _ in head["q"]]
        self.qpv_info = [i for _, _, i in head["q"]]
        self.qpv_geoms = shapely.from_wkb(qwkbs) if qwkbs else []
        self._tree = None
        self._qtree = None

    @property
    def tree(self) -> STRtree:
        if self._tree is None:
            shapely.prepare(self.geoms)
            self._tree = STRtree(self.geoms)
        return self._tree

    @property
    def qtree(self) -> STRtree | None:
        if self._qtree is None and len(self.qpv_geoms):
            shapely.prepare(self.qpv_geoms)
            self._qtree = STRtree(self.qpv_geoms)
        return self._qtree


def _index(release) -> dict:
    return release.json(INDEX_KEY)


def shard_key(grid: float, lon: float, lat: float) -> str:
    return f"{math.floor(lon / grid)}_{math.floor(lat / grid)}"


def load_shard(release, key: str) -> Shard | None:
    """The shard ``key`` of ``release`` (cached), or None if the cell holds no polygon."""

    def factory():
        if key not in _index(release)["shards"]:
            return None
        try:
            return Shard(release.get(f"query/locate/{key}.bin"))
        except NotFound:
            return None

    return release.memo(("locate-shard", key), factory)


def _check(lon: float, lat: float) -> None:
    if not (isinstance(lon, (int, float)) and math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise ApiError(400, "Longitude invalide", "lon doit être un nombre entre -180 et 180.", "lon")
    if not (isinstance(lat, (int, float)) and math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ApiError(400, "Latitude invalide", "lat doit être un nombre entre -90 et 90.", "lat")


def lookup(release, lon: float, lat: float) -> tuple[str, dict | None, dict] | None:
    """``(commune code, qpv info or None, match)`` for a point, or None outside every commune."""
    _check(lon, lat)
    shard = load_shard(release, shard_key(_index(release)["grid"], lon, lat))
    if shard is None:
        return None
    pt = shapely.Point(lon, lat)
    hits = shard.tree.query(pt, predicate="intersects")
    match = {"method": "inside"}
    if len(hits):
        code = min(shard.codes[i] for i in hits)
    else:
        near, dist = shard.tree.query_nearest(pt, max_distance=SNAP_DEG, return_distance=True, all_matches=True)
        if not len(near):
            return None
        code = min(shard.codes[i] for i in near)
        match = {"method": "nearest", "distance_deg": round(float(dist[0]), 6)}
    qpv = None
    qtree = shard.qtree
    if qtree is not None:
        qhits = qtree.query(pt, predicate="intersects")
        if len(qhits):
            i = min(qhits, key=lambda j: shard.qpv_codes[j])
            qpv = dict(shard.qpv_info[i], code=shard.qpv_codes[i])
    return code, qpv, match


def find_commune(release, lon: float, lat: float) -> str | None:
    """INSEE code (COG 2026) of the commune containing the point, or None (sea, abroad).

    Raises :class:`rezone.http.ApiError` (400) for a non-finite or out-of-range coordinate.
    """
    hit = lookup(release, lon, lat)
    return hit[0] if hit else None


def _zone(z: dict | None, reason: str) -> dict:
    if not z:
        return {"code": None, "label": None, "source": None, "vintage": None, "reason": reason}
    return {k: z.get(k) for k in ("code", "label", "source", "vintage", "reason")}


def locate(release, lon: float, lat: float) -> dict:
    """The full locate answer of the public contract; ApiError 404 when the point is in no commune."""
    hit = lookup(release, lon, lat)
    if hit is None:
        raise ApiError(404, "Aucune commune à cet endroit",
                       f"Le point (lat={lat}, lon={lon}) n'est dans aucune commune couverte "
                       "(en mer, à l'étranger ou hors du périmètre de cette version).", "lat")
    code, qpv, match = hit
    facts = commune_facts(release, code)
    if facts is None:  # shards and facts come from the same build: only a broken release gets here
        raise ApiError(404, "Commune inconnue", f"La commune {code} n'a pas de fiche dans cette version.", "lat")
    zonage = {p: _zone(facts["zonage"].get(p), "zonage inconnu pour cette commune") for p in PROFESSIONS}
    if qpv is not None and qpv.get("zonage_medecin"):
        zonage["medecin"] = dict(_zone(qpv["zonage_medecin"], ""), territory={"level": "qpv", "code": qpv["code"]})
        zonage["medecin"]["commune_zonage"] = _zone(facts["zonage"].get("medecin"), "zonage inconnu")
    zr = facts.get("zone_rouge")
    return {
        "commune": {"code": code, "name": facts["name"]},
        "epci": facts.get("epci"),
        "departement": facts["departement"],
        "region": facts["region"],
        "qpv": qpv,
        "zonage": zonage,
        "flags": {
            "zrr": facts.get("zrr"),
            "zone_rouge": zr,
            "in_qpv": _in_qpv(release, qpv, facts["region"]["code"]),
        },
        "match": match,
        "release": release.version,
    }


def _in_qpv(release, qpv: dict | None, region: str) -> bool | None:
    """In a current QPV? Unknown (None) where the release has no current QPV polygons."""
    if qpv is not None and not qpv.get("obsolete"):
        return True
    return False if region in _index(release).get("qpv_regions", []) else None

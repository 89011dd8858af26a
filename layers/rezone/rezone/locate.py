"""Point lookup: which commune (and QPV) contains a WGS84 point, from precomputed shards.

The build (``rezone_build.query_build``) cuts commune and QPV polygons along a regular lon/lat
grid and writes one shard per non-empty cell, ``query/locate/<ix>_<iy>.bin`` (zlib of a JSON
header line then the WKB geometries), listed in ``query/locate/index.json`` with each shard's
bbox and size. A lookup reads the index and one shard (a few tens of KB), indexes it once per
warm container (bbox per polygon) and answers in microseconds afterwards.

The geometry test is pure Python (WKB parsed with :mod:`array`, even-odd ray casting with the
boundary counted as inside, i.e. shapely's ``covers``), so a cold function does not pay the
numpy/shapely import. A point on a border shared by several communes gets one deterministic
answer: the lowest code among the polygons that cover it. A point in a sliver between two
simplified polygons or just off the simplified coastline (less than :data:`SNAP_DEG` away from one)
snaps to the nearest one and says
so in ``match``.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from array import array

from . import layout
from .constants import PROFESSIONS
from .errors import OutOfRange, OutsideFrance, Unknown
from .facts import commune_facts, zone_view
from .storage import NotFound

__all__ = [
    "INDEX_KEY",
    "SNAP_DEG",
    "Shard",
    "check_point",
    "covers",
    "find_commune",
    "load_shard",
    "locate",
    "lookup",
    "parse_wkb",
    "shard_key",
]

INDEX_KEY = layout.LOCATE_INDEX
SNAP_DEG = 0.005  # ≈ 400-550 m: slivers of per-département simplification and the simplified coastline

_LITTLE = sys.byteorder == "little"


def _ring(data: bytes, pos: int, little: bool) -> tuple[array, int]:
    (n,) = struct.unpack_from("<I" if little else ">I", data, pos)
    pos += 4
    ring = array("d")
    ring.frombytes(data[pos:pos + 16 * n])
    if little != _LITTLE:
        ring.byteswap()
    return ring, pos + 16 * n


def _polygon(data: bytes, pos: int, little: bool) -> tuple[list[array], int]:
    (nrings,) = struct.unpack_from("<I" if little else ">I", data, pos)
    pos += 4
    rings = []
    for _ in range(nrings):
        ring, pos = _ring(data, pos, little)
        rings.append(ring)
    return rings, pos


def parse_wkb(data: bytes) -> list[list[array]]:
    """A 2D WKB Polygon or MultiPolygon → polygons, each a list of rings ``[x0, y0, x1, y1, ...]``."""
    little = data[0] == 1
    (kind,) = struct.unpack_from("<I" if little else ">I", data, 1)
    if kind == 3:
        return [_polygon(data, 5, little)[0]]
    if kind != 6:
        raise ValueError(f"unsupported WKB geometry type {kind}")
    (n,) = struct.unpack_from("<I" if little else ">I", data, 5)
    pos, out = 9, []
    for _ in range(n):
        plittle = data[pos] == 1
        poly, pos = _polygon(data, pos + 5, plittle)
        out.append(poly)
    return out


def _ring_test(ring: array, x: float, y: float) -> int:
    """0 outside, 1 strictly inside, 2 on the boundary of a closed ring (even-odd rule)."""
    inside = False
    x1, y1 = ring[-2], ring[-1]
    for i in range(0, len(ring), 2):
        x2, y2 = ring[i], ring[i + 1]
        if y2 == y and x2 == x:
            return 2
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xi == x:
                return 2
            if x < xi:
                inside = not inside
        elif y1 == y == y2 and (x1 <= x <= x2 or x2 <= x <= x1):
            return 2
        x1, y1 = x2, y2
    return 1 if inside else 0


def covers(polygon: list[array], x: float, y: float) -> bool:
    """Whether the polygon (exterior then holes) contains the point or has it on its boundary."""
    if not _ring_test(polygon[0], x, y):
        return False
    return all(_ring_test(hole, x, y) != 1 for hole in polygon[1:])


def _seg_dist2(x, y, x1, y1, x2, y2) -> float:
    dx, dy = x2 - x1, y2 - y1
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    px, py = x1 + t * dx - x, y1 + t * dy - y
    return px * px + py * py


def _distance(polygon: list[array], x: float, y: float) -> float:
    best = math.inf
    for ring in polygon:
        for i in range(0, len(ring) - 2, 2):
            d = _seg_dist2(x, y, ring[i], ring[i + 1], ring[i + 2], ring[i + 3])
            best = min(best, d)
    return math.sqrt(best)


def _bbox(polygon: list[array]) -> tuple[float, float, float, float]:
    ext = polygon[0]
    xs, ys = ext[0::2], ext[1::2]
    return min(xs), min(ys), max(xs), max(ys)


class _Layer:
    """Polygons of one kind in a shard: ``(minx, miny, maxx, maxy, code, polygon)`` rows, by code."""

    __slots__ = ("rows",)

    def __init__(self, codes: list[str], wkbs: list[bytes]):
        rows = []
        for code, wkb in zip(codes, wkbs):
            for poly in parse_wkb(wkb):
                rows.append((*_bbox(poly), code, poly))
        rows.sort(key=lambda r: r[4])
        self.rows = rows

    def hits(self, x: float, y: float) -> list[str]:
        return [r[4] for r in self.rows if r[0] <= x <= r[2] and r[1] <= y <= r[3] and covers(r[5], x, y)]

    def nearest(self, x: float, y: float, max_distance: float) -> tuple[str, float] | None:
        best = None
        for r in self.rows:
            if r[0] - max_distance <= x <= r[2] + max_distance and r[1] - max_distance <= y <= r[3] + max_distance:
                d = _distance(r[5], x, y)
                if d <= max_distance and (best is None or d < best[1]):
                    best = (r[4], d)
        return best


class Shard:
    """The commune and QPV polygons of one grid cell, indexed by bbox."""

    __slots__ = ("communes", "cpts", "qpv_info", "qpvs")

    def __init__(self, raw: bytes):
        data = zlib.decompress(raw)
        nl = data.index(b"\n")
        head = json.loads(data[:nl])
        pos = nl + 1
        cw, qw = [], []
        for _, n in head["c"]:
            cw.append(data[pos:pos + n])
            pos += n
        for _, n, _ in head["q"]:
            qw.append(data[pos:pos + n])
            pos += n
        pw = []
        for _, n in head.get("p", ()):  # CPTS of the communes shared between several CPTS
            pw.append(data[pos:pos + n])
            pos += n
        self.cpts = _Layer([c for c, _ in head.get("p", ())], pw)
        self.communes = _Layer([c for c, _ in head["c"]], cw)
        self.qpvs = _Layer([c for c, _, _ in head["q"]], qw)
        self.qpv_info = {c: info for c, _, info in head["q"]}


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
            return Shard(release.get(layout.locate_shard(key)))
        except NotFound:
            return None

    return release.memo(("locate-shard", key), factory)


def check_point(lon: float, lat: float) -> None:
    """The one check of a WGS84 point (every entry point ends here): OutOfRange naming ``lon`` or ``lat``."""
    if not (isinstance(lon, (int, float)) and math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise OutOfRange("lon doit être un nombre entre -180 et 180.", "lon", "Longitude invalide")
    if not (isinstance(lat, (int, float)) and math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise OutOfRange("lat doit être un nombre entre -90 et 90.", "lat", "Latitude invalide")


def lookup(release, lon: float, lat: float) -> tuple[str, dict | None, dict] | None:
    """``(commune code, qpv info or None, match)`` for a point, or None outside every commune."""
    check_point(lon, lat)
    shard = load_shard(release, shard_key(_index(release)["grid"], lon, lat))
    if shard is None:
        return None
    hits = shard.communes.hits(lon, lat)
    match = {"method": "inside"}
    if hits:
        code = hits[0]  # rows are sorted by code: the lowest code wins on a shared border
    else:
        near = shard.communes.nearest(lon, lat, SNAP_DEG)
        if near is None:
            return None
        code = near[0]
        match = {"method": "nearest", "distance_deg": round(near[1], 6)}
    qpv = None
    qhits = shard.qpvs.hits(lon, lat)
    if qhits:  # a current QPV before an obsolete one, then the lowest code
        best = min(qhits, key=lambda q: (bool(shard.qpv_info[q].get("obsolete")), q))
        qpv = dict(shard.qpv_info[best], code=best)
    return code, qpv, match


def find_commune(release, lon: float, lat: float) -> str | None:
    """INSEE code (COG 2026) of the commune containing the point, or None (sea, abroad).

    Raises :class:`rezone.errors.OutOfRange` for a non-finite or out-of-range coordinate.
    """
    hit = lookup(release, lon, lat)
    return hit[0] if hit else None


def locate(release, lon: float, lat: float) -> dict:
    """The full locate answer of the public contract; OutsideFrance when the point is in no commune."""
    hit = lookup(release, lon, lat)
    if hit is None:
        raise OutsideFrance(f"Le point (lat={lat}, lon={lon}) n'est dans aucune commune couverte "
                            "(en mer, à l'étranger ou hors du périmètre de cette version).", "lat")
    code, qpv, match = hit
    facts = commune_facts(release, code)
    if facts is None:  # shards and facts come from the same build: only a broken release gets here
        raise Unknown(f"La commune {code} n'a pas de fiche dans cette version.", "lat", "Commune inconnue")
    zonage = {p: zone_view(facts["zonage"].get(p), "zonage inconnu pour cette commune") for p in PROFESSIONS}
    if qpv is not None and qpv.get("zonage_medecin"):
        zonage["medecin"] = dict(zone_view(qpv["zonage_medecin"], ""), territory={"level": "qpv", "code": qpv["code"]})
        zonage["medecin"]["commune_zonage"] = zone_view(facts["zonage"].get("medecin"), "zonage inconnu")
    return {
        "commune": {"code": code, "name": facts["name"]},
        "epci": facts.get("epci"),
        "bassin_de_vie": facts.get("bassin_de_vie"),
        **_cpts(release, facts, lon, lat),
        "departement": facts["departement"],
        "region": facts["region"],
        "qpv": qpv,
        "zonage": zonage,
        "flags": {
            "zrr": facts.get("zrr"),
            "zone_rouge": facts.get("zone_rouge"),
            "in_qpv": _in_qpv(release, qpv, facts["region"]["code"]),
        },
        "match": match,
        "release": release.version,
    }


def _cpts(release, facts: dict, lon: float, lat: float) -> dict:
    """The CPTS at the point: the commune's (several for Marseille, Nice, Toulon: the one whose polygon
    covers the point); ``null`` + reason where no CPTS list is loaded (unknown, never "no CPTS")."""
    if "cpts" not in facts or facts["cpts"] is None:
        return {"cpts": None, "cpts_reason": facts.get("cpts_reason") or "liste des CPTS non chargée"}
    found = facts["cpts"]
    if len(found) > 1:
        shard = load_shard(release, shard_key(_index(release)["grid"], lon, lat))
        hits = set(shard.cpts.hits(lon, lat)) if shard is not None else set()
        found = [c for c in found if c["id"] in hits] or found
    return {"cpts": found}


def _in_qpv(release, qpv: dict | None, region: str) -> bool | None:
    """In a current QPV? Unknown (None) where the release has no current QPV polygons."""
    if qpv is not None and not qpv.get("obsolete"):
        return True
    return False if region in _index(release).get("qpv_regions", []) else None

"""The place of an eligibility request: a commune's zone facts, from its code or a point, with a what-if.

:func:`location_facts` resolves a location (commune code, or a point through :mod:`rezone.locate`)
to the commune's facts (``facts/``), applies a simulated zone (:class:`WhatIf`) and returns the
QPV at the point, if any; :func:`location_view` is the ``location`` block of the answer. Errors
are domain errors whose ``param`` names the request field (``location.commune``, ``zone.code``…).
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import ZONE_CODES, ZONE_LABELS
from .errors import DomainError, InvalidInput, OutsideFrance, Unavailable, Unknown
from .facts import commune_facts, zone_view
from .storage import NotFound

__all__ = ["WhatIf", "location_facts", "location_view"]


@dataclass(frozen=True)
class WhatIf:
    """Facts to simulate instead of (or without) a real location."""

    code: str | None = None
    region: str | None = None
    zone_rouge: bool | None = None
    zrr: bool | None = None


def _point_commune(release, lon: float, lat: float) -> tuple[str, dict | None]:
    from .locate import lookup  # only a point needs the locate shards

    try:
        hit = lookup(release, lon, lat)
    except NotFound:
        raise Unavailable("Cette version des données n'a pas l'index de localisation : indiquez le code de la "
                          "commune.", "location", "Localisation indisponible") from None
    except DomainError as exc:  # OutOfRange naming lat or lon
        exc.param = f"location.{exc.param}"
        raise
    if hit is None:
        raise OutsideFrance(f"Le point (lat={lat}, lon={lon}) n'est dans aucune commune couverte.", "location.lat")
    code, qpv, _ = hit
    point_qpv = None
    if qpv and not qpv.get("obsolete"):
        point_qpv = {"code": qpv["code"], "name": qpv.get("name"),
                     "zonage_medecin": (qpv.get("zonage_medecin") or {}).get("code")}
    return code, point_qpv


def location_facts(release, profession: str, commune: str | None = None,
                   point: tuple[float, float] | None = None, what_if: WhatIf | None = None) -> tuple[dict, dict | None]:
    """The facts of the location (``commune`` code, else ``point`` (lon, lat)), ``what_if`` applied, and the
    current QPV at the point, if any."""
    facts: dict = {}
    point_qpv = None
    if commune is not None or point is not None:
        param = "location.commune"
        if commune is None:
            commune, point_qpv = _point_commune(release, *point)
            param = "location.lat"
        found = commune_facts(release, commune)
        if found is None:
            raise Unknown(f"La commune {commune} n'existe pas dans cette version des données.", param,
                          "Commune inconnue")
        facts = dict(found)
    if what_if is not None:
        facts["zonage"] = dict(facts.get("zonage") or {})
        if what_if.code is not None:
            if what_if.code not in ZONE_CODES[profession]:
                raise InvalidInput(f"{what_if.code} n'est pas un code de zone de la profession {profession}.",
                                   "zone.code", "Paramètre invalide")
            facts["zonage"][profession] = {"code": what_if.code, "label": ZONE_LABELS.get(what_if.code),
                                           "source": "simulation", "vintage": None, "reason": None}
            facts["qpv"] = []  # a simulated zone stands for the practice place itself
            point_qpv = None
        if what_if.region is not None:
            facts["region"] = {"code": what_if.region, "name": None}
        if what_if.zone_rouge is not None:
            facts["zone_rouge"] = {"value": what_if.zone_rouge, "source": "simulation"}
        if what_if.zrr is not None:
            facts["zrr"] = {"code": "classee" if what_if.zrr else "non_classee", "label": "simulation"}
    return facts, point_qpv


def location_view(facts: dict, profession: str, simulated: bool) -> dict:
    """The ``location`` block of an eligibility answer."""
    return {
        "commune": {"code": facts.get("code"), "name": facts.get("name")} if facts.get("code") else None,
        "epci": facts.get("epci"),
        "departement": facts.get("departement"),
        "region": facts.get("region"),
        "zonage": {profession: zone_view((facts.get("zonage") or {}).get(profession))},
        "qpv": [{"code": q.get("code"), "name": q.get("name"),
                 "zonage_medecin": (q.get("zonage_medecin") or {}).get("code")}
                for q in facts.get("qpv") or () if not q.get("obsolete")],
        "zrr": facts.get("zrr"),
        "zone_rouge": facts.get("zone_rouge"),
        "simulated": simulated,
    }

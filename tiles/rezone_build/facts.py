"""Release step ``facts``: per-commune zone facts, in small JSON files grouped by code prefix.

``facts/<xyz>.json`` (``rezone.facts.commune_file``: the first three characters of the code) = ``{"<commune code>": {...}}`` with the commune's name, département, région,
EPCI, zonage of every profession (code, label, source, vintage, reason), ZRR class, QPV list (with
their own doctors' zonage), the "zone rouge" status of its EPCI, its bassin de vie and its CPTS
(``null`` + ``cpts_reason`` where no CPTS list is loaded). The query function (locate) and
the eligibility function (zone facts of the practice commune) read these; a cold function reads
one file of ≤ 100 communes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rezone import layout
from rezone.facts import commune_file

from .ingest_cpts import NOT_LOADED_REASON

__all__ = ["build", "commune_facts", "qpvs_by_commune"]


def _zv(z):
    return None if z is None else asdict(z)


def qpvs_by_commune(ds) -> dict[str, list]:
    """Commune code → the QPVs touching it (one pass over the QPVs)."""
    out: dict[str, list] = {}
    for q in ds.qpvs.values():
        for code in q.communes:
            out.setdefault(code, []).append(q)
    return out


def _cpts(ds, c) -> dict:
    if c.cpts is None:
        return {"cpts": None, "cpts_reason": NOT_LOADED_REASON}
    return {"cpts": [{"id": k, "name": ds.cpts[k].name, "partial": c.code in ds.cpts[k].partial_communes,
                      "source": ds.cpts[k].source, "vintage": ds.cpts[k].vintage}
                     for k in c.cpts if k in ds.cpts]}


def _bv(ds, c) -> dict | None:
    bv = c.bassin_de_vie
    if bv is None or not bv.value:
        return None
    b = ds.bassins_de_vie.get(bv.value)
    return {"code": bv.value, "name": b.name if b else None, "source": bv.source, "vintage": bv.vintage}


def commune_facts(ds, c, qpvs: list) -> dict:
    epci = ds.epcis.get(c.epci) if c.epci else None
    dep = ds.departements.get(c.departement)
    reg = ds.regions.get(c.region)
    return {
        "code": c.code,
        "name": c.name,
        "departement": {"code": c.departement, "name": dep.name if dep else None},
        "region": {"code": c.region, "name": reg.name if reg else None},
        "epci": {"code": epci.code, "name": epci.name} if epci else None,
        "population": c.population,
        "center": list(c.center) if c.center else None,
        "zonage": {p: _zv(z) for p, z in c.zonage.items()},
        "zrr": _zv(c.zrr),
        "zone_rouge": asdict(epci.zone_rouge) if epci and epci.zone_rouge else None,
        "qpv": [
            {"code": q.code, "name": q.name, "generation": q.generation, "obsolete": q.obsolete,
             "zonage_medecin": _zv(q.zonage_medecin)}
            for q in qpvs
        ],
        "bassin_de_vie": _bv(ds, c),
        **_cpts(ds, c),
    }


def build(ds, out: Path, ctx) -> dict:
    qpvs = qpvs_by_commune(ds)
    groups: dict[str, dict] = {}
    for c in ds.communes.values():
        groups.setdefault(commune_file(c.code), {})[c.code] = commune_facts(ds, c, qpvs.get(c.code, []))
    (out / layout.FACTS_DIR).mkdir(parents=True, exist_ok=True)
    for name, facts in groups.items():
        (out / layout.facts(name)).write_text(json.dumps(facts, ensure_ascii=False, separators=(",", ":")))
    return {"files": len(groups), "communes": sum(len(v) for v in groups.values())}

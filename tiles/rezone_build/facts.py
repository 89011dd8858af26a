"""Release step ``facts``: per-commune zone facts, one small JSON per département.

``facts/<dep>.json`` = ``{"<commune code>": {...}}`` with the commune's name, département, région,
EPCI, zonage of every profession (code, label, source, vintage, reason), ZRR class, QPV list (with
their own doctors' zonage) and the "zone rouge" status of its EPCI. The query function (locate) and
the eligibility function (zone facts of the practice commune) read these; a cold function reads
one file of a few hundred KB at most.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rezone.facts import dep_of

__all__ = ["build", "commune_facts"]


def _zv(z):
    return None if z is None else asdict(z)


def commune_facts(ds, c) -> dict:
    epci = ds.epcis.get(c.epci) if c.epci else None
    qpvs = [q for q in ds.qpvs.values() if c.code in q.communes]
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
    }


def build(ds, out: Path, ctx) -> dict:
    by_dep: dict[str, dict] = {}
    for c in ds.communes.values():
        by_dep.setdefault(dep_of(c.code), {})[c.code] = commune_facts(ds, c)
    d = out / "facts"
    d.mkdir(parents=True, exist_ok=True)
    for dep, facts in by_dep.items():
        (d / f"{dep}.json").write_text(json.dumps(facts, ensure_ascii=False, separators=(",", ":")))
    return {"files": len(by_dep), "communes": sum(len(v) for v in by_dep.values())}

"""Release step ``query``: the precomputed data the query function serves, under ``query/``.

- ``query/locate/index.json`` + ``query/locate/<ix>_<iy>.bin``: commune and QPV polygons cut
  along a regular lon/lat grid (:data:`LOCATE_GRID` degrees), one zlib'd shard per non-empty cell
  (a JSON header line then WKB), read by :mod:`rezone.locate`.
- ``query/search/n/<b>.json`` and ``query/search/d/<dd>.json``: the commune search index
  (normalised names; INSEE and postal codes), read by :mod:`rezone.search`.
- ``query/territories/<level>/...``: each territory's own figures (value, unit, source, vintage),
  composed with the enclosing levels at serve time by :mod:`rezone.territories`.
- ``query/facilities/index.json`` + ``query/facilities/<ix>_<iy>.json``: facilities per grid cell
  (:data:`FACILITY_GRID` degrees) for bbox queries, read by :mod:`rezone.facilities`.
"""

from __future__ import annotations

import json
import math
import statistics
import zlib
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import shapely
from rezone import layout
from rezone.constants import PROFESSIONS
from rezone.search import bucket_of, name_keys
from rezone.territories import commune_file
from shapely.geometry import MultiPolygon, Polygon, box

from .ingest_cpts import NOT_LOADED_REASON
from .query_card import (
    BPE_META,
    NEAREST_META,
    NO_DENSITY_REASON,
    PROFESSION_DENSITY,
    CardFigures,
    _fig,
    nearest_services,
)

__all__ = [
    "FACILITY_GRID",
    "LOCATE_GRID",
    "build",
    "build_facilities",
    "build_locate",
    "build_search",
    "build_territories",
]

LOCATE_GRID = 0.25
FACILITY_GRID = 0.5
POPULATION_SOURCE = "decoupage-administratif"


def _write_json(path: Path, obj) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    path.write_bytes(data)
    return len(data)


# --------------------------------------------------------------------------- locate shards

def _polygonal(geom):
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty and p.area > 0]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _cut(geom, grid: float):
    """``{(ix, iy): part}``: the polygonal parts of ``geom`` in each grid cell it touches."""
    minx, miny, maxx, maxy = geom.bounds
    x0, x1 = math.floor(minx / grid), math.floor(maxx / grid)
    y0, y1 = math.floor(miny / grid), math.floor(maxy / grid)
    if x0 == x1 and y0 == y1:
        return {(x0, y0): geom}
    out = {}
    for ix in range(x0, x1 + 1):
        for iy in range(y0, y1 + 1):
            part = _polygonal(geom.intersection(box(ix * grid, iy * grid, (ix + 1) * grid, (iy + 1) * grid)))
            if part is not None:
                out[(ix, iy)] = part
    return out


def _qpv_info(q) -> dict:
    return {"name": q.name, "generation": q.generation, "obsolete": q.obsolete, "communes": q.communes,
            "zonage_medecin": asdict(q.zonage_medecin) if q.zonage_medecin else None,
            "source": q.source, "vintage": q.vintage}


def build_locate(ds, out: Path, grid: float = LOCATE_GRID) -> dict:
    cells: dict[tuple[int, int], dict[str, list]] = defaultdict(lambda: {"c": [], "q": [], "p": []})
    for c in ds.communes.values():
        if c.geometry is None or c.geometry.is_empty:
            continue
        for cell, part in _cut(c.geometry, grid).items():
            cells[cell]["c"].append((c.code, part))
    qpv_regions = set()
    for q in ds.qpvs.values():
        if q.geometry is None or q.geometry.is_empty:
            continue
        if not q.obsolete:
            qpv_regions.update(ds.communes[k].region for k in q.communes if k in ds.communes)
        info = _qpv_info(q)
        for cell, part in _cut(q.geometry, grid).items():
            cells[cell]["q"].append((q.code, part, info))
    # CPTS polygons, only for the communes shared between several CPTS (Marseille, Nice, Toulon):
    # elsewhere the commune's CPTS list (facts) already answers.
    shared = {k for k, c in ds.communes.items() if c.cpts and len(c.cpts) > 1}
    for cp in ds.cpts.values():
        if cp.geometry is None or cp.geometry.is_empty or not shared.intersection(cp.communes):
            continue
        for cell, part in _cut(cp.geometry, grid).items():
            cells[cell]["p"].append((cp.id, part))
    (out / layout.LOCATE_DIR).mkdir(parents=True, exist_ok=True)
    shards = {}
    for (ix, iy), content in sorted(cells.items()):
        if not content["c"]:
            continue  # QPV polygons always lie in communes
        comm = sorted(content["c"], key=lambda t: t[0])
        qpvs = sorted(content["q"], key=lambda t: t[0])
        cpts = sorted(content["p"], key=lambda t: t[0])
        wkbs = ([shapely.to_wkb(g) for _, g in comm] + [shapely.to_wkb(g) for _, g, _ in qpvs]
                + [shapely.to_wkb(g) for _, g in cpts])
        head = {"c": [[code, len(w)] for (code, _), w in zip(comm, wkbs)],
                "q": [[code, len(w), info] for (code, _, info), w in zip(qpvs, wkbs[len(comm):])]}
        if cpts:
            head["p"] = [[cid, len(w)] for (cid, _), w in zip(cpts, wkbs[len(comm) + len(qpvs):])]
        raw = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + b"".join(wkbs)
        data = zlib.compress(raw, 6)
        key = f"{ix}_{iy}"
        (out / layout.locate_shard(key)).write_bytes(data)
        bounds = shapely.total_bounds([g for _, g in comm])
        shards[key] = [round(float(b), 5) for b in bounds] + [len(data), len(comm), len(qpvs)]
    index = {"grid": grid, "format": "zlib(json header line + WKB)", "columns":
             ["minx", "miny", "maxx", "maxy", "bytes", "communes", "qpv"], "shards": shards,
             "qpv_regions": sorted(qpv_regions)}
    _write_json(out / layout.LOCATE_INDEX, index)
    sizes = sorted(v[4] for v in shards.values())
    return {"shards": len(shards), "max_bytes": sizes[-1] if sizes else 0,
            "median_bytes": sizes[len(sizes) // 2] if sizes else 0, "qpv_regions": sorted(qpv_regions)}


# --------------------------------------------------------------------------- search index

def _record(ds, c) -> dict:
    dep = ds.departements.get(c.departement)
    return {"code": c.code, "name": c.name,
            "departement": {"code": c.departement, "name": dep.name if dep else None},
            "postal_codes": list(c.postal_codes), "population": c.population,
            "center": {"lon": round(c.center[0], 5), "lat": round(c.center[1], 5)} if c.center else None}


def build_search(ds, out: Path) -> dict:
    """Search shards: sorted keys, per key the records it names (``entries``) or names without their
    article (``alt``); records sorted by population, descending, so a lower index ranks higher."""
    shards: dict[tuple[str, str], dict] = {}

    def add(kind: str, bucket: str, key: str, code: str, alt: bool = False) -> None:
        sh = shards.setdefault((kind, bucket), defaultdict(lambda: (set(), set())))
        sh[key][1 if alt else 0].add(code)

    for c in ds.communes.values():
        for i, key in enumerate(name_keys(c.name)):
            if key:
                add("n", bucket_of(key), key, c.code, alt=i > 0)
        for code in {c.code, *c.postal_codes}:
            add("d", code[:2], code, c.code)
    for (kind, bucket), sh in shards.items():
        codes = sorted({code for sets in sh.values() for s in sets for code in s},
                       key=lambda k: (-(ds.communes[k].population or 0), k))
        pos = {code: i for i, code in enumerate(codes)}
        keys = sorted(sh)
        _write_json(out / layout.search_bucket(kind, bucket), {
            "keys": keys,
            "entries": [sorted(pos[code] for code in sh[k][0]) for k in keys],
            "alt": [sorted(pos[code] for code in sh[k][1]) for k in keys],
            "records": [_record(ds, ds.communes[code]) for code in codes],
        })
    return {"shards": len(shards), "communes": len(ds.communes)}


# --------------------------------------------------------------------------- territories

def _vintage(ds, source: str) -> str | None:
    s = ds.sources.get(source)
    return s.vintage if s else None


def _val(v) -> dict:
    return _fig(v.value, v.unit, v.source, v.vintage, v.reason)


def _many(communes, method: str) -> str | None:
    """The aggregation method of a figure over several communes (none for one commune's own figure)."""
    return method if len(communes) > 1 else None


class _Agg:
    """Figures of a set of communes: population, APL, zonage shares, establishments."""

    def __init__(self, ds, fac_by_commune):
        self.ds = ds
        self.fac = fac_by_commune
        self.pop_vintage = _vintage(ds, POPULATION_SOURCE)

    def population(self, communes, declared: int | None = None) -> dict:
        if declared is not None:
            return _fig(declared, "habitants", POPULATION_SOURCE, self.pop_vintage)
        pops = [c.population for c in communes if c.population is not None]
        if not pops:
            return _fig(None, "habitants", POPULATION_SOURCE, self.pop_vintage, "population inconnue")
        return _fig(sum(pops), "habitants", POPULATION_SOURCE, self.pop_vintage,
                    method=_many(communes, "somme des populations légales des communes"))

    def apl(self, communes, year: str) -> dict:
        num = den = 0.0
        src = vint = None
        unit = "consultations/an/habitant"
        n = 0
        for c in communes:
            v = c.apl.get(year)
            if v is None:
                continue
            src, vint, unit = v.source, v.vintage, v.unit or unit
            if v.value is not None and c.population:
                num += v.value * c.population
                den += c.population
                n += 1
        if den == 0:
            return _fig(None, unit, src or "apl", vint or year, f"aucune valeur d'APL {year} pour ces communes")
        return _fig(round(num / den, 3), unit, src, vint,
                    method=_many(communes, f"moyenne des APL communaux pondérée par la population légale ({n} communes)"))

    def zonage_shares(self, communes, profession: str) -> dict:
        pops: dict[str, float] = defaultdict(float)
        total = 0
        src = vint = None
        for c in communes:
            z = c.zonage.get(profession)
            p = c.population or 0
            total += p
            if z is not None:
                src, vint = z.source, z.vintage
            pops[(z.code if z and z.code else "inconnu")] += p
        if not total:
            return _fig(None, "part de la population", src, vint, "population inconnue")
        return _fig({k: round(v / total, 4) for k, v in sorted(pops.items())}, "part de la population",
                    src, vint, method=_many(communes, "population légale des communes de chaque classe / population totale"))

    def facilities(self, communes) -> dict:
        counts: dict[str, int] = defaultdict(int)
        srcs = set()
        for c in communes:
            for f in self.fac.get(c.code, ()):
                counts[f.type] += 1
                srcs.add((f.source, f.vintage))
        return _fig(dict(sorted(counts.items())), "établissements",
                    ",".join(sorted({s for s, _ in srcs})) or "etablissements-sae",
                    ",".join(sorted({v for _, v in srcs})) or _vintage(self.ds, "etablissements-sae"),
                    method="établissements des sources chargées, comptés par commune d'implantation")

    def figures(self, communes, declared_pop: int | None = None) -> dict:
        f = {"population": self.population(communes, declared_pop)}
        a22, a23 = self.apl(communes, "2022"), self.apl(communes, "2023")
        f["apl_mg_2022"], f["apl_mg_2023"] = a22, a23
        if a22["value"] is not None and a23["value"] is not None:
            f["apl_mg_trend"] = _fig(round(a23["value"] - a22["value"], 3), a23["unit"],
                                     a23["source"], f"{a22['vintage']} → {a23['vintage']}",
                                     method="APL 2023 − APL 2022")
        else:
            f["apl_mg_trend"] = _fig(None, a23["unit"], a23["source"], a23["vintage"],
                                     "APL 2022 ou 2023 manquant")
        for p in PROFESSIONS:
            f[f"zonage_{p}"] = self.zonage_shares(communes, p)
        f["etablissements"] = self.facilities(communes)
        return f


def _quartile(value, thresholds) -> int | None:
    if value is None or not thresholds:
        return None
    return 1 + sum(value > t for t in thresholds)


def _sum_indicators(rows: list[dict]) -> dict:
    """Département indicators summed over départements, for count-like units only."""
    out = {}
    keys = sorted({k for r in rows for k in r})
    for k in keys:
        vals = [r.get(k) for r in rows]
        if any(v is None for v in vals):
            continue
        unit = vals[0].unit or ""
        if "nombre" not in unit.lower() and unit.lower() not in ("count", "habitants"):
            continue
        if any(v.value is None for v in vals):
            out[k] = _fig(None, unit, vals[0].source, vals[0].vintage, "valeur manquante pour un département")
        else:
            out[k] = _fig(sum(v.value for v in vals), unit, vals[0].source, vals[0].vintage,
                          method=f"somme de {len(vals)} départements")
    return out


def _bv_tables(ds) -> dict[str, dict]:
    """Other indicator tables keyed by a pole commune code (the APL by bassin de vie canton-ville), shown
    for pole communes only; the BV2022 table is joined to every commune through its bassin de vie."""
    return {k: v for k, v in ds.indicators.items() if k.startswith("bassin_de_vie_") and v}


def _indicators(row: dict) -> dict:
    """An indicator row without its label entry (``name``)."""
    return {k: v for k, v in row.items() if k != "name"}


def build_territories(ds, out: Path) -> dict:
    """Each territory's own figures; enclosing levels, figures published only at an enclosing level and
    figures no source provides are added at serve time (:func:`rezone.territories.territory`)."""
    fac_by_commune = defaultdict(list)
    for f in ds.facilities:
        if f.commune:
            fac_by_commune[f.commune].append(f)
    agg = _Agg(ds, fac_by_commune)
    card = CardFigures(ds)
    nearest = nearest_services(ds)
    by_epci, by_dep, by_reg = defaultdict(list), defaultdict(list), defaultdict(list)
    by_bv = defaultdict(list)
    for c in ds.communes.values():
        if c.bassin_de_vie is not None and c.bassin_de_vie.value:
            by_bv[c.bassin_de_vie.value].append(c)
        if c.epci:
            by_epci[c.epci].append(c)
        by_dep[c.departement].append(c)
        by_reg[c.region].append(c)
    dep_ind = {k: _indicators(v) for k, v in ds.indicators.get("departement", {}).items()}
    bv_tables = _bv_tables(ds)
    scope = ds.scope
    partial = (f"version limitée aux départements {','.join(scope)} : agrégats partiels" if scope else None)

    apl23 = sorted(v.value for c in ds.communes.values()
                   if (v := c.apl.get("2023")) is not None and v.value is not None)
    thresholds = [round(t, 4) for t in statistics.quantiles(apl23, n=4, method="inclusive")] if len(apl23) >= 2 else []
    quartile_scope = {"thresholds": thresholds, "communes": len(apl23),
                      "meaning": "1 = quart des communes au plus faible APL 2023, 4 = au plus élevé",
                      "scope": "France entière" if not scope else f"communes des départements {','.join(scope)}"}
    _write_json(out / layout.TERRITORIES_META, {"quartiles": {"apl_mg_2023": quartile_scope},
                                    "bassin_de_vie_tables": sorted(bv_tables),
                                    "profession_density": {p: (f"bv.{k}" if k else None)
                                                           for p, k in PROFESSION_DENSITY.items()},
                                    "bpe": BPE_META,
                                    "nearest": dict(NEAREST_META, scope=partial)})

    def card_figs(communes, dep_code=None) -> dict:
        figs = card.bv_weighted(communes, dep_code)
        figs.update(card.bpe(communes))
        figs.update(card.cpts(communes))
        figs.update(card.optional(communes))
        figs.update(card.kinds([f for c in communes for f in fac_by_commune.get(c.code, ())]))
        return figs

    def density_map(prefix_ok) -> dict:
        return {p: ({"figure": f"bv.{k}"} if k and prefix_ok else
                    {"figure": None, "reason": NO_DENSITY_REASON if not k else "pas de bassin de vie"})
                for p, k in PROFESSION_DENSITY.items()}

    def parents(c) -> dict:
        par = {"epci": c.epci}
        if c.bassin_de_vie is not None and c.bassin_de_vie.value:
            par["bassin_de_vie"] = c.bassin_de_vie.value
        par.update({"departement": c.departement, "region": c.region, "france": "FR"})
        if c.extra.get("tvs"):
            par["tvs"] = c.extra["tvs"]
        return par

    # communes, grouped by the first three characters of their code (≤ 100 per file)
    by_file = defaultdict(list)
    for c in ds.communes.values():
        by_file[commune_file(c.code)].append(c)
    n = 0
    for key, communes in by_file.items():
        table = {}
        for c in communes:
            figs = agg.figures([c])
            a = figs["apl_mg_2023"]
            if a["value"] is not None:
                a["quartile"] = _quartile(a["value"], thresholds)
            bv = c.bassin_de_vie.value if c.bassin_de_vie else None
            if not bv:  # else the BV's own figures, added at serve time from the bassin_de_vie parent
                figs.update({k: dict(v, value=None, reason=c.bassin_de_vie.reason if c.bassin_de_vie
                                     else "pas de bassin de vie") for k, v in card.bv_weighted([]).items()})
            figs.update(card.bpe([c]))
            figs.update(card.cpts([c]))
            figs.update(card.optional([c]))
            figs.update(card.kinds(fac_by_commune.get(c.code, ())))
            rec = {"level": "commune", "code": c.code, "name": c.name, "parents": parents(c), "figures": figs}
            rec.update(_commune_card(ds, c, nearest.get(c.code)))
            rec["profession_density"] = density_map(bool(bv))
            for tname, rows in bv_tables.items():
                row = rows.get(c.code)
                if row is not None:
                    name = row.get("name")
                    rec[tname] = {"code": c.code, "name": name.value if name else None,
                                  "note": "commune pôle de ce bassin de vie (code du BV = code INSEE de sa commune "
                                          "pôle) : chiffres du bassin de vie, pas de la commune seule",
                                  "figures": {k: _val(v) for k, v in _indicators(row).items()}}
            table[c.code] = rec
            n += 1
        _write_json(out / layout.territory_communes(key), table)

    def write(level: str, code: str, name: str, communes, figs: dict, par: dict, extra: dict | None = None):
        rec = {"level": level, "code": code, "name": name, "parents": par, "figures": figs,
               "communes_count": len(communes)}
        if partial:
            rec["partial"] = partial
        rec.update(extra or {})
        _write_json(out / layout.territory(level, code), rec)
        _write_json(out / layout.territory_members(level, code),
                    {"communes": sorted(({"code": c.code, "name": c.name} for c in communes),
                                        key=lambda m: m["code"])})

    for code, e in ds.epcis.items():
        communes = by_epci.get(code, [])
        if not communes:
            continue
        deps = defaultdict(int)
        for c in communes:
            deps[c.departement] += c.population or 0
        main_dep = max(deps, key=deps.get)
        figs = agg.figures(communes, None if scope else e.population)
        figs.update(card_figs(communes))
        zr = asdict(e.zone_rouge) if e.zone_rouge else None
        write("epci", code, e.name, communes, figs,
              {"departement": main_dep, "region": communes[0].region, "france": "FR"},
              {"type": e.type, "zone_rouge": zr, "departements": sorted(deps)})
    for code, d in ds.departements.items():
        communes = by_dep.get(code, [])
        if not communes:
            continue
        figs = agg.figures(communes, d.population)
        figs.update(card_figs(communes, code))
        figs.update({f"departement.{k}": _val(v) for k, v in dep_ind.get(code, {}).items()})
        write("departement", code, d.name, communes, figs, {"region": d.region, "france": "FR"})
    for code, r in ds.regions.items():
        communes = by_reg.get(code, [])
        if not communes:
            continue
        deps = sorted(k for k, d in ds.departements.items() if d.region == code and k in by_dep)
        figs = agg.figures(communes, None if scope else r.population)
        figs.update(card_figs(communes))
        figs.update({f"departement.{k}": v for k, v in
                     _sum_indicators([dep_ind[d] for d in deps if d in dep_ind]).items()})
        write("region", code, r.name, communes, figs, {"france": "FR"}, {"departements": deps})
    allc = list(ds.communes.values())
    figs = agg.figures(allc)
    figs.update(card_figs(allc))
    figs.update({f"departement.{k}": v for k, v in
                 _sum_indicators([dep_ind[d] for d in sorted(by_dep) if d in dep_ind]).items()})
    write("france", "FR", "France", allc, figs, {}, {"regions": sorted(by_reg)})
    for code, communes in by_bv.items():
        b = ds.bassins_de_vie.get(code)
        deps = defaultdict(int)
        for c in communes:
            deps[c.departement] += c.population or 0
        main_dep = max(sorted(deps), key=deps.get)
        figs = agg.figures(communes)
        figs.update(card_figs(communes))
        figs.update(card.bv_own(code))
        write("bassin_de_vie", code, b.name if b else code, communes, figs,
              {"departement": main_dep, "region": ds.departements[main_dep].region if main_dep in
               ds.departements else communes[0].region, "france": "FR"},
              {"departements": sorted(deps), "source": "communes-bassins-de-vie",
               "vintage": "BV2022 (COG 2024)", "profession_density": density_map(True),
               "parents_note": "département et région : ceux où vit la plus grande part de la population du "
                               "bassin de vie"})
    tvs = _build_tvs(ds, out, agg)
    return {"communes": n, "epci": len(by_epci), "departement": len(by_dep), "region": len(by_reg),
            "bassin_de_vie": len(by_bv), "tvs": tvs, "apl_quartiles": thresholds}


def _commune_card(ds, c, near: dict | None) -> dict:
    """The commune's bassin de vie, CPTS and nearest services (not figures: named places)."""
    out = {}
    bv = c.bassin_de_vie
    if bv is not None and bv.value:
        b = ds.bassins_de_vie.get(bv.value)
        out["bassin_de_vie"] = {"code": bv.value, "name": b.name if b else None, "source": bv.source,
                                "vintage": bv.vintage, "method": c.extra.get("bassin_de_vie_method"),
                                "parts": c.extra.get("bassin_de_vie_parts")}
    else:
        out["bassin_de_vie"] = None
        out["bassin_de_vie_reason"] = bv.reason if bv is not None else "table des bassins de vie non chargée"
    if c.cpts is None:
        out["cpts"] = None
        out["cpts_reason"] = NOT_LOADED_REASON
    else:
        out["cpts"] = [{"id": k, "name": ds.cpts[k].name, "partial": c.code in ds.cpts[k].partial_communes,
                        "site": ds.cpts[k].site, "source": ds.cpts[k].source, "vintage": ds.cpts[k].vintage}
                       for k in c.cpts if k in ds.cpts]
    out["nearest"] = near
    return out


def _build_tvs(ds, out: Path, agg) -> int:
    """TVS territories when the optional DREES table is loaded (``Commune.extra["tvs"]``)."""
    if (ds.optional.get("tvs") or {}).get("status") != "loaded":
        return 0
    members = defaultdict(list)
    for c in ds.communes.values():
        if c.extra.get("tvs"):
            members[c.extra["tvs"]].append(c)
    for code, communes in members.items():
        z = next((c.extra["zonage_tvs"] for c in communes if c.extra.get("zonage_tvs")), None)
        rec = {"level": "tvs", "code": code, "name": code, "parents": {"france": "FR"},
               "figures": agg.figures(communes), "communes_count": len(communes),
               "zonage_tvs": asdict(z) if z else None}
        _write_json(out / layout.territory("tvs", code), rec)
        _write_json(out / layout.territory_members("tvs", code),
                    {"communes": sorted(({"code": c.code, "name": c.name} for c in communes),
                                        key=lambda m: m["code"])})
    return len(members)


# --------------------------------------------------------------------------- facilities

def build_facilities(ds, out: Path, grid: float = FACILITY_GRID) -> dict:
    cells = defaultdict(list)
    types = defaultdict(int)
    kinds = defaultdict(int)
    skipped = 0
    for f in sorted(ds.facilities, key=lambda f: f.id):
        if f.lon is None or f.lat is None or not (math.isfinite(f.lon) and math.isfinite(f.lat)):
            skipped += 1
            continue
        types[f.type] += 1
        kinds[f.kind or "autre"] += 1
        cells[f"{math.floor(f.lon / grid)}_{math.floor(f.lat / grid)}"].append({
            "id": f.id, "finess": f.finess, "name": f.name, "type": f.type, "category": f.category,
            "kind": f.kind or "autre",
            "commune": f.commune, "lon": round(f.lon, 6), "lat": round(f.lat, 6), "precision": f.precision,
            "public": f.public, "source": f.source, "vintage": f.vintage,
        })
    for key, feats in cells.items():
        _write_json(out / layout.facilities_cell(key), feats)
    _write_json(out / layout.FACILITIES_INDEX, {"grid": grid, "cells": {k: len(v) for k, v in sorted(cells.items())},
                                                "types": dict(sorted(types.items())),
                                                "kinds": dict(sorted(kinds.items()))})
    return {"cells": len(cells), "facilities": sum(types.values()), "without_coordinates": skipped}


def build(ds, out: Path, ctx) -> dict:
    res = {"locate": build_locate(ds, out)}
    ctx.say(f"[query] locate: {res['locate']['shards']} shards")
    res["search"] = build_search(ds, out)
    res["territories"] = build_territories(ds, out)
    res["facilities"] = build_facilities(ds, out)
    ctx.say(f"[query] territories: {res['territories']['communes']} communes; "
            f"facilities: {res['facilities']['facilities']}")
    return res

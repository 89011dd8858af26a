"""``ingest()``: the real source files → one validated :class:`~rezone_build.model.Dataset` (COG 2026).

Each source has its own module (``ingest_communes``, ``ingest_zonage``, ``ingest_admin``, ...);
this module runs them in order, restricted to ``departements`` when given, and assembles the
data-quality report (``Dataset.quality``, printed at the end when ``progress`` is true).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

from rezone.constants import PROFESSIONS

from .cog import load_cog
from .ingest_admin import load_departements, load_epcis, load_regions
from .ingest_apl import load_apl
from .ingest_communes import load_centers, load_communes, load_geometries
from .ingest_cpts import load_cpts
from .ingest_facilities import CommuneLocator, load_facilities
from .ingest_indicators import load_indicators
from .ingest_insee import load_bassins_de_vie, load_bpe
from .ingest_qpv import load_qpvs
from .ingest_zonage import NameIndex, load_zonage, population_by_code
from .ingest_zones_rouges import load_zones_rouges
from .loaders_optional import load_optional
from .model import Dataset, SourceInfo
from .quality import QualityReport, format_report
from .sources import open_sources

__all__ = ["UNUSED_SOURCES", "ingest"]

# Mirror sources this ingest does not read (not listed in Dataset.sources).
UNUSED_SOURCES: tuple[str, ...] = ()


def _summary(ds: Dataset, q: QualityReport, excluded_com: int) -> dict:
    n = len(ds.communes)
    cs = ds.communes.values()
    doc = sum(1 for c in cs if c.zonage.get("medecin") and c.zonage["medecin"].label is not None)
    s = {
        "communes": n,
        "with_geometry": sum(1 for c in cs if c.geometry is not None),
        "with_center": sum(1 for c in cs if c.center is not None),
        "with_departement_region_population": sum(
            1 for c in cs if c.departement and c.region and c.population is not None
        ),
        "with_epci": sum(1 for c in cs if c.epci),
        "doctors_zonage": doc,
        "doctors_zonage_pct": round(100 * doc / n, 2) if n else None,
        # … of which the source gives a zone (not "N/A - résultat non disponible")
        "doctors_zonage_with_zone_pct": round(
            100 * sum(1 for c in cs if c.zonage.get("medecin") and c.zonage["medecin"].code) / n, 2
        )
        if n
        else None,
    }
    for p in PROFESSIONS[1:]:
        k = sum(1 for c in cs if c.zonage.get(p) and c.zonage[p].label is not None)
        s[f"{p}_zonage_pct"] = round(100 * k / n, 2) if n else None
    doc_rows = q.sources.get("zonage-medecins/zonmed_enrichi_final.csv")
    if doc_rows is not None:
        s["doctors_rows_read"] = doc_rows.read
        s["doctors_rows_matched"] = doc_rows.matched
        s["doctors_rows_ambiguous"] = doc_rows.rejected.get("ambiguous", 0)
        s["doctors_rows_unmatched"] = doc_rows.rejected.get("unmatched", 0)
    s["with_zrr"] = sum(1 for c in cs if c.zrr is not None and c.zrr.code is not None)
    s["with_apl_2023"] = sum(1 for c in cs if "2023" in c.apl and c.apl["2023"].value is not None)
    s["with_bassin_de_vie"] = sum(1 for c in cs if c.bassin_de_vie is not None and c.bassin_de_vie.value)
    s["bassin_de_vie_via_most_populous_part"] = sum(1 for c in cs if "bassin_de_vie_parts" in c.extra)
    s["with_bpe"] = sum(1 for c in cs if c.bpe is not None)
    s["in_a_cpts"] = sum(1 for c in cs if c.cpts)
    s.update(
        {
            "departements": len(ds.departements),
            "regions": len(ds.regions),
            "epcis": len(ds.epcis),
            "qpvs": len(ds.qpvs),
            "bassins_de_vie": len(ds.bassins_de_vie),
            "cpts": len(ds.cpts),
            "facilities": len(ds.facilities),
            "excluded_collectivites_outre_mer": excluded_com,
        }
    )
    return s


def ingest(
    sources_dir=None, departements: list[str] | None = None, cache_dir=None, progress: bool = True
) -> Dataset:
    """Build the Dataset from the sources (all of France incl. DROM, or only ``departements``).

    The cyclic garbage collector is paused while parsing (millions of small, acyclic objects make
    it rescan the heap over and over: ~20 % of the time); it is restored on return.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _ingest(sources_dir, departements, cache_dir, progress)
    finally:
        if gc_was_enabled:
            gc.enable()


def _ingest(sources_dir, departements, cache_dir, progress) -> Dataset:
    from tqdm import tqdm

    t0 = time.perf_counter()
    src = open_sources(sources_dir, cache_dir)
    deps = {d.strip().upper() for d in departements} if departements else None
    q = QualityReport()
    steps = [
        "cog",
        "communes",
        "geometry",
        "centers",
        "zonage",
        "apl",
        "admin",
        "facilities",
        "qpv",
        "indicators",
        "insee",
        "optional",
    ]
    bar = tqdm(total=len(steps), desc="ingest", unit="step", disable=not progress)

    timings: dict[str, float] = {}
    last = [time.perf_counter()]

    def step(name):
        now = time.perf_counter()
        timings[name] = round(now - last[0], 2)
        last[0] = now
        bar.set_postfix_str(name)
        bar.update(1)

    cog = load_cog(src)
    step("cog")
    if deps is not None:
        unknown = sorted(d for d in deps if not any(r["departement"] == d for r in cog.current.values()))
        if unknown:
            raise ValueError(f"unknown département code(s): {', '.join(unknown)}")
    communes = load_communes(cog, src, deps, q)
    step("communes")
    load_geometries(communes, cog, src, deps, q, progress=progress)
    step("geometry")
    load_centers(communes, cog, src, q)
    step("centers")
    pop = population_by_code(cog, src)
    names = NameIndex(cog, src, set(communes) if deps else None)
    load_zonage(communes, cog, src, q, pop, names)
    step("zonage")
    load_apl(communes, cog, src, q)
    step("apl")
    dep_objs = load_departements(cog, src, deps, q)
    regions = load_regions(cog, dep_objs, src, q)
    epcis = load_epcis(communes, src, q)
    load_zones_rouges(epcis, src, q)
    step("admin")
    locator = CommuneLocator(communes, names)
    facilities = load_facilities(communes, cog, src, q, names, locator)
    step("facilities")
    qpvs = load_qpvs(communes, cog, src, q, locator)
    step("qpv")
    indicators = load_indicators(src, deps, q)
    step("indicators")
    bassins = load_bassins_de_vie(communes, cog, src, q, pop)
    load_bpe(communes, cog, src, q)
    cpts = load_cpts(communes, cog, src, q)
    step("insee")
    ds = Dataset(
        communes=communes,
        departements=dep_objs,
        regions=regions,
        epcis=epcis,
        qpvs=qpvs,
        facilities=facilities,
        sources={s: src.info(s) for s in src.by_id if s not in UNUSED_SOURCES},
        indicators=indicators,
        scope=sorted(deps) if deps else None,
        bassins_de_vie=bassins,
        cpts=cpts,
    )
    geo = src.info("etablissements-geolocalises")
    ds.sources["hopitaux-france"] = SourceInfo(
        "hopitaux-france",
        "French hospitals (FINESS extraction of 6 March 2020, Eurostat basic-services)",
        geo.license,
        "2020",
        geo.upstream,
    )
    ds.sources["haute-garonne"] = SourceInfo(
        "haute-garonne",
        "FINESS structures of Haute-Garonne (file dated 2026-08-10)",
        geo.license,
        "2026",
        geo.upstream,
    )
    load_optional(ds, cog, src, q)
    step("optional")
    bar.close()

    q.summary = _summary(ds, q, len(cog.excluded_com))
    q.summary["ingest_seconds"] = round(time.perf_counter() - t0, 2)
    q.sections["timings_s"] = timings
    ds.quality = q.to_dict()
    src.save()
    if progress:
        print(format_report(ds.quality), flush=True)
    return ds


def _main() -> None:  # python -m rezone_build.ingest [deps...]
    import sys

    ingest(None, sys.argv[1:] or None, Path(".rezone/cache"))


if __name__ == "__main__":
    _main()

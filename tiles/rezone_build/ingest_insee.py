"""INSEE commune tables: bassin de vie 2022 of every commune, BPE 2020 health equipment counts.

* ``communes-bassins-de-vie/table-appartenance-geo-communes-2024.xlsx`` (sheet ``COM``, codes on
  row 6, data from row 7, every cell text): each COG 2024 commune's ``BV2022``; BV labels from
  sheet ``Zones_supra_communales`` (``NIVGEO == "BV2022"``). Re-keyed to COG 2026: a 2026 commune
  takes the BV of its 2024 row(s) (its own code, its ``anciensCodes``, déléguées). When its parts
  lie in several BVs it takes the BV of its most populous part (population 2021 of the parts,
  communes-centroides) and says so (``bassin_de_vie_method``, ``extra["bassin_de_vie_parts"]``).
  A 2026 commune with no 2024 row (the 4 Cantal communes re-created on 1 January 2025) gets
  ``Value(None, reason=…)``.
* ``bpe-sante-communes/equip-serv-sante-com-2020.xlsx`` (sheet ``COM``, COG 2021): counts of
  health *equipments* (a service of an establishment) per commune, ``NB_D101`` … ``NB_D307``.
  Re-keyed to COG 2026 by summing the counts of a commune's 2021 parts (counts add up); a 2026
  commune with no 2021 row gets ``bpe = None`` and ``extra["bpe_reason"]``.

Both workbooks are read with :mod:`rezone_build.xlsx` (openpyxl refuses the BV workbook's styles)
and the rows kept are cached in ``<cache>/parsed/`` keyed by the file's sha256.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

from .cog import Cog
from .model import BassinDeVie, Commune, Value
from .quality import QualityReport
from .sources import SourceError, Sources
from .xlsx import XlsxError, read_xlsx

__all__ = ["BPE_CODES", "BPE_REL", "BPE_SOURCE", "BPE_VINTAGE", "BV_REL", "BV_SOURCE", "BV_VINTAGE",
           "load_bassins_de_vie", "load_bpe"]

BV_REL = "communes-bassins-de-vie/table-appartenance-geo-communes-2024.xlsx"
BV_SOURCE = "communes-bassins-de-vie"
BV_VINTAGE = "BV2022 (COG 2024)"
BPE_REL = "bpe-sante-communes/equip-serv-sante-com-2020.xlsx"
BPE_SOURCE = "bpe-sante-communes"
BPE_VINTAGE = "BPE 2020"

# BPE health equipment codes kept → (slug, French label). Labels are the workbook's own.
BPE_CODES: dict[str, tuple[str, str]] = {
    "D101": ("court_sejour", "Établissement santé court séjour"),
    "D102": ("moyen_sejour", "Établissement santé moyen séjour"),
    "D103": ("long_sejour", "Établissement santé long séjour"),
    "D104": ("psychiatrie", "Établissement psychiatrique"),
    "D105": ("lutte_cancer", "Centre lutte cancer"),
    "D106": ("urgences", "Urgences"),
    "D107": ("maternite", "Maternité"),
    "D108": ("centre_de_sante", "Centre de santé"),
    "D109": ("psychiatrie_ambulatoire", "Structures psychiatriques en ambulatoire"),
    "D110": ("medecine_preventive", "Centre médecine préventive"),
    "D111": ("dialyse", "Dialyse"),
    "D112": ("had", "Hospitalisation à domicile"),
    "D113": ("msp", "Maison de santé pluridisciplinaire"),
    "D302": ("laboratoire", "Laboratoire d'analyses et de biologie médicale"),
    "D303": ("ambulance", "Ambulance"),
    "D304": ("transfusion", "Transfusion sanguine"),
    "D305": ("thermal", "Établissement thermal"),
    "D307": ("pharmacie", "Pharmacie"),
}


def _sheet_rows(src: Sources, rel: str, sheets: tuple[str, ...]) -> dict[str, list[list]]:
    """The rows of ``sheets`` of workbook ``rel`` (cached as JSON by sha256)."""
    sha = src.files[rel]["sha256"][:16]
    cache = src.cache_dir / "parsed" / f"{rel.split('/')[0]}-{sha}.json"
    try:
        return json.loads(cache.read_text())
    except (OSError, ValueError):
        pass
    try:
        book = read_xlsx(src.path(rel))
    except XlsxError as exc:
        raise SourceError(str(exc)) from exc
    missing = [s for s in sheets if s not in book]
    if missing:
        raise SourceError(f"{rel}: sheet(s) {', '.join(missing)} missing")
    out = {s: book[s] for s in sheets}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(out))
        os.replace(tmp, cache)
    except OSError:
        pass
    return out


def _table(rows: list[list], rel: str, sheet: str, first: str = "CODGEO") -> tuple[list[str], list[list]]:
    """(header codes, data rows) of a sheet whose code row starts with ``first`` (title lines above;
    the BPE's French-label row also starts with ``CODGEO``: the last such row is the code row)."""
    heads = [i for i, r in enumerate(rows[:12]) if r and r[0] == first]
    head = heads[-1] if heads else None
    if head is None:
        raise SourceError(f"{rel}: sheet {sheet}: no '{first}' header row in the first 12 lines")
    header = [str(h).strip() if h is not None else "" for h in rows[head]]
    return header, [r for r in rows[head + 1:] if r and r[0] not in (None, "")]


def _parts_by_commune(codes, cog: Cog, communes: dict[str, Commune]) -> dict[str, list[str]]:
    """COG 2026 code → the source codes (older vintage) that make it up, for communes in scope."""
    parts: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        new = cog.rekey(code)
        if new in communes:
            parts[new].append(code)
    return parts


def load_bassins_de_vie(
    communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport, pop: dict[str, int]
) -> dict[str, BassinDeVie]:
    """Set ``Commune.bassin_de_vie`` for every commune; return the BVs with their 2026 members."""
    st = q.source(BV_REL)
    sheets = _sheet_rows(src, BV_REL, ("COM", "Zones_supra_communales"))
    header, rows = _table(sheets["COM"], BV_REL, "COM")
    try:
        i_code, i_bv = header.index("CODGEO"), header.index("BV2022")
    except ValueError as exc:
        raise SourceError(f"{BV_REL}: sheet COM: column {exc} missing") from exc
    _lhead, lrows = _table(sheets["Zones_supra_communales"], BV_REL, "Zones_supra_communales", "NIVGEO")
    names = {r[1]: str(r[2]) for r in lrows if r[0] == "BV2022" and len(r) > 2}
    bv_of: dict[str, str] = {}
    for r in rows:
        st.read += 1
        code, bv = str(r[i_code]).strip(), str(r[i_bv] or "").strip()
        if not bv or bv.startswith("ZZ"):
            st.reject("no BV2022", code)
            continue
        bv_of[code] = bv
    parts = _parts_by_commune(bv_of, cog, communes)
    out: dict[str, BassinDeVie] = {}
    for code, c in communes.items():
        ps = parts.get(code)
        if not ps:
            c.bassin_de_vie = Value(None, None, BV_SOURCE, BV_VINTAGE,
                                    "commune absente de la table d'appartenance géographique 2024 (COG 2024) : "
                                    "rétablie ou créée après le 1er janvier 2024 ; aucun bassin de vie 2022 publié "
                                    "pour elle")
            c.extra["bassin_de_vie_method"] = "absente de la table 2024"
            st.note("commune_2026_without_2024_row", code)
            continue
        bvs = {bv_of[p] for p in ps}
        if len(bvs) == 1:
            bv = bvs.pop()
            method = "même code en 2024" if ps == [code] else "parties de 2024 (anciensCodes) toutes dans ce bassin de vie"
            st.note("same_code" if ps == [code] else "rekeyed_single_bv")
        else:
            weights: dict[str, int] = defaultdict(int)
            for p in ps:
                weights[bv_of[p]] += pop.get(p, 0)
            bv = max(sorted(weights), key=lambda b: weights[b])
            biggest = max(ps, key=lambda p: (pop.get(p, 0), p))
            method = (f"commune nouvelle dont les parties de 2024 sont dans {len(weights)} bassins de vie : bassin "
                      f"de vie de sa partie la plus peuplée ({biggest}, population 2021)")
            c.extra["bassin_de_vie_parts"] = [
                {"code": p, "bassin_de_vie": bv_of[p], "population_2021": pop.get(p)} for p in sorted(ps)]
            st.note("most_populous_part", code)
        st.matched += 1
        c.bassin_de_vie = Value(bv, None, BV_SOURCE, BV_VINTAGE)
        c.extra["bassin_de_vie_method"] = method
        b = out.get(bv)
        if b is None:
            b = out[bv] = BassinDeVie(bv, names.get(bv, bv), [], 0)
        b.members.append(code)
        b.population += c.population or 0
    for b in out.values():
        b.members.sort()
    q.sections["bassins_de_vie"] = {
        "communes_with_bv": sum(1 for c in communes.values() if c.bassin_de_vie and c.bassin_de_vie.value),
        "communes_without_bv": sorted(k for k, c in communes.items()
                                      if c.bassin_de_vie is None or c.bassin_de_vie.value is None),
        "via_most_populous_part": sorted(k for k, c in communes.items() if "bassin_de_vie_parts" in c.extra),
        "bassins_de_vie": len(out),
        "labels": len(names),
    }
    return out


def load_bpe(communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport) -> None:
    """Set ``Commune.bpe`` (equipment counts) for every commune with a 2021 row (summed over parts)."""
    st = q.source(BPE_REL)
    header, rows = _table(_sheet_rows(src, BPE_REL, ("COM",))["COM"], BPE_REL, "COM")
    cols = {}
    for bcode in BPE_CODES:
        try:
            cols[bcode] = header.index(f"NB_{bcode}")
        except ValueError as exc:
            raise SourceError(f"{BPE_REL}: sheet COM: column NB_{bcode} missing") from exc
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        st.read += 1
        code = str(r[0]).strip()
        rec = {}
        for bcode, i in cols.items():
            v = r[i] if i < len(r) else None
            try:
                rec[bcode] = int(v)
            except (TypeError, ValueError):
                st.reject(f"NB_{bcode} not an integer", f"{code}:{v!r}")
                rec[bcode] = 0
        counts[code] = rec
    parts = _parts_by_commune(counts, cog, communes)
    for code, c in communes.items():
        ps = parts.get(code)
        if not ps:
            c.bpe = None
            c.extra["bpe_reason"] = ("commune absente de la BPE 2020 (COG 2021) : rétablie ou créée depuis ; "
                                     "ses équipements de 2020 sont comptés dans la commune dont elle faisait partie")
            st.note("commune_2026_without_2021_row", code)
            continue
        st.matched += len(ps)
        c.bpe = {b: sum(counts[p][b] for p in ps) for b in BPE_CODES}
        if ps != [code]:
            c.extra["bpe_parts"] = sorted(ps)
            st.note("summed_over_2021_parts", code)
    unmatched = [k for k in counts if cog.rekey(k) is None]
    for k in unmatched:
        st.reject("code unknown in COG 2026", k)

"""APL (DREES accessibilité potentielle localisée) to general practitioners, 2022 and 2023, by commune.

The workbook has one sheet per year (``APL 2022``, ``APL 2023``) with a title block above the table;
the header row is the one starting with ``Code commune INSEE``. Codes are of each year's COG: they
are re-keyed to COG 2026. Where several rows feed one 2026 commune (communes merged since, or the
arrondissements of Paris/Lyon/Marseille), the commune's APL is the mean weighted by the sheet's own
"Population standardisée" (as DREES's note prescribes for aggregating APL); the rule is counted in
the report (``apl_weighted_mean``).

The workbook is read with :mod:`rezone_build.xlsx` (python-calamine; openpyxl takes ~10 s on it); the parsed
table is cached in ``<cache>/parsed/`` keyed by the file's sha256.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from .cog import COM_REASON, Cog
from .model import Commune, Value
from .quality import QualityReport
from .sources import SourceError, Sources
from .xlsx import XlsxError, read_xlsx

__all__ = ["APL_SOURCE", "APL_UNIT", "load_apl", "read_apl_workbook"]

APL_REL = "apl/apl_generalistes_2022_2023.xlsx"
APL_SOURCE = "apl"
APL_UNIT = "consultations/an/habitant standardisé"
_COLS = {
    "code": "Code commune INSEE",
    "apl": "APL aux médecins généralistes",
    "apl_65": "APL aux médecins généralistes de moins de 65 ans",
    "pop_std": "Population standardisée",
    "pop": "Population totale",
}


def read_apl_workbook(path) -> dict[str, list[list]]:
    """{year: [[code, apl, apl_moins_65, pop_standardisee, pop_totale], ...]} from the DREES workbook."""
    try:
        sheets = read_xlsx(path)
    except XlsxError as exc:
        raise SourceError(str(exc)) from exc
    out: dict[str, list[list]] = {}
    for title, rows in sheets.items():
        if not title.startswith("APL "):
            continue
        year = title.split()[-1]
        head = next((i for i, r in enumerate(rows) if r and r[0] == _COLS["code"]), None)
        if head is None:
            raise SourceError(f"{path}: sheet {title!r} has no 'Code commune INSEE' header row")
        header = [str(h or "") for h in rows[head]]
        cols: dict[str, int] = {}
        for key, prefix in _COLS.items():
            # exact match first (the two APL columns share a prefix), else prefix match
            idx = next((i for i, h in enumerate(header) if h == prefix), None)
            if idx is None:
                idx = next((i for i, h in enumerate(header) if h.startswith(prefix)), None)
            if idx is None:
                raise SourceError(f"{path}: sheet {title!r} has no column {prefix!r}")
            cols[key] = idx
        width = max(cols.values()) + 1
        table = []
        for r in rows[head + 1 :]:
            if not r or not r[cols["code"]]:
                continue
            r = r + [None] * (width - len(r))
            code = str(r[cols["code"]]).strip().zfill(5)
            table.append([code, *(r[cols[k]] for k in ("apl", "apl_65", "pop_std", "pop"))])
        out[year] = table
    if not out:
        raise SourceError(f"{path}: no 'APL <year>' sheet")
    return out


def _cache_file(src: Sources) -> Path:
    return src.cache_dir / "parsed" / f"apl-{src.files[APL_REL]['sha256'][:16]}.json"


def _cached_rows(src: Sources) -> dict[str, list[list]]:
    path = src.path(APL_REL)
    cache = _cache_file(src)
    try:
        return json.loads(cache.read_text())
    except (OSError, ValueError):
        pass
    rows = read_apl_workbook(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows))
        os.replace(tmp, cache)
    except OSError:
        pass
    return rows


def _num(x) -> float | None:
    return float(x) if isinstance(x, int | float) else None


def load_apl(communes: dict[str, Commune], cog: Cog, src: Sources, q: QualityReport) -> None:
    """Fill ``Commune.apl[year]`` (Value) and ``extra["apl_moins_65"][year]`` (the same fields as a dict)."""
    st = q.source(APL_REL)
    for year, rows in sorted(_cached_rows(src).items()):
        parts: dict[str, list] = defaultdict(list)
        for code, apl, apl65, pop_std, pop in rows:
            st.read += 1
            new = cog.rekey(code)
            if new is None:
                st.reject(
                    f"{year}: " + (COM_REASON if cog.is_com(code) else "code unknown in COG 2026"), code
                )
                continue
            if new not in communes:
                continue
            if _num(apl) is None:
                st.reject(f"{year}: no APL value", code)
                continue
            st.matched += 1
            if new != code:
                st.note(f"{year}: rekeyed_to_2026", example=f"{code}→{new}")
            parts[new].append((code, _num(apl), _num(apl65), _num(pop_std), _num(pop)))
        for code, ps in parts.items():
            c = communes[code]
            if len(ps) == 1:
                apl, apl65 = ps[0][1], ps[0][2]
                detail = None
            else:
                w = [p[3] or 0.0 for p in ps]
                if sum(w) <= 0:
                    w = [1.0] * len(ps)
                apl = round(sum(p[1] * x for p, x in zip(ps, w, strict=True)) / sum(w), 3)
                ok65 = [(p[2], x) for p, x in zip(ps, w, strict=True) if p[2] is not None]
                apl65 = round(sum(a * x for a, x in ok65) / sum(x for _, x in ok65), 3) if ok65 else None
                detail = {p[0]: p[1] for p in ps}
                q.rule(
                    "apl_weighted_mean",
                    "several APL rows for one 2026 commune (merged communes or "
                    "arrondissements): mean weighted by the sheet's 'Population standardisée'",
                    example={"commune": code, "year": year, "parts": detail},
                )
            c.apl[year] = Value(apl, APL_UNIT, APL_SOURCE, year)
            # extra holds plain JSON-ready dicts (Value fields)
            c.extra.setdefault("apl_moins_65", {})[year] = asdict(Value(apl65, APL_UNIT, APL_SOURCE, year))
            if detail:
                c.extra.setdefault("apl_parts", {})[year] = detail
    years = sorted({y for c in communes.values() for y in c.apl})
    for c in communes.values():
        for y in years:
            if y not in c.apl:
                c.apl[y] = Value(None, APL_UNIT, APL_SOURCE, y, _missing_reason(c))


def _missing_reason(c: Commune) -> str:
    if c.departement == "976":
        return "commune not in the DREES APL table (Mayotte is out of its scope)"
    if c.population == 0:
        return "commune not in the DREES APL table (no inhabitants)"
    if not c.former_codes and c.geometry is None:
        return "commune not in the DREES APL table (re-created after the table's COG)"
    return "commune not in the DREES APL table"

"""Indicator tables: INSEE / CartoSanté figures by département and by bassin de vie (BV).

Files have two metadata lines above a ``Code;Libellé;<indicator> <year>;…`` header (UTF-8 with BOM).
Each column becomes ``Value(v, unit, source, vintage)`` under an id derived from its label (the
year — the vintage — removed); missing cells (``N/A - secret statistique`` …) are
``Value(None, …, reason=<the cell text>)``. Column labels, units and vintages are listed in
``Dataset.quality["indicators"]["columns"]``.

BV codes are BV2022 codes (the INSEE code of the BV's pole commune); communes are attached to
their BV by :mod:`rezone_build.ingest_insee`. Columns with no bearing on a health professional's
installation (:data:`DROPPED`: swimming pools, gymnasiums, commuting modes, diploma shares) are
not read; the report lists them with the reason.

Units: read from the label when it says so ("(en nombre)", "pour 10 000 hab.", "Part"/"Taux" → %).
CartoSanté's density columns do not state their denominator; it was deduced by comparing medians
with the national ratios of the département file (GPs 8.8 and nurses 15.0 per 10 000 inhabitants
→ "pour 10 000 habitants"; speech therapists' median 26 → "pour 100 000 habitants") and the unit
string says "(unité déduite)".
"""

from __future__ import annotations

import csv
import io
import re

from .model import Value
from .normalize import norm_name
from .quality import QualityReport
from .sources import SourceError, Sources

__all__ = ["DROPPED", "FILES", "column_meta", "dropped_reason", "load_indicators"]

SOURCE = "indicateurs-bassins-de-vie"
FILES: dict[str, tuple[str, str]] = {  # rel path → (level, source id)
    "indicateurs-bassins-de-vie/insee_statlocales_par_departement_2024.csv": ("departement", SOURCE),
    "indicateurs-bassins-de-vie/cartosante_sante_par_bassin_de_vie_2024.csv": ("bassin_de_vie", SOURCE),
    "indicateurs-bassins-de-vie/insee_determinants_sociaux_par_bassin_de_vie.csv": ("bassin_de_vie", SOURCE),
    "indicateurs-bassins-de-vie/insee_taux_pauvrete_2021_par_bv.csv": ("bassin_de_vie", SOURCE),
    "apl/apl_mg_2023_cartosante_bvcv.csv": ("bassin_de_vie_canton_ville", "apl"),
}
# Columns not served: no bearing on a health professional's installation (issue #13). Matched on
# the column id; listed with their reason in Dataset.quality["indicators"]["dropped"].
DROPPED: dict[str, str] = {
    "bassin_de_natation": "équipement sportif (bassins de natation) : sans rapport avec une installation",
    "salles_multisports": "équipement sportif (gymnases) : sans rapport avec une installation",
    "pour_travailler": "mode de transport domicile-travail : sans rapport avec une installation",
    "transports_en_commun": "mode de transport domicile-travail : sans rapport avec une installation",
    "diplom": "part de diplômés : non retenue (aucun lien établi avec le potentiel de patientèle)",
}


def dropped_reason(ident: str) -> str | None:
    """Why column ``ident`` is not served (None: it is)."""
    return next((r for k, r in DROPPED.items() if k in ident), None)


_DEDUCED = {
    "densite de generalistes lib": "pour 10 000 habitants (unité déduite)",
    "densite d infirmiers lib": "pour 10 000 habitants (unité déduite)",
    "densite de sages femmes lib": "pour 10 000 habitants (unité déduite, incertaine)",
    "densite d orthophonistes lib": "pour 100 000 habitants (unité déduite)",
}


def column_meta(label: str) -> tuple[str, str | None, str]:
    """(id, unit, vintage) of a column label such as ``Pharmacie (en nombre) 2024``."""
    m = re.search(r"\s*(\d{4})\s*$", label)
    vintage = m.group(1) if m else ""
    base = label[: m.start()] if m else label
    base = re.sub(r"(?<=\s)-\s", "moins de ", base).replace("+", " plus ")  # "de - 15 ans", "75 ans ou +"
    n = norm_name(base)
    ident = n.replace(" ", "_")
    if "en nombre" in n or n.startswith("nombre"):
        unit = "nombre"
    elif "pour 10 000" in base:
        unit = "pour 10 000 habitants"
    elif n in _DEDUCED:
        unit = _DEDUCED[n]
    elif n.startswith(("part ", "taux de pauvrete")):
        unit = "%"
    elif n.startswith("taux"):
        unit = "pour 1 000 habitants" if "mortalite" in n else "%"
    elif n.startswith("apl"):
        unit = "consultations/an/habitant standardisé"
    elif n.startswith("mediane du niveau de vie"):
        unit = "euros/an"
    elif n.startswith("esperance de vie"):
        unit = "années"
    elif n.startswith("densite de population"):
        unit = "habitants/km²"
    elif n.startswith("estimations de population"):
        unit = "habitants"
    elif n.startswith("taille moyenne des menages"):
        unit = "personnes"
    else:
        unit = None
    return ident, unit, vintage


def _num(s: str) -> float | None:
    try:
        return float(s.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def load_indicators(
    src: Sources, deps: set[str] | None, q: QualityReport
) -> dict[str, dict[str, dict[str, Value]]]:
    out: dict[str, dict[str, dict[str, Value]]] = {}
    columns: dict[str, dict] = {}
    dropped: dict[str, dict] = {}
    for rel, (level, source) in FILES.items():
        st = q.source(rel)
        lines = src.path(rel).read_text(encoding="utf-8-sig").splitlines()
        head = next((i for i, ln in enumerate(lines[:10]) if ln.startswith("Code;")), None)
        if head is None:
            raise SourceError(f"{rel}: no 'Code;…' header line in the first 10 lines")
        rows = list(csv.reader(io.StringIO("\n".join(lines[head:])), delimiter=";"))
        header = [h.strip() for h in rows[0]]
        metas = [column_meta(h) for h in header[2:]]
        for h, (ident, unit, vintage) in zip(header[2:], metas, strict=True):
            if (why := dropped_reason(ident)) is not None:
                dropped.setdefault(f"{level}:{ident}", {"label": h, "file": rel, "reason": why})
                continue
            columns.setdefault(
                f"{level}:{ident}", {"label": h, "unit": unit, "vintage": vintage, "file": rel}
            )
        table = out.setdefault(level, {})
        for r in rows[1:]:
            if not r or not r[0].strip():
                continue
            st.read += 1
            code = r[0].strip()
            if deps is not None and level == "departement" and code not in deps:
                continue  # BV rows are all kept: a BV can straddle départements (e.g. 30032 Beaucaire)
            rec = table.setdefault(code, {})
            rec.setdefault("name", Value(r[1].strip(), None, source, ""))
            for cell, (ident, unit, vintage) in zip(r[2:], metas, strict=False):
                if dropped_reason(ident) is not None:
                    continue
                cell = cell.strip()
                v = _num(cell)
                if ident in rec and v is None:
                    continue  # duplicate column (same indicator twice): keep the first non-empty
                rec[ident] = Value(
                    v, unit, source, vintage, None if v is not None else (cell or "empty cell")
                )
            st.matched += 1
    q.sections["indicators"] = {
        "columns": columns,
        "dropped": dropped,
        "bassin_de_vie_note": "BV codes are BV2022 codes (INSEE code of the BV's pole commune); communes are "
        "linked to their BV by communes-bassins-de-vie (ingest_insee).",
    }
    return out

"""Release step ``downloads``: the open files of a release, listed by ``GET /v1/downloads``.

Output under the release dir::

    downloads/zonage-<profession>.csv   every commune of the build: code_insee, nom, departement, profession,
                                        zonage_code, zonage_libelle (the source's own label), source,
                                        millesime, raison (why the zonage is unknown, when it is)
    downloads/aides.json                the aid catalogue as compiled from rules/ (conditions, amounts,
                                        validity, sources): the same document the simulator evaluates
    downloads/index.json                each file with its title, format, size, sha256, sources, vintage

CSV: RFC 4180, comma-separated, UTF-8 without BOM, one header line, communes sorted by code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from rezone import layout
from rezone.constants import PROFESSION_LABELS, PROFESSIONS

from .rules_build import RULES_DIR, compile_rules_dir

__all__ = ["COLUMNS", "INDEX", "build"]

COLUMNS = ["code_insee", "nom", "departement", "profession", "zonage_code", "zonage_libelle", "source",
           "millesime", "raison"]
INDEX = layout.DOWNLOADS_INDEX


def _zonage_csv(ds, profession: str) -> tuple[bytes, set[str], set[str]]:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    sources, vintages = set(), set()
    for code in sorted(ds.communes):
        c = ds.communes[code]
        z = c.zonage.get(profession)
        if z is not None:
            sources.add(z.source)
            if z.vintage:
                vintages.add(z.vintage)
        w.writerow([c.code, c.name, c.departement, profession,
                    z.code if z and z.code else "", z.label if z and z.label else "",
                    z.source if z else "", z.vintage if z else "",
                    (z.reason or "") if z else "zonage absent des sources"])
    return buf.getvalue().encode("utf-8"), sources, vintages


def _entry(out: Path, rel: str, data: bytes, **meta) -> dict:
    (out / rel).write_bytes(data)
    return {"id": Path(rel).stem, "path": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **meta}


def build(ds, out: Path, ctx) -> dict:
    (Path(out) / layout.DOWNLOADS_DIR).mkdir(parents=True, exist_ok=True)
    scope = "France entière" if not ds.scope else f"départements {','.join(ds.scope)}"
    files = []
    for p in PROFESSIONS:
        data, sources, vintages = _zonage_csv(ds, p)
        files.append(_entry(out, layout.download(f"zonage-{p}.csv"), data, format="CSV", media_type="text/csv",
                            title=f"Zonage {PROFESSION_LABELS[p].lower()} de chaque commune ({scope})",
                            profession=p, rows=len(ds.communes), sources=sorted(sources),
                            vintage=", ".join(sorted(vintages)) or None))
    doc = compile_rules_dir(getattr(ctx, "rules_dir", None) or RULES_DIR)
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    files.append(_entry(out, layout.download("aides.json"), data, format="JSON", media_type="application/json",
                        title="Catalogue des aides à l'installation (règles, montants, conditions, sources)",
                        profession=None, rows=doc["count"], sources=["rules"],
                        vintage=f"règles du dépôt, schéma {doc['schema_version']}"))
    (Path(out) / INDEX).write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"files": len(files), "bytes": sum(f["bytes"] for f in files)}

"""Loaders for sources the mirror does not have yet, in their official public formats.

Each is used automatically when its file is present in the sources directory (file names in
:data:`OPTIONAL_FILES`); when absent, ``Dataset.optional[name]`` says so with the reason, and
nothing is inferred.

* ``tvs`` — DREES territoires de vie-santé: the commune → TVS composition table (``;``-separated,
  columns ``CODGEO;LIBGEO;TVS;LIBTVS``) and the doctors' zonage by TVS (``TVS;LIBTVS;ZONAGE``) whose
  labels include "Zone d'intervention prioritaire", "Zone d'action complémentaire", "Zone de
  vigilance" and "Hors vivier". Stored per commune in ``Commune.extra["tvs"]`` and
  ``extra["zonage_tvs"]`` (a ZoneValue), with the TVS name in ``extra["tvs_name"]`` (the ARS
  doctors' zonage in ``zonage["medecin"]`` is untouched).
* ``finess`` — the national FINESS extraction (etalab ``cs1100507`` stock file): ``structureet``
  lines (establishment) and ``geolocalisation`` lines (coordinates in Lambert-93 for mainland
  France, UTM for overseas départements, named in ``sourcecoordet``), projected to WGS84 with pyproj.
  Establishments not already listed are added to ``Dataset.facilities`` (source ``finess``).
* ``qpv2024`` — the national ANCT list of QPV 2024 (``listeqp2024-cog2024.csv``: ``code_qp;lib_qp;
  …;insee_com;lib_com;siren_epci;lib_epci``, ``insee_com`` "; "-joined when a QPV straddles
  communes). QPVs not already known (PACA has polygons) are added without geometry.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .cog import Cog
from .loaders_card import load_card_optional
from .model import Dataset, Facility, Qpv, ZoneValue
from .normalize import finess9, finess_insee, norm_name
from .quality import QualityReport
from .sources import Sources

__all__ = [
    "FINESS_TYPES",
    "OPTIONAL_FILES",
    "TVS_ZONE_CODES",
    "load_optional",
    "parse_finess",
    "parse_qpv2024",
    "parse_tvs_communes",
    "parse_tvs_zonage",
    "read_table",
]

OPTIONAL_FILES: dict[str, list[str]] = {
    "tvs": ["optional/drees-tvs/communes-tvs.csv", "optional/drees-tvs/zonage-tvs.csv"],
    "finess": ["optional/finess/etalab-cs1100507-stock.csv"],
    "qpv2024": ["optional/qpv-2024/listeqp2024-cog2024.csv"],
}
# Doctors' zonage labels of the TVS method (normalised label prefix → public code).
TVS_ZONE_CODES: dict[str, str] = {
    "zip": "ZIP",
    "zone d intervention prioritaire": "ZIP",
    "zac": "ZAC",
    "zone d action complementaire": "ZAC",
    "zv": "ZV",
    "zone de vigilance": "ZV",
    "hv": "HV",
    "hors vivier": "HV",
    "zar": "ZAR",
    "zone d accompagnement regional": "ZAR",
    "hz": "HZ",
    "hors zonage": "HZ",
}
# FINESS category label (normalised, prefix) → facility type
FINESS_TYPES: list[tuple[str, str]] = [
    ("pharmacie", "pharmacie"),
    ("centre de sante", "centre_de_sante"),
    ("maison de sante", "msp"),
    ("etablissement d hebergement pour personnes agees dependantes", "ehpad"),
    ("e h p a d", "ehpad"),
    ("ehpad", "ehpad"),
    ("laboratoire", "laboratoire"),
    ("centre medico psychologique", "centre_medico_psychologique"),
    ("maison medicale de garde", "maison_medicale_de_garde"),
]
_PUBLIC_HOSPITALS = (
    "centre hospitalier c h",
    "centre hospitalier regional c h r",
    "centre hospitalier ex hopital local",
)
# Projection named at the end of ``sourcecoordet`` → EPSG code
_CRS = {"LAMBERT_93": 2154, "UTM_N20": 5490, "UTM_N22": 2972, "UTM_S40": 2975, "UTM_S38": 4471}


def read_table(path: Path, required: dict[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """Rows of a ``;``/``,``-separated file (UTF-8 with or without BOM, else ISO-8859-1) whose header
    row is the first line having every required column; keys = the ``required`` names."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    lines = text.splitlines()
    for i, line in enumerate(lines[:20]):
        delim = ";" if line.count(";") >= line.count(",") else ","
        head = [norm_name(h) for h in next(csv.reader([line], delimiter=delim))]
        idx = {}
        for key, names in required.items():
            j = next((head.index(norm_name(n)) for n in names if norm_name(n) in head), None)
            if j is None:
                break
            idx[key] = j
        else:
            out = []
            for r in csv.reader(io.StringIO("\n".join(lines[i + 1 :])), delimiter=delim):
                if r and any(c.strip() for c in r):
                    out.append({k: (r[j].strip() if j < len(r) else "") for k, j in idx.items()})
            return out
    raise ValueError(f"{path}: no header row with columns {', '.join(required)}")


def parse_tvs_communes(path: Path) -> list[dict[str, str]]:
    return read_table(
        path,
        {
            "commune": ("CODGEO", "code commune", "code_commune", "com"),
            "tvs": ("TVS", "code TVS", "code_tvs"),
            "tvs_name": ("LIBTVS", "libelle TVS", "lib_tvs", "nom TVS"),
        },
    )


def parse_tvs_zonage(path: Path) -> list[dict[str, str]]:
    return read_table(
        path,
        {
            "tvs": ("TVS", "code TVS", "code_tvs"),
            "zonage": ("ZONAGE", "zonage medecins", "zonage_mg", "zonage medecin"),
        },
    )


def tvs_zone_code(label: str) -> str | None:
    n = norm_name(label)
    return next(
        (code for prefix, code in TVS_ZONE_CODES.items() if n == prefix or n.startswith(prefix + " ")), None
    )


def parse_finess(path: Path) -> list[dict]:
    """Establishments of a FINESS etalab extraction, with WGS84 lon/lat when geolocated."""
    from pyproj import Transformer

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    structures: dict[str, dict] = {}
    geo: dict[str, tuple[float, float, str]] = {}
    for r in csv.reader(io.StringIO(text), delimiter=";"):
        if not r:
            continue
        if r[0] == "structureet" and len(r) >= 22:
            structures[finess9(r[1])] = {
                "finess": finess9(r[1]),
                "finess_ej": finess9(r[2]),
                "name": r[4] or r[3],
                "departement": r[13],
                "commune": r[12],
                "category_code": r[18],
                "category": r[19],
                "postcode": r[15][:5],
                "city": r[15][6:].strip(),
            }
        elif r[0] == "geolocalisation" and len(r) >= 5:
            try:
                geo[finess9(r[1])] = (float(r[2]), float(r[3]), r[4].rsplit(",", 1)[-1].strip())
            except ValueError:
                continue
    transformers: dict[int, Transformer] = {}
    for fi, s in structures.items():
        g = geo.get(fi)
        s["lon"] = s["lat"] = None
        if g is None:
            continue
        epsg = _CRS.get(g[2].upper())
        if epsg is None:
            continue
        t = transformers.setdefault(epsg, Transformer.from_crs(epsg, 4326, always_xy=True))
        lon, lat = t.transform(g[0], g[1])
        s["lon"], s["lat"] = round(lon, 6), round(lat, 6)
    return list(structures.values())


def finess_type(label: str) -> tuple[str, bool | None]:
    n = norm_name(label)
    if n in _PUBLIC_HOSPITALS:
        return "hopital_public", True
    for prefix, typ in FINESS_TYPES:
        if n.startswith(prefix):
            return typ, False if typ == "pharmacie" else None
    return "autre", None


def parse_qpv2024(path: Path) -> list[dict[str, str]]:
    return read_table(path, {"code": ("code_qp",), "name": ("lib_qp",), "communes": ("insee_com",)})


def _absent(name: str, reason: str) -> dict:
    return {"status": "absent", "expected_files": OPTIONAL_FILES[name], "reason": reason}


def load_optional(ds: Dataset, cog: Cog, src: Sources, q: QualityReport) -> None:
    """Load every optional source present in the sources directory into ``ds``."""
    load_card_optional(ds, cog, src.root, q)  # RPPS, ameli, APL of other professions, BPE D2
    for name, loader in (("tvs", _load_tvs), ("finess", _load_finess), ("qpv2024", _load_qpv2024)):
        paths = [src.optional(rel) for rel in OPTIONAL_FILES[name]]
        if src.root is None:
            ds.optional[name] = _absent(name, "no local sources directory (downloaded mirror only)")
        elif paths[0] is None:
            ds.optional[name] = _absent(name, "file not provided in the sources directory")
        else:
            try:
                ds.optional[name] = {"status": "loaded", **loader(ds, cog, paths, q)}
            except (ValueError, IndexError, OSError) as exc:
                q.source(OPTIONAL_FILES[name][0]).reject("unreadable file", str(exc))
                ds.optional[name] = _absent(name, f"file present but unreadable: {exc}")


def _load_tvs(ds: Dataset, cog: Cog, paths: list[Path | None], q: QualityReport) -> dict:
    st = q.source(OPTIONAL_FILES["tvs"][0])
    tvs_names: dict[str, str] = {}
    n = 0
    for r in parse_tvs_communes(paths[0]):
        st.read += 1
        code = cog.rekey(r["commune"].zfill(5))
        if code is None:
            st.reject("commune code unknown in COG 2026", r["commune"])
            continue
        tvs_names.setdefault(r["tvs"], r["tvs_name"])
        c = ds.communes.get(code)
        if c is not None:
            c.extra["tvs"] = r["tvs"]
            c.extra["tvs_name"] = r["tvs_name"]
            n += 1
        st.matched += 1
    zon: dict[str, ZoneValue] = {}
    if paths[1] is not None:
        stz = q.source(OPTIONAL_FILES["tvs"][1])
        for r in parse_tvs_zonage(paths[1]):
            stz.read += 1
            code = tvs_zone_code(r["zonage"])
            zon[r["tvs"]] = ZoneValue(code, r["zonage"], "drees-tvs", "", None if code else "unknown label")
            stz.matched += 1
        for c in ds.communes.values():
            if c.extra.get("tvs") in zon:
                c.extra["zonage_tvs"] = zon[c.extra["tvs"]]
    return {
        "communes_with_tvs": n,
        "tvs": len(tvs_names),
        "tvs_with_zonage": len(zon),
        "zonage_file": "loaded" if paths[1] is not None else "absent",
    }


def _load_finess(ds: Dataset, cog: Cog, paths: list[Path | None], q: QualityReport) -> dict:
    st = q.source(OPTIONAL_FILES["finess"][0])
    known = {f.finess for f in ds.facilities if f.finess}
    added = 0
    for s in parse_finess(paths[0]):
        st.read += 1
        code = cog.rekey(finess_insee(s["departement"], s["commune"]))
        if code is None:
            st.reject("commune code unknown in COG 2026", s["finess"])
            continue
        if code not in ds.communes or s["finess"] in known:
            continue
        typ, public = finess_type(s["category"])
        c = ds.communes[code]
        if s["lon"] is not None:
            lon, lat, precision = s["lon"], s["lat"], "exact"
        elif c.center:
            (lon, lat), precision = c.center, "commune"
        else:
            lon = lat = None
            precision = "unknown"
        ds.facilities.append(
            Facility(
                id=s["finess"],
                finess=s["finess"],
                name=s["name"],
                type=typ,
                category=s["category"] or None,
                commune=code,
                lon=lon,
                lat=lat,
                precision=precision,
                public=public,
                source="finess",
                vintage="",
                extra={"finess_category_code": s["category_code"], "finess_juridique": s["finess_ej"]},
            )
        )
        st.matched += 1
        added += 1
    return {"facilities_added": added}


def _load_qpv2024(ds: Dataset, cog: Cog, paths: list[Path | None], q: QualityReport) -> dict:
    st = q.source(OPTIONAL_FILES["qpv2024"][0])
    added = 0
    for r in parse_qpv2024(paths[0]):
        st.read += 1
        codes = sorted(
            {
                cog.rekey(x.strip().zfill(5)) or x.strip().zfill(5)
                for x in r["communes"].split(";")
                if x.strip()
            }
        )
        if not any(c in ds.communes for c in codes):
            continue
        st.matched += 1
        if r["code"] in ds.qpvs:
            continue
        ds.qpvs[r["code"]] = Qpv(
            code=r["code"],
            name=r["name"],
            communes=codes,
            geometry=None,
            generation="2024",
            obsolete=False,
            zonage_medecin=None,
            source="qpv2024",
            vintage="2024",
        )
        added += 1
    return {"qpvs_added": added}

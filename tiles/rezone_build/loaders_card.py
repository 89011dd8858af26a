"""Optional loaders for the territory card (issue #13), in the published formats described in
``../shared/reference/source-layouts.md`` ([C] confirmed, [S] seen in third-party code, [U] not
confirmed). Each is used automatically when its file is in the sources directory (:data:`CARD_FILES`,
glob patterns under ``optional/``); when absent the card keeps ``null`` + reason. Columns are found
by name (accents, case and punctuation ignored), never by position.

* ``rpps`` — Annuaire Santé ``PS_LibreAcces_Personne_activite_*.txt`` (UTF-8, ``|``, one header line,
  a trailing ``|`` on every line [C]): professionals per commune of activity (``Code commune (coord.
  structure)``, re-keyed to COG 2026) by profession (``Code profession``: 10 médecin — counted as GP
  only with savoir-faire ``SM53``/``SM54`` —, 60 infirmier, 70 masseur-kinésithérapeute, 50
  sage-femme, 40 chirurgien-dentiste, 91 orthophoniste [S]) and mode (``Code mode exercice`` L/S/B
  [C]); one person counted once per commune and mode (``Identification nationale PP``).
  → ``Commune.extra["rpps"][profession] = {"total", "liberal", "salarie", "benevole"}``.
* ``ameli_patientele`` — data.ameli.fr ``patientele-medecintraitant-generalistes-annuelle`` CSV
  export (``;``, UTF-8 BOM [S]): mean patientèle médecin traitant per GP by département (latest
  ``annee``; ``NS`` = secret) → ``Dataset.indicators["departement"][dep]["ameli_patientele_medecin_traitant"]``.
* ``ameli_effectifs`` — data.ameli.fr ``demographie-effectifs-et-les-densites`` CSV export (``;`` [S]):
  liberal professionals by département, age band and sex; the latest year's ``tout sexe`` rows give
  the count and density (``Tout âge``) and the share aged 60 or more (sum of the bands from 60) per
  profession → ``indicators["departement"][dep]["ameli_<effectif|densite|part_60_ans_plus>_<profession>"]``.
* ``apl_autres`` — DREES APL workbooks for nurses, physiotherapists, midwives, dentists (sheets
  ``APL 2022`` / ``APL 2023``, header row with ``Code commune INSEE`` and ``APL aux …`` [C]); the
  profession is read from the ``APL aux …`` header → ``Commune.extra["apl_autres"][profession][year]``.
* ``bpe_d2`` — INSEE BPE ``equip-serv-medical-para-com-*.xlsx`` (sheet ``COM``, row of codes
  ``CODGEO`` … ``NB_D2xx`` [U: same shape as the D1/D3 file]) → ``Commune.extra["bpe_d2"]`` (counts
  of practice addresses, summed over a commune's 2021 parts).

The official list of the 151 "zones rouges" has no published file (only press lists of names,
source-layouts.md §6): no loader can honestly target a format; the partial list stays.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

from .cog import Cog
from .model import Dataset, Value
from .normalize import norm_name
from .quality import QualityReport
from .xlsx import read_xlsx

__all__ = ["CARD_FILES", "RPPS_PROFESSIONS", "load_card_optional", "parse_ameli", "parse_apl_workbook",
           "parse_bpe_d2", "parse_rpps"]

CARD_FILES: dict[str, str] = {
    "rpps": "optional/rpps/PS_LibreAcces_Personne_activite*.txt",
    "ameli_patientele": "optional/ameli/patientele-medecintraitant-generalistes*.csv",
    "ameli_effectifs": "optional/ameli/demographie-effectifs-et-les-densites*.csv",
    "apl_autres": "optional/drees-apl/*.xlsx",
    "bpe_d2": "optional/bpe-d2/equip-serv-medical-para-com-*.xlsx",
}
# RPPS "Code profession" (TRE_G15) → profession of the public vocabulary
RPPS_PROFESSIONS = {"10": "medecin", "60": "infirmier", "70": "masseur_kinesitherapeute", "50": "sage_femme",
                    "40": "chirurgien_dentiste", "91": "orthophoniste"}
GP_SAVOIR_FAIRE = ("SM53", "SM54")
MODES = {"L": "liberal", "S": "salarie", "B": "benevole"}
# ameli profession label (normalised prefix) → profession; aggregates ("ensemble …") are skipped
AMELI_PROFESSIONS = [
    ("medecins generalistes hors medecins a expertise particuliere", "medecin"),
    ("infirmiers", "infirmier"),
    ("masseurs kinesitherapeutes", "masseur_kinesitherapeute"),
    ("sages femmes", "sage_femme"),
    ("chirurgiens dentistes hors specialistes", "chirurgien_dentiste"),
    ("orthophonistes", "orthophoniste"),
]
# "APL aux …" header (normalised) → profession
APL_PROFESSIONS = [("infirmi", "infirmier"), ("kinesitherapeute", "masseur_kinesitherapeute"),
                   ("sages femmes", "sage_femme"), ("chirurgiens dentistes", "chirurgien_dentiste")]
# BPE D2 codes (2013-2021 list [S]) → profession / slug
BPE_D2 = {"D201": "medecin_omnipraticien", "D221": "chirurgien_dentiste", "D231": "sage_femme",
          "D232": "infirmier", "D233": "masseur_kinesitherapeute", "D235": "orthophoniste"}


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not UTF-8 ({exc})") from exc


def _columns(header: list[str], wanted: dict[str, tuple[str, ...]], name: str) -> dict[str, int]:
    head = [norm_name(h) for h in header]
    out = {}
    for key, names in wanted.items():
        j = next((head.index(norm_name(n)) for n in names if norm_name(n) in head), None)
        if j is None:
            raise ValueError(f"{name}: column {names[0]!r} missing")
        out[key] = j
    return out


def parse_rpps(path: Path) -> list[dict[str, str]]:
    """Rows of a ``PS_LibreAcces_Personne_activite`` file (needed columns only)."""
    lines = _text(path).splitlines()
    if not lines:
        raise ValueError(f"{path.name}: empty file")
    header = lines[0].split("|")
    idx = _columns(header, {
        "pp": ("Identification nationale PP",), "profession": ("Code profession",),
        "savoir_faire": ("Code savoir-faire",), "mode": ("Code mode exercice",),
        "commune": ("Code commune (coord. structure)",), "cp": ("Code postal (coord. structure)",),
    }, path.name)
    out = []
    for ln in lines[1:]:
        if not ln.strip():
            continue
        r = ln.split("|")
        out.append({k: (r[j].strip() if j < len(r) else "") for k, j in idx.items()})
    return out


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    text = _text(path)
    first = text.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ","))
    return rows[0], [r for r in rows[1:] if r and any(c.strip() for c in r)]


def parse_ameli(path: Path, value_columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a data.ameli.fr CSV export: ``annee``, ``profession_sante``, ``departement`` and
    ``value_columns`` (plus ``libelle_classe_age`` / ``libelle_sexe`` when the file has them)."""
    header, rows = _csv(path)
    wanted = {"annee": ("annee",), "profession": ("profession_sante",), "departement": ("departement",)}
    wanted.update({c: (c,) for c in value_columns})
    idx = _columns(header, wanted, path.name)
    head = [norm_name(h) for h in header]
    for opt in ("libelle_classe_age", "libelle_sexe", "region"):
        if norm_name(opt) in head:
            idx[opt] = head.index(norm_name(opt))
    return [{k: (r[j].strip() if j < len(r) else "") for k, j in idx.items()} for r in rows]


def _num(s: str) -> float | None:
    try:
        return float(s.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (AttributeError, ValueError):
        return None


def _year(s: str) -> str:
    m = re.match(r"\d{4}", s or "")
    return m.group(0) if m else ""


def _ameli_profession(label: str) -> str | None:
    n = norm_name(label)
    return next((p for prefix, p in AMELI_PROFESSIONS if n.startswith(prefix)), None)


def parse_apl_workbook(path: Path) -> tuple[str, dict[str, dict[str, float | None]]]:
    """(profession, {year: {commune code: APL}}) of one DREES APL workbook."""
    book = read_xlsx(path)
    prof = None
    out: dict[str, dict[str, float | None]] = {}
    for sheet, rows in book.items():
        m = re.fullmatch(r"APL (\d{4})", str(sheet).strip())
        if not m:
            continue
        head_i = next((i for i, r in enumerate(rows[:20]) if r and any(
            isinstance(c, str) and norm_name(c) == "code commune insee" for c in r)), None)
        if head_i is None:
            raise ValueError(f"{path.name}: sheet {sheet}: no 'Code commune INSEE' header")
        header = [str(c).strip() if c is not None else "" for c in rows[head_i]]
        i_code = next(i for i, c in enumerate(header) if norm_name(c) == "code commune insee")
        i_apl = next((i for i, c in enumerate(header) if norm_name(c).startswith("apl aux")
                      and "moins de" not in norm_name(c) and "ans et moins" not in norm_name(c)), None)
        if i_apl is None:
            raise ValueError(f"{path.name}: sheet {sheet}: no 'APL aux …' column")
        label = norm_name(header[i_apl])
        p = next((p for k, p in APL_PROFESSIONS if k in label), None)
        if p is None:
            raise ValueError(f"{path.name}: profession of {header[i_apl]!r} not recognised")
        prof = prof or p
        vals = {}
        for r in rows[head_i + 1:]:
            if not r or i_code >= len(r) or not isinstance(r[i_code], str) or not re.fullmatch(r"[0-9AB]{5}", r[i_code]):
                continue  # the units row, blank rows
            v = r[i_apl] if i_apl < len(r) else None
            vals[r[i_code]] = float(v) if isinstance(v, (int, float)) else None
        out[m.group(1)] = vals
    if prof is None:
        raise ValueError(f"{path.name}: no 'APL YYYY' sheet")
    return prof, out


def parse_bpe_d2(path: Path) -> dict[str, dict[str, int]]:
    """{CODGEO: {D2xx: count}} from the ``COM`` sheet of a BPE D2 workbook."""
    rows = read_xlsx(path).get("COM")
    if rows is None:
        raise ValueError(f"{path.name}: no sheet COM")
    heads = [i for i, r in enumerate(rows[:12]) if r and r[0] == "CODGEO"]
    if not heads:
        raise ValueError(f"{path.name}: no CODGEO header row")
    header = [str(c or "") for c in rows[heads[-1]]]
    cols = {c[3:]: i for i, c in enumerate(header) if re.fullmatch(r"NB_D2\d\d", c)}
    if not cols:
        raise ValueError(f"{path.name}: no NB_D2xx column")
    out = {}
    for r in rows[heads[-1] + 1:]:
        if r and r[0]:
            out[str(r[0])] = {k: int(r[i] or 0) if i < len(r) else 0 for k, i in cols.items()}
    return out


# --------------------------------------------------------------------------- attach to the dataset

def _load_rpps(ds: Dataset, cog: Cog, paths: list[Path], q: QualityReport) -> dict:
    st = q.source(CARD_FILES["rpps"])
    seen = set()
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for r in parse_rpps(paths[0]):
        st.read += 1
        prof = RPPS_PROFESSIONS.get(r["profession"])
        if prof is None:
            continue
        if prof == "medecin" and r["savoir_faire"] not in GP_SAVOIR_FAIRE:
            st.note("doctor_not_gp")
            continue
        mode = MODES.get(r["mode"])
        if mode is None:
            st.reject("no mode d'exercice (no activity)")
            continue
        code = cog.rekey(r["commune"]) if r["commune"] else None
        if code is None:
            st.reject("no or unknown commune code", r["commune"] or r["cp"])
            continue
        key = (r["pp"], code, prof, mode)
        if key in seen:
            continue
        seen.add(key)
        st.matched += 1
        counts[code][prof][mode] += 1
    n = 0
    for code, per in counts.items():
        c = ds.communes.get(code)
        if c is None:
            continue
        c.extra["rpps"] = {p: {"total": sum(m.values()), **m} for p, m in per.items()}
        n += 1
    return {"communes_with_professionals": n, "file": paths[0].name}


def _latest(rows: list[dict]) -> tuple[str, list[dict]]:
    year = max((_year(r["annee"]) for r in rows), default="")
    return year, [r for r in rows if _year(r["annee"]) == year]


def _dep_table(ds: Dataset) -> dict:
    return ds.indicators.setdefault("departement", {})


def _load_patientele(ds: Dataset, cog: Cog, paths: list[Path], q: QualityReport) -> dict:
    st = q.source(CARD_FILES["ameli_patientele"])
    year, rows = _latest(parse_ameli(paths[0], ("nombre_patients_medecin_traitant",)))
    n = 0
    for r in rows:
        st.read += 1
        dep = r["departement"].zfill(2) if r["departement"].isdigit() and len(r["departement"]) < 3 else r["departement"]
        if dep not in ds.departements:
            continue  # France (999), régions, départements outside the build
        v = _num(r["nombre_patients_medecin_traitant"])
        _dep_table(ds).setdefault(dep, {})["ameli_patientele_medecin_traitant"] = Value(
            v, "patients par médecin généraliste", "ameli-patientele", year,
            None if v is not None else f"valeur « {r['nombre_patients_medecin_traitant']} » (NS = secret statistique)")
        st.matched += 1
        n += 1
    return {"departements": n, "year": year}


def _load_effectifs(ds: Dataset, cog: Cog, paths: list[Path], q: QualityReport) -> dict:
    st = q.source(CARD_FILES["ameli_effectifs"])
    year, rows = _latest(parse_ameli(paths[0], ("effectif", "densite")))
    bands: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    totals: dict[tuple[str, str], dict] = {}
    for r in rows:
        st.read += 1
        prof = _ameli_profession(r["profession"])
        dep = r["departement"]
        if prof is None or dep not in ds.departements or norm_name(r.get("libelle_sexe", "tout sexe")) != "tout sexe":
            continue
        age = norm_name(r.get("libelle_classe_age", "tout age"))
        if age == "tout age":
            totals[(dep, prof)] = r
        else:
            bands[(dep, prof)][age] = _num(r["effectif"]) or 0.0
        st.matched += 1
    for (dep, prof), r in totals.items():
        t = _dep_table(ds).setdefault(dep, {})
        eff, dens = _num(r["effectif"]), _num(r["densite"])
        t[f"ameli_effectif_{prof}"] = Value(eff, "professionnels libéraux", "ameli-effectifs", year,
                                            None if eff is not None else "valeur absente")
        t[f"ameli_densite_{prof}"] = Value(dens, "pour 100 000 habitants (unité non confirmée)", "ameli-effectifs", year,
                                           None if dens is not None else "valeur absente")
        b = bands.get((dep, prof), {})
        old = sum(v for k, v in b.items() if re.match(r"de (6\d)|70 ans", k))
        share = round(100 * old / eff, 1) if eff else None
        t[f"ameli_part_60_ans_plus_{prof}"] = Value(
            share, "%", "ameli-effectifs", year, None if share is not None else "tranches d'âge absentes")
    return {"departement_professions": len(totals), "year": year}


def _load_apl(ds: Dataset, cog: Cog, paths: list[Path], q: QualityReport) -> dict:
    st = q.source(CARD_FILES["apl_autres"])
    loaded = {}
    for p in paths:
        prof, years = parse_apl_workbook(p)
        for year, vals in years.items():
            parts: dict[str, list[tuple[float, int]]] = defaultdict(list)
            for code, v in vals.items():
                st.read += 1
                new = cog.rekey(code)
                if new in ds.communes and v is not None:
                    parts[new].append((v, ds.communes[new].population or 1))
                    st.matched += 1
            for code, ps in parts.items():
                w = sum(x for _, x in ps)
                ds.communes[code].extra.setdefault("apl_autres", {}).setdefault(prof, {})[year] = round(
                    sum(v * x for v, x in ps) / w, 3)
        loaded[prof] = sorted(years)
    return {"professions": loaded}


def _load_bpe_d2(ds: Dataset, cog: Cog, paths: list[Path], q: QualityReport) -> dict:
    st = q.source(CARD_FILES["bpe_d2"])
    rows = parse_bpe_d2(paths[0])
    acc: dict[str, dict[str, int]] = {}
    for code, counts in rows.items():
        st.read += 1
        new = cog.rekey(code)
        if new not in ds.communes:
            continue
        st.matched += 1
        a = acc.setdefault(new, defaultdict(int))
        for k, n in counts.items():
            a[k] += n
    for code, a in acc.items():
        ds.communes[code].extra["bpe_d2"] = dict(a)
    return {"communes": len(acc), "codes": sorted({k for a in acc.values() for k in a})}


LOADERS = {"rpps": _load_rpps, "ameli_patientele": _load_patientele, "ameli_effectifs": _load_effectifs,
           "apl_autres": _load_apl, "bpe_d2": _load_bpe_d2}


def load_card_optional(ds: Dataset, cog: Cog, root: Path | None, q: QualityReport) -> None:
    """Load each card source found under ``root`` (the sources directory) into ``ds``."""
    for name, pattern in CARD_FILES.items():
        paths = sorted(root.glob(pattern)) if root is not None else []
        if not paths:
            ds.optional[name] = {"status": "absent", "expected_files": [pattern],
                                 "reason": "file not provided in the sources directory" if root is not None
                                 else "no local sources directory (downloaded mirror only)"}
            continue
        try:
            ds.optional[name] = {"status": "loaded", "files": [p.name for p in paths],
                                 **LOADERS[name](ds, cog, paths, q)}
        except (ValueError, IndexError, KeyError, OSError) as exc:
            q.source(pattern).reject("unreadable file", str(exc))
            ds.optional[name] = {"status": "absent", "expected_files": [pattern],
                                 "reason": f"file present but unreadable: {exc}"}

"""Zonage of the six professions and the ZRR class, re-keyed to COG 2026 communes.

Doctors (``zonage-medecins``): no INSEE code, one row per (commune name, postal code) — the postal
code lost its leading zero. Rows are matched on normalised name + postal code, then normalised
name within the postal code's département, then communes déléguées / associées names (resolved to
their commune nouvelle). Matched, ambiguous and unmatched rows are counted.

Other professions (``zonage-autres-professions``): INSEE codes of some COG vintage, by commune and
arrondissement municipal; old codes are re-keyed with ``anciensCodes`` (and déléguées' chef-lieu).

Disagreement rule (written here, counted in the report as ``zonage_parts_disagree``): when several
rows feed one 2026 commune (Paris/Lyon/Marseille arrondissements, former communes of a commune
nouvelle, several postal codes) and their labels differ, the commune takes the label with the
largest total population over its parts that have a value (populations: arrondissements from
communes.json, former communes from communes-centroides 2021; weight 1 when unknown); a tie goes to
the most under-served level. The per-part values are kept in ``Commune.extra["zonage_parts"][profession]``
(and ``extra["zonage_arrondissements"]`` for Paris/Lyon/Marseille).
"""

from __future__ import annotations

import csv
from collections import defaultdict

from rezone.constants import PROFESSIONS, ZONE_CODES

from .cog import COM_REASON, PLM, Cog
from .model import Commune, ZoneValue
from .normalize import deps_of_postal, norm_name, norm_name_no_article, zip5
from .quality import QualityReport
from .sources import SourceError, Sources

__all__ = [
    "DOCTOR_CODES",
    "OTHER_CODES",
    "OTHER_FILES",
    "ZRR_CODES",
    "load_zonage",
    "pick_label",
    "population_by_code",
]

DOCTORS_REL = "zonage-medecins/zonmed_enrichi_final.csv"
DOCTORS_ID, DOCTORS_VINTAGE = "zonage-medecins", "2025"
OTHERS_ID, OTHERS_VINTAGE = "zonage-autres-professions", "2025"

DOCTOR_CODES: dict[str, str] = {"1_ZIP": "ZIP", "2_ZAC": "ZAC", "3_HZ": "HZ", "4_ZAR": "ZAR"}
# Label prefixes of the other professions' files (distinct values of the five files).
OTHER_CODES: dict[str, str] = {
    "1_Tres_sous_dotee": "tres_sous_dote",
    "1b_Sous_dense": "sous_dense",
    "2_Sous_dotee": "sous_dote",
    "3_intermediaire": "intermediaire",
    "4_Tres_dotee": "tres_dote",
    "5_Sur_dotee": "sur_dote",
    "5b_Non_prioritaire": "non_prioritaire",
}
OTHER_FILES: dict[str, str] = {
    "infirmier": "zonage-autres-professions/infirmier.csv",
    "masseur_kinesitherapeute": "zonage-autres-professions/masseurs-kinesitherapeutes.csv",
    "sage_femme": "zonage-autres-professions/sages-femmes.csv",
    "chirurgien_dentiste": "zonage-autres-professions/chirurgiens-dentistes.csv",
    "orthophoniste": "zonage-autres-professions/orthophonistes.csv",
}
ZRR_CODES: dict[str, str] = {
    "C - Classée en ZRR": "classee",
    "P - Commune partiellement classée en ZRR": "partiellement_classee",
    "NC - Commune non classée": "non_classee",
}
# Most under-served first: breaks ties in the disagreement rule.
_FAVOUR = [
    "ZIP",
    "ZAR",
    "ZAC",
    "HZ",
    "tres_sous_dote",
    "sous_dote",
    "sous_dense",
    "intermediaire",
    "non_prioritaire",
    "tres_dote",
    "sur_dote",
    None,
]


def population_by_code(cog: Cog, src: Sources) -> dict[str, int]:
    """Population of any commune code (current, former, déléguée, arrondissement) for weighting."""
    pop: dict[str, int] = {}
    for r in src.csv_rows("communes-centroides/communes.csv"):
        if r["population_2021"].isdigit():
            pop.setdefault(r["insee_com"], int(r["population_2021"]))
    for code, r in {**cog.arrondissements, **cog.current}.items():
        if r.get("population") is not None:
            pop[code] = r["population"]
    return pop


def pick_label(
    parts: list[tuple[str, str | None, str | None]], pop: dict[str, int]
) -> tuple[str | None, str | None]:
    """(label, code) of the population-weighted majority over ``parts`` = [(source code, label, code)].

    Each source code counts once per label; a tie goes to the most under-served code.
    """
    weight: dict[tuple[str | None, str | None], int] = defaultdict(int)
    seen = set()
    for src_code, label, code in parts:
        if (src_code, label) in seen:
            continue
        seen.add((src_code, label))
        weight[(label, code)] += pop.get(src_code, 1)
    return max(weight, key=lambda lc: (weight[lc], -_FAVOUR.index(lc[1]) if lc[1] in _FAVOUR else -99))


def _assign(
    communes: dict[str, Commune],
    prof: str,
    collected: dict[str, list],
    pop: dict[str, int],
    source: str,
    vintage: str,
    q: QualityReport,
) -> None:
    for code, parts in collected.items():
        c = communes[code]
        labels = {p[1] for p in parts}
        if len(labels) == 1:
            label, zcode = parts[0][1], parts[0][2]
        else:
            label, zcode = pick_label([p for p in parts if p[2] is not None] or parts, pop)
            q.rule(
                "zonage_parts_disagree",
                "labels differ between the rows of one 2026 commune: population-weighted majority of the "
                "rows with a value, tie → most under-served",
                example={"commune": code, "profession": prof, "parts": sorted({tuple(p[:2]) for p in parts})},
            )
            q.rule(f"zonage_parts_disagree:{prof}", "see zonage_parts_disagree")
        if code in PLM and len({p[0] for p in parts}) > 1:
            c.extra.setdefault("zonage_arrondissements", {})[prof] = {
                p[0]: p[1] for p in parts if p[0] != code
            }
        elif len({p[0] for p in parts}) > 1 or len(labels) > 1:
            c.extra.setdefault("zonage_parts", {})[prof] = sorted({(p[0], p[1]) for p in parts})
        reason = None if zcode else f"not available in the source (label {label!r})"
        c.zonage[prof] = ZoneValue(zcode, label, source, vintage, reason)


def _scope_prefixes(communes, cog: Cog) -> tuple[str, ...]:
    """Code prefixes (département codes) of a scoped build; () for all of France."""
    if len(communes) >= len(cog.current):
        return ()
    return tuple(sorted({c.departement for c in communes.values()}))


def _load_other(prof: str, rel: str, communes, cog: Cog, src: Sources, pop, q: QualityReport) -> None:
    st = q.source(rel)
    text = src.path(rel).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    head = next((i for i, ln in enumerate(lines[:10]) if ln.startswith("Code;")), None)
    if head is None:
        raise SourceError(f"{rel}: no 'Code;…' header line in the first 10 lines")
    collected: dict[str, list] = defaultdict(list)
    body = [ln for ln in lines[head + 1 :] if ln.strip(";").strip()]
    st.read += len(body)
    scope = _scope_prefixes(communes, cog)
    for line in body:
        if scope and not line.startswith(scope):
            continue  # another département than the ones built
        old = line.split(";", 1)[0].strip().zfill(5)
        new = cog.rekey(old)
        if new is None:
            st.reject(COM_REASON if cog.is_com(old) else "code unknown in COG 2026", old)
            continue
        if new not in communes:
            continue  # outside the requested départements (or a collectivité d'outre-mer)
        row = next(csv.reader([line], delimiter=";"))
        label = row[2].strip() if len(row) > 2 else ""
        if label not in OTHER_CODES and not label.startswith("N/A"):
            st.reject("unknown label", f"{old}:{label}")
            continue
        if new != old:
            st.note("rekeyed_to_2026", example=f"{old}→{new}")
        collected[new].append((old, label, OTHER_CODES.get(label)))
        st.matched += 1
    _assign(communes, prof, collected, pop, OTHERS_ID, OTHERS_VINTAGE, q)


class NameIndex:
    """(normalised name, postal code) and (normalised name, département)
    → set of (source code, 2026 code)."""

    def __init__(self, cog: Cog, src: Sources, keep: set[str] | None = None):
        """``keep``: only index names of these 2026 communes (a scoped build); None = all."""
        self.by_cp: dict[tuple[str, str], set] = defaultdict(set)
        self.by_dep: dict[tuple[str, str], set] = defaultdict(set)
        self.delegated: dict[tuple[str, str], set] = defaultdict(set)

        def add(name, cps, dep, src_code, new, table=None):
            if keep is not None and new not in keep:
                return
            for n in {norm_name(name), norm_name_no_article(name)}:
                for cp in cps:
                    self.by_cp[(n, cp)].add((src_code, new))
                (table if table is not None else self.by_dep)[(n, dep)].add((src_code, new))

        for code, r in cog.current.items():
            add(r["nom"], r.get("codesPostaux", ()), r["departement"], code, code)
        for code, r in cog.arrondissements.items():
            add(r["nom"], r.get("codesPostaux", ()), r["departement"], code, r["commune"])
        for r in cog.delegated:
            new = cog.rekey(r["code"]) or r.get("chefLieu")
            if new in cog.current:
                add(r["nom"], (), r["departement"], r["code"], new, self.delegated)
        for r in src.csv_rows("communes-centroides/communes.csv"):
            new = cog.rekey(r["insee_com"])
            if new is None or (keep is not None and new not in keep):
                continue
            for name in (r["commune"], r["commune_article"]):
                for n in {norm_name(name), norm_name_no_article(name)}:
                    self.by_cp[(n, r["code_postal"])].add((r["insee_com"], new))

    def match(self, name: str, cp: str) -> tuple[str, set]:
        n1, n2 = norm_name(name), norm_name_no_article(name)
        deps = deps_of_postal(cp)
        for how, table, keys in (
            ("name+postal_code", self.by_cp, [(n1, cp)]),
            ("name+postal_code", self.by_cp, [(n2, cp)]),
            ("name+departement", self.by_dep, [(n1, d) for d in deps]),
            ("name+departement", self.by_dep, [(n2, d) for d in deps]),
            ("commune_deleguee", self.delegated, [(n, d) for n in (n1, n2) for d in deps]),
        ):
            hits = set().union(*(table.get(k, set()) for k in keys))
            if hits:
                return how, hits
        return "unmatched", set()


def _load_doctors(communes, cog: Cog, src: Sources, pop, q: QualityReport, index: NameIndex) -> None:
    st = q.source(DOCTORS_REL)
    com_names = {norm_name(r["nom"]) for r in cog.excluded_com.values()}
    scope = {c.departement for c in communes.values()} if len(communes) < len(cog.current) else None
    zon: dict[str, list] = defaultdict(list)
    zrr: dict[str, list] = defaultdict(list)
    with src.path(DOCTORS_REL).open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):  # Code_postal, Nom_commune, Zonage, Zonage_RR
            st.read += 1
            cp = zip5(r["Code_postal"])
            label = r["Zonage"].strip()
            if scope is not None and not scope.intersection(deps_of_postal(cp)):
                continue  # another département than the ones built
            how, hits = index.match(r["Nom_commune"], cp)
            news = {new for _, new in hits}
            if not news and norm_name(r["Nom_commune"]) in com_names:
                st.reject(COM_REASON, f"{r['Nom_commune']} ({cp})")
                continue
            if not news:
                if scope is None or scope.issuperset(deps_of_postal(cp)):
                    st.reject("unmatched", f"{r['Nom_commune']} ({cp})")
                # else: a Corsican postal code (2A or 2B) in a build of only one of them
                continue
            if len(news) > 1:
                in_scope = news & communes.keys()
                if in_scope:
                    st.reject("ambiguous", f"{r['Nom_commune']} ({cp}) → {sorted(news)}")
                continue
            new = news.pop()
            if new not in communes:
                continue
            if label not in DOCTOR_CODES and not label.startswith("N/A"):
                st.reject("unknown label", f"{r['Nom_commune']} ({cp}): {label}")
                continue
            st.matched += 1
            st.note(f"matched_by:{how}")
            src_code = min(s for s, _ in hits)
            zon[new].append((src_code, label, DOCTOR_CODES.get(label)))
            rr = r.get("Zonage_RR", "").strip()
            zrr[new].append((src_code, rr or None, ZRR_CODES.get(rr)))
    _assign(communes, "medecin", zon, pop, DOCTORS_ID, DOCTORS_VINTAGE, q)
    for code, parts in zrr.items():
        labels = sorted({p[1] for p in parts if p[1]})
        codes = {p[2] for p in parts if p[2]}
        if not labels:
            communes[code].zrr = ZoneValue(
                None, None, DOCTORS_ID, DOCTORS_VINTAGE, "no ZRR class in the source"
            )
        elif len(codes) == 1:
            communes[code].zrr = ZoneValue(codes.pop(), labels[0], DOCTORS_ID, DOCTORS_VINTAGE)
        else:
            # Homonymous communes got each other's ZRR rows upstream (duplicated (name, postal code)
            # rows with different classes): the class of such a commune is unknown, not guessed.
            q.rule(
                "zrr_conflict_unknown",
                "ZRR classes differ between the rows of one 2026 commune (the "
                "upstream file joined ZRR on names only): ZRR left unknown",
                example={"commune": code, "labels": labels},
            )
            communes[code].zrr = ZoneValue(
                None,
                " | ".join(labels),
                DOCTORS_ID,
                DOCTORS_VINTAGE,
                "conflicting ZRR classes in the source rows of this commune",
            )


def load_zonage(
    communes: dict[str, Commune],
    cog: Cog,
    src: Sources,
    q: QualityReport,
    pop: dict[str, int] | None = None,
    names: NameIndex | None = None,
) -> None:
    """Fill ``Commune.zonage`` for every profession (missing → ZoneValue(None, …, reason)) and ``zrr``."""
    pop = pop if pop is not None else population_by_code(cog, src)
    _load_doctors(communes, cog, src, pop, q, names or NameIndex(cog, src, set(communes)))
    for prof, rel in OTHER_FILES.items():
        _load_other(prof, rel, communes, cog, src, pop, q)
    missing: dict[str, list[str]] = {}
    for prof in PROFESSIONS:
        source, vintage = (DOCTORS_ID, DOCTORS_VINTAGE) if prof == "medecin" else (OTHERS_ID, OTHERS_VINTAGE)
        miss = []
        for c in communes.values():
            z = c.zonage.get(prof)
            if z is None:
                c.zonage[prof] = ZoneValue(
                    None, None, source, vintage, "commune not found in the source file"
                )
                miss.append(c.code)
            elif z.code is not None:
                assert z.code in ZONE_CODES[prof], (prof, z.code)
        missing[prof] = miss
    for c in communes.values():
        if c.zrr is None:
            c.zrr = ZoneValue(None, None, DOCTORS_ID, DOCTORS_VINTAGE, "commune not found in the source file")
    q.sections["communes_without_zonage"] = {
        p: {"count": len(v), "codes": v[:200]} for p, v in missing.items()
    }

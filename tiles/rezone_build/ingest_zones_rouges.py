"""Zones rouges 2025 ("Un médecin près de chez vous"): a PARTIAL list of intercommunalités.

Each row is matched to an EPCI of ``epci.json``: by SIREN when the row gives one (and it exists),
else by normalised name (legal-form words and articles dropped, word set compared) among the
EPCIs with a member in the row's département, then nationwide. Unmatched and ambiguous rows are
reported. ``Epci.zone_rouge`` is ``Value(True, …)`` for a matched ``listed`` row, ``Value(None, …,
reason)`` for an ``uncertain`` row; an EPCI absent from the list keeps ``None`` — unknown, not "no".
"""

from __future__ import annotations

import csv
import re

from .model import Epci, Value
from .normalize import dep_of_commune, norm_name
from .quality import QualityReport
from .sources import Sources

__all__ = ["epci_key", "load_zones_rouges"]

REL = "zones-rouges-2025/zones_rouges_partial.csv"
SOURCE, VINTAGE = "zones-rouges-2025", "2025"
_FORMS = re.compile(r"^(communaute (de communes|d agglomeration|urbaine)|metropole|cc|ca|cu)\b")
_STOP = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "communaute"}


def epci_key(name: str) -> frozenset[str]:
    """Word set of an EPCI name without legal form and articles: ``CC du Réquistanais`` → {requistanais}."""
    n = _FORMS.sub("", norm_name(name)).strip()
    return frozenset(w for w in n.split() if w not in _STOP)


def _by_name(r: dict, dep: str, keys: dict, deps_of: dict) -> tuple[str | None, str | None, list]:
    """(siren, how, ambiguous candidates): exact word set, then EPCI names holding all the row's words;
    in the row's département first, then nationwide; the normalised name first, then the published one."""
    wants = [
        epci_key(r.get("epci_name_normalized_unverified") or ""),
        epci_key(re.sub(r"\(.*?\)", " ", r["name_as_published"])),
    ]
    for how, test in (("name", lambda k, w: k == w), ("name_inclusion", lambda k, w: w <= k)):
        for want in wants:
            if not want:
                continue
            cands = [c for c, k in keys.items() if k and test(k, want)]
            local = [c for c in cands if dep in deps_of[c]]
            for pick, where in ((local, ""), (cands, "_other_departement")):
                if len(pick) == 1:
                    return pick[0], how + where, []
                if len(pick) > 1 and how == "name":
                    return None, None, pick
    return None, None, []


def load_zones_rouges(epcis: dict[str, Epci], src: Sources, q: QualityReport) -> None:
    if not src.available(REL):  # transcribed from press articles: no upstream file to download
        q.sections["zones_rouges"] = {
            "status": "unavailable",
            "reason": f"{REL} has no upstream URL and no local sources directory was given; "
            "every EPCI's zone rouge status is unknown",
        }
        return
    st = q.source(REL)
    all_epci = src.json("decoupage-administratif/epci.json")
    by_siren = {e["code"]: e for e in all_epci}
    deps_of = {e["code"]: {dep_of_commune(m["code"]) for m in e["membres"]} for e in all_epci}
    keys = {e["code"]: epci_key(e["nom"]) for e in all_epci}
    with src.path(REL).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    matched: dict[str, list] = {}
    for r in rows:
        st.read += 1
        label = r["name_as_published"]
        siren = (r.get("siren") or "").strip()
        code, how = None, None
        if siren and siren in by_siren:
            code, how = siren, "siren"
        else:
            if siren:
                st.note("siren_not_in_epci_json", example=f"{label}: {siren}")
            dep = (r.get("departement") or "").split()[0] if r.get("departement") else ""
            if (r.get("epci_name_normalized_unverified") or "").lower().startswith("ambiguous"):
                st.reject("ambiguous in the source", f"{label}: {r['epci_name_normalized_unverified']}")
                continue
            code, how, ambiguous = _by_name(r, dep, keys, deps_of)
            if ambiguous:
                st.reject("ambiguous name", f"{label} → {ambiguous}")
                continue
        if code is None:
            st.reject("no EPCI of epci.json matches", f"{label} ({r.get('epci_name_normalized_unverified')})")
            continue
        st.matched += 1
        st.note(f"matched_by:{how}")
        matched.setdefault(code, []).append(r)
    for code, rs in matched.items():
        e = epcis.get(code)
        if e is None:
            continue  # outside the départements built
        listed = [r for r in rs if r["status"] == "listed"]
        r = (listed or rs)[0]
        if listed:
            e.zone_rouge = Value(True, None, SOURCE, VINTAGE)
        else:
            e.zone_rouge = Value(
                None,
                None,
                SOURCE,
                VINTAGE,
                f"status {r['status']!r} in the partial list: {r.get('note') or ''}".strip(),
            )
    q.sections["zones_rouges"] = {
        "rows": len(rows),
        "epcis_matched": len(matched),
        "note": "partial list (40 of 151): an EPCI not listed is unknown, not 'no'",
    }

"""The COG 2026 reference (decoupage-administratif): current communes and how older codes map to them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .sources import Sources

__all__ = ["PLM", "Cog", "load_cog"]

# Saint-Barthélemy and Saint-Martin were communes of Guadeloupe (97123, 97127) until 2007; now
# collectivités d'outre-mer 97701 and 97801 (not in the dataset, like every zone "com").
COM_FORMER_CODES = {"97123": "97701", "97127": "97801"}
COM_REASON = "collectivité d'outre-mer (not in the dataset)"

# Paris, Lyon, Marseille: zonage files also have rows per arrondissement municipal.
PLM = ("75056", "69123", "13055")


@dataclass
class Cog:
    current: dict[str, dict]  # code → commune-actuelle record (France + DROM; COM excluded)
    excluded_com: dict[str, dict]  # collectivités d'outre-mer (zone "com"): not in the dataset
    # any known code (current, anciensCodes, déléguée, associée, ARM) → current code
    old_to_new: dict[str, str]
    delegated: list[dict]  # commune-deleguee / commune-associee records (name, code, chefLieu)
    arrondissements: dict[str, dict]  # ARM code → record (with "commune" = its PLM commune)
    rekeyed_via: dict[str, str] = field(default_factory=dict)  # old code → how ("anciensCodes", ...)

    def is_com(self, code: str) -> bool:
        """True for a code of a collectivité d'outre-mer (excluded from the dataset)."""
        return code in self.excluded_com or COM_FORMER_CODES.get(code) in self.excluded_com

    def rekey(self, code: str) -> str | None:
        """COG 2026 code of ``code`` (a commune code of any vintage); None if unknown."""
        return self.old_to_new.get(code)


def load_cog(src: Sources) -> Cog:
    rows = src.json("decoupage-administratif/communes.json")
    current: dict[str, dict] = {}
    excluded: dict[str, dict] = {}
    delegated: list[dict] = []
    arms: dict[str, dict] = {}
    for r in rows:
        t = r["type"]
        if t == "commune-actuelle":
            if r.get("zone") == "com":
                excluded[r["code"]] = r
            else:
                current[r["code"]] = r
        elif t in ("commune-deleguee", "commune-associee"):
            delegated.append(r)
        elif t == "arrondissement-municipal":
            arms[r["code"]] = r
    old_to_new: dict[str, str] = {}
    how: dict[str, str] = {}
    for r in delegated:  # weakest evidence first; overridden below
        if r.get("chefLieu") in current:
            old_to_new[r["code"]] = r["chefLieu"]
            how[r["code"]] = r["type"]
    for code, r in arms.items():
        old_to_new[code] = r["commune"]
        how[code] = "arrondissement-municipal"
    for code, r in current.items():
        for a in r.get("anciensCodes", ()):
            old_to_new[a] = code
            how[a] = "anciensCodes"
    for code in current:  # a current code always maps to itself
        old_to_new[code] = code
        how.pop(code, None)
    return Cog(
        current=current,
        excluded_com=excluded,
        old_to_new=old_to_new,
        delegated=delegated,
        arrondissements=arms,
        rekeyed_via=how,
    )

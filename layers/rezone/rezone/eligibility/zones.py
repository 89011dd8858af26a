"""Where an aid applies: zone codes (with the QPV override of doctors), regions and location lists.

:class:`Place` is the typed view of a location's facts (``rezone.facts.commune_facts`` or a
hand-made dict of the same shape), read once per evaluation; :class:`Zone` is a rule's ``zone``
block, loaded once per release. :meth:`Zone.evaluate` explains each zone condition and returns the
zone code the amount depends on (a QPV's own zonage prevails where the rule says so).
"""

from typing import Any, NamedTuple

from .conditions import MET, MISSING, NOT_MET, UNKNOWN, Reasons
from .texts import fmt

__all__ = ["FLAG_ANSWERS", "Place", "Qpv", "Zone"]

_REGIONS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
_ZRR_LABELS = {"C": "classee", "P": "partiellement_classee", "NC": "non_classee"}
# location list → the answer that decides it when the data does not
FLAG_ANSWERS = {"zrr": "in_zrr", "frr": "in_frr", "zfu": "in_zfu", "zone_rouge": "epci_zone_rouge"}


def _code(x):
    return x.get("code") if isinstance(x, dict) else x


class Qpv(NamedTuple):
    code: str | None
    name: str | None
    zone: str | None  # the QPV's own doctors' zonage code, if known


class Place(NamedTuple):
    """The facts of a location that the zone conditions read, for one profession."""

    zone: str | None  # zonage code of the profession
    zone_label: str | None
    zone_reason: str | None  # why the zone is unknown
    region: str | None
    qpvs: tuple[Qpv, ...]  # current (non-obsolete) QPVs of the commune
    zrr: str | None  # classee | partiellement_classee | non_classee
    zrr_label: str
    zrr_reason: str | None
    zone_rouge: bool | None
    zone_rouge_reason: str | None
    epci_name: str | None

    @classmethod
    def from_facts(cls, facts: dict, profession: str) -> "Place":
        z = (facts.get("zonage") or {}).get(profession)
        zone, label, reason = (
            (z.get("code"), z.get("label"), z.get("reason")) if isinstance(z, dict) else (z, z, None)
        )
        qpvs = tuple(
            Qpv(q.get("code"), q.get("name"), _code(q.get("zonage_medecin")))
            for q in facts.get("qpv") or ()
            if not q.get("obsolete")
        )
        zrr = facts.get("zrr") if isinstance(facts.get("zrr"), dict) else {"code": facts.get("zrr")}
        zrr_code, zrr_label = zrr.get("code"), zrr.get("label") or ""
        if zrr_code is None and "|" not in zrr_label:  # hand-written facts may give the source label only
            zrr_code = _ZRR_LABELS.get(zrr_label.split(" - ")[0].strip())
        zr = facts.get("zone_rouge")
        epci = facts.get("epci") or {}
        return cls(
            zone,
            label,
            reason,
            _code(facts.get("region")),
            qpvs,
            zrr_code,
            zrr_label,
            zrr.get("reason"),
            zr.get("value") if isinstance(zr, dict) else zr,
            zr.get("reason") if isinstance(zr, dict) else None,
            epci.get("name") if isinstance(epci, dict) else None,
        )


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


class Zone(NamedTuple):
    """A rule's ``zone`` block: zone codes (or outside them), QPV handling, regions, location lists."""

    codes: tuple[str, ...] = ()
    outside: bool = False
    qpv_override: bool = False
    qpv_qualifies: bool = False
    regions: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    label: str = ""  # the condition's French statement

    @classmethod
    def from_doc(cls, z: dict | None) -> "Zone":
        z = z or {}
        codes, outside = tuple(z.get("codes") or ()), bool(z.get("outside"))
        flags = tuple(z.get("flags") or ())
        unknown = [f for f in flags if f not in _FLAG_CHECKS]
        if unknown:
            raise ValueError(f"unknown zone flags {unknown} (known: {', '.join(_FLAG_CHECKS)})")
        names = " ou ".join(codes)
        label = z.get("label") or (
            f"Lieu d'exercice hors zone {names}" if outside else f"Lieu d'exercice en zone {names}"
        )
        return cls(
            codes,
            outside,
            bool(z.get("qpv_override")),
            bool(z.get("qpv_qualifies")),
            tuple(z.get("regions") or ()),
            flags,
            label,
        )

    def evaluate(self, place: Place, answers: dict, out: Reasons) -> str | None:
        """Explain the zone conditions; return the zone code the amount depends on."""
        effective = place.zone
        if self.codes:
            effective = self._codes(place, answers, out)
        if self.regions:
            reg = place.region
            cond = "Région : " + ", ".join(_REGIONS.get(r, r) for r in self.regions)
            if reg is None:
                out.add(cond, UNKNOWN, "Région du lieu d'exercice inconnue.", ("location",))
            elif reg in self.regions:
                out.add(cond, MET, f"Le lieu d'exercice est dans la région {_REGIONS.get(reg, reg)}.")
            else:
                out.add(
                    cond,
                    NOT_MET,
                    f"Le lieu d'exercice est dans la région {_REGIONS.get(reg, reg)} : "
                    "aide propre à une autre région.",
                )
        for flag in self.flags:
            _FLAG_CHECKS[flag](place, answers, out)
        return effective

    def _ok(self, code) -> bool:
        return (code in self.codes) != self.outside

    def _codes(self, place: Place, answers: dict, out: Reasons) -> str | None:
        cond = self.label
        in_qpv = answers.get("in_qpv", MISSING)
        qpv_zones = [q for q in place.qpvs if q.zone]
        effective = place.zone
        where = f"la commune est classée {effective} ({place.zone_label})" if effective else None
        if self.qpv_override and in_qpv is True and qpv_zones:
            chosen = qpv_zones
            wanted = answers.get("qpv_code")
            if wanted:
                chosen = [q for q in qpv_zones if q.code == wanted]
                if not chosen:
                    out.assume(
                        "qpv_code_unknown",
                        f"Le QPV {wanted} n'a pas de zonage propre connu dans cette commune : "
                        "le zonage de la commune est retenu.",
                    )
            distinct = {q.zone for q in chosen}
            if len(distinct) == 1:
                q = chosen[0]
                effective = q.zone
                where = f"le QPV {q.name or q.code} est classé {effective} (son zonage propre prévaut)"
            elif len(distinct) > 1 and len({self._ok(c) for c in distinct}) > 1:
                out.add(
                    cond,
                    UNKNOWN,
                    "La commune compte plusieurs QPV de zonages différents : précisez le QPV.",
                    ("qpv_code",),
                )
                return None
            elif len(distinct) > 1:
                effective = min(distinct)
                where = "les QPV de la commune sont classés " + ", ".join(sorted(distinct))
        elif self.qpv_override and in_qpv is True:
            out.assume(
                "qpv_zonage_unknown",
                "Cabinet déclaré en QPV, mais le zonage propre de ce QPV n'est pas dans "
                "nos données : le zonage de la commune est retenu.",
            )
        if effective is None:
            why = place.zone_reason or "non renseigné"
            out.add(cond, UNKNOWN, f"Zonage inconnu pour ce lieu ({why}).", ("zone",))
            return None
        if (
            self.qpv_override
            and in_qpv is MISSING
            and any(self._ok(q.zone) != self._ok(effective) for q in qpv_zones)
        ):
            out.add(
                cond,
                UNKNOWN,
                f"{_cap(where)}, mais un QPV de la commune a un autre zonage : "
                "précisez si le cabinet est en QPV.",
                ("in_qpv",),
            )
            return effective
        if self._ok(effective):
            out.add(cond, MET, f"{_cap(where)}.")
        elif self.qpv_qualifies and in_qpv is True:
            out.add(cond + " ou en QPV", MET, "Le cabinet est déclaré en quartier prioritaire (QPV).")
            if not place.qpvs:
                out.assume(
                    "qpv_declared",
                    "Cabinet déclaré en QPV : la liste nationale des QPV 2024 n'est pas dans "
                    "nos données, la déclaration est retenue.",
                )
        elif self.qpv_qualifies and in_qpv is MISSING:
            out.add(
                cond + " ou en QPV",
                UNKNOWN,
                f"{_cap(where)} ; l'aide est aussi ouverte en "
                "quartier prioritaire (QPV) : précisez si le cabinet est en QPV.",
                ("in_qpv",),
            )
        else:
            out.add(cond, NOT_MET, f"{_cap(where)}.")
        return effective


# ---------------------------------------------------------------------------------- location lists


def _declared(name: str, cond: str, unknown_detail: str, answers: dict, out: Reasons) -> None:
    """A location list our data cannot decide: the user's answer decides it (an assumption)."""
    v = answers.get(name, MISSING)
    if v is MISSING:
        out.add(cond, UNKNOWN, unknown_detail, (name,))
        return
    out.add(cond, MET if v else NOT_MET, f"Selon votre réponse ({fmt(name, v)}).")
    if v:
        out.assume(f"declared_{name}", f"{cond} : d'après votre déclaration, non vérifiée dans nos données.")


def _zrr(place: Place, answers: dict, out: Reasons) -> None:
    cond = "Commune classée en zone de revitalisation rurale (ZRR)"
    code, label = place.zrr, place.zrr_label
    if code == "classee":
        out.add(cond, MET, f"Classement ZRR de la commune : {label or code}.")
    elif code == "non_classee":
        out.add(cond, NOT_MET, f"Classement ZRR de la commune : {label or code}.")
    else:
        why = (
            "commune partiellement classée en ZRR"
            if code == "partiellement_classee"
            else place.zrr_reason or "classement ZRR inconnu"
        )
        _declared(
            "in_zrr", cond, f"{_cap(why)} : précisez si le cabinet est dans une partie classée.", answers, out
        )


def _frr(place: Place, answers: dict, out: Reasons) -> None:
    _declared(
        "in_frr",
        "Commune classée France Ruralités Revitalisation (FRR)",
        "Le classement FRR des communes n'est pas dans nos données : précisez-le.",
        answers,
        out,
    )


def _zfu(place: Place, answers: dict, out: Reasons) -> None:
    _declared(
        "in_zfu",
        "Cabinet en zone franche urbaine – territoire entrepreneur (ZFU-TE)",
        "Les périmètres des ZFU-TE ne sont pas dans nos données : précisez si le cabinet y est situé.",
        answers,
        out,
    )


def _zone_rouge(place: Place, answers: dict, out: Reasons) -> None:
    cond = "Intercommunalité prioritaire (« zone rouge », 151 EPCI)"
    name = place.epci_name
    if place.zone_rouge is True:
        detail = f"L'intercommunalité {name or ''} figure sur la liste des zones rouges."
        out.add(cond, MET, detail.replace("  ", " "))
        return
    if place.zone_rouge is False:
        out.add(
            cond, NOT_MET, f"L'intercommunalité {name or ''} ne figure pas sur la liste des zones rouges."
        )
        return
    reason = (
        place.zone_rouge_reason or "la liste officielle des 151 intercommunalités n'est connue qu'en partie"
    )
    _declared(
        "epci_zone_rouge",
        cond,
        f"Statut inconnu pour l'intercommunalité {name or 'du lieu'} : {reason} "
        "(absence de la liste ≠ exclusion).",
        answers,
        out,
    )


_FLAG_CHECKS: dict[str, Any] = {"zrr": _zrr, "frr": _frr, "zfu": _zfu, "zone_rouge": _zone_rouge}

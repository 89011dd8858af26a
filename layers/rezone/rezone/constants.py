"""Public vocabulary of the API (DESIGN.md, "Vocabulary"): professions, zone codes, territory levels."""

__all__ = ["FACILITY_FILTERS", "FACILITY_KINDS", "FACILITY_TYPES", "LEVELS", "PROFESSIONS", "PROFESSION_LABELS", "ZONE_CODES", "ZONE_LABELS"]

PROFESSIONS: tuple[str, ...] = (
    "medecin",
    "infirmier",
    "masseur_kinesitherapeute",
    "sage_femme",
    "chirurgien_dentiste",
    "orthophoniste",
)

PROFESSION_LABELS: dict[str, str] = {
    "medecin": "Médecin généraliste",
    "infirmier": "Infirmier",
    "masseur_kinesitherapeute": "Masseur-kinésithérapeute",
    "sage_femme": "Sage-femme",
    "chirurgien_dentiste": "Chirurgien-dentiste",
    "orthophoniste": "Orthophoniste",
}

_OTHER = ("tres_sous_dote", "sous_dote", "sous_dense", "intermediaire", "tres_dote", "sur_dote", "non_prioritaire")
ZONE_CODES: dict[str, tuple[str, ...]] = {
    "medecin": ("ZIP", "ZAC", "ZAR", "ZV", "HV", "HZ"),
    **{p: _OTHER for p in PROFESSIONS[1:]},
}

ZONE_LABELS: dict[str, str] = {
    "ZIP": "Zone d'intervention prioritaire",
    "ZAC": "Zone d'action complémentaire",
    "ZAR": "Zone d'accompagnement régional",
    "ZV": "Zone de vigilance",
    "HV": "Hors vivier",
    "HZ": "Hors zonage",
    "tres_sous_dote": "Très sous-doté",
    "sous_dote": "Sous-doté",
    "sous_dense": "Sous-dense",
    "intermediaire": "Intermédiaire",
    "tres_dote": "Très doté",
    "sur_dote": "Sur-doté",
    "non_prioritaire": "Non prioritaire",
}

LEVELS: tuple[str, ...] = ("commune", "epci", "bassin_de_vie", "departement", "region", "france", "tvs")

# Facility types (``type`` of /v1/facilities and of the facilities tiles) → French label
FACILITY_TYPES: dict[str, str] = {
    "hopital_public": "Hôpital public",
    "hopital_prive_non_lucratif": "Hôpital privé à but non lucratif",
    "clinique_privee": "Clinique privée",
    "etablissement_prive": "Établissement de santé privé (statut non précisé)",
    "etablissement_de_sante": "Établissement de santé (statut non précisé)",
    "centre_de_sante": "Centre de santé",
    "msp": "Maison de santé pluriprofessionnelle",
    "pharmacie": "Pharmacie",
    "centre_medico_psychologique": "Centre médico-psychologique",
    "maison_medicale_de_garde": "Maison médicale de garde",
    "laboratoire": "Laboratoire de biologie médicale",
    "ehpad": "EHPAD",
    "autre": "Autre structure de santé",
}

# Kinds of structure (``kind`` of /v1/facilities and of the facilities tiles, from the FINESS category:
# rezone_build.ingest_facilities.FACILITY_KINDS and finess_categories.csv) → French label
FACILITY_KINDS: dict[str, str] = {
    "chu_chr": "CHR / CHU",
    "centre_hospitalier": "Centre hospitalier",
    "clinique_mco": "Clinique (médecine, chirurgie, obstétrique)",
    "ssr": "Soins médicaux et de réadaptation (SMR, ex-SSR)",
    "psychiatrie": "Psychiatrie",
    "had": "Hospitalisation à domicile (HAD)",
    "dialyse": "Dialyse",
    "clcc": "Centre de lutte contre le cancer",
    "soins_longue_duree": "Soins de longue durée",
    "hopital_armees": "Hôpital des armées",
    "gcs": "Groupement de coopération sanitaire",
    "centre_de_sante": "Centre de santé",
    "msp": "Maison de santé pluriprofessionnelle",
    "pharmacie": "Pharmacie",
    "autre": "Autre structure de santé",
}
# Values the ``type`` filter of /v1/facilities accepts: a legal status (type) or a kind of structure
FACILITY_FILTERS: tuple[str, ...] = tuple(dict.fromkeys([*FACILITY_TYPES, *FACILITY_KINDS]))

// Public vocabulary (DESIGN.md) and Rézone's colours: one place for the map, the legend and the card.

export const PROFESSIONS = [
  ["medecin", "Médecin généraliste"],
  ["infirmier", "Infirmier"],
  ["masseur_kinesitherapeute", "Masseur-kinésithérapeute"],
  ["sage_femme", "Sage-femme"],
  ["chirurgien_dentiste", "Chirurgien-dentiste"],
  ["orthophoniste", "Orthophoniste"],
];
export const PROFESSION_LABEL = Object.fromEntries(PROFESSIONS);
export const DEFAULT_PROFESSION = "medecin";

// Colour and meaning of each zone code, the same colours as the tile styles (docs/tiles.md; a style's
// metadata "rezone:legend" overrides them at run time). Doctors: Rézone's code (hors zonage white,
// ZV green, ZAC blue, ZIP orange) plus ZAR (Hauts-de-France) in purple; other professions: a graded
// scale from the most under-served (dark red) to the best-served (dark blue). Unknown: grey.
export const ZONES = {
  ZIP: { short: "ZIP", color: "#f28c28", label: "Zone d'intervention prioritaire (ZIP)", meaning: "Offre de soins la plus fragile : aides de l'Assurance Maladie et de l'ARS." },
  ZAC: { short: "ZAC", color: "#3a7dce", label: "Zone d'action complémentaire (ZAC)", meaning: "Offre fragile, à un degré moindre : aides de l'Assurance Maladie et de l'ARS, moindres qu'en ZIP." },
  ZAR: { short: "ZAR", color: "#8e5bc9", label: "Zone d'accompagnement régional (ZAR)", meaning: "Zonage propre aux Hauts-de-France : contrats régionaux de l'ARS." },
  ZV: { short: "ZV", color: "#4caf50", label: "Zone de vigilance (ZV)", meaning: "Territoire sous surveillance, sans aide conventionnelle." },
  HV: { short: "Hors vivier", color: "#d9d9d9", label: "Hors vivier", meaning: "Hors du vivier de sélection : pas d'aide liée au zonage." },
  HZ: { short: "Hors zonage", color: "#ffffff", label: "Hors zonage", meaning: "Ni ZIP, ni ZAC, ni zone de vigilance : pas d'aide liée au zonage." },
  tres_sous_dote: { short: "Très sous-doté", color: "#b2182b", label: "Très sous-doté", meaning: "Offre très insuffisante : aides conventionnelles à l'installation." },
  sous_dense: { short: "Sous-dense", color: "#f4a582", label: "Sous-dense", meaning: "Orthophonistes : zones très sous-dotées et sous-dotées réunies, éligibles aux aides." },
  sous_dote: { short: "Sous-doté", color: "#ef8a62", label: "Sous-doté", meaning: "Offre insuffisante : aides selon la profession (collectivités, contrats)." },
  intermediaire: { short: "Intermédiaire", color: "#f7f7f7", label: "Intermédiaire", meaning: "Offre dans la moyenne : pas d'aide liée au zonage." },
  tres_dote: { short: "Très doté", color: "#92c5de", label: "Très doté", meaning: "Offre abondante." },
  sur_dote: { short: "Sur-doté", color: "#2166ac", label: "Sur-doté", meaning: "Offre excédentaire : conventionnement régulé (une installation pour un départ)." },
  non_prioritaire: { short: "Non prioritaire", color: "#e0e0e0", label: "Non prioritaire", meaning: "Conventionnement régulé (une installation pour un départ)." },
};
export const UNKNOWN_ZONE = { short: "Inconnu", color: "#cfcfcf", label: "Donnée non disponible", meaning: "Pas de zonage publié pour ce territoire dans nos sources." };

// The classes each profession's zonage uses (reference: aids-and-zonage.md, section 2.3).
export const PROFESSION_ZONES = {
  medecin: ["ZIP", "ZAC", "ZAR", "ZV", "HV", "HZ"],
  infirmier: ["tres_sous_dote", "sous_dote", "intermediaire", "tres_dote", "sur_dote"],
  masseur_kinesitherapeute: ["tres_sous_dote", "sous_dote", "intermediaire", "non_prioritaire"],
  sage_femme: ["tres_sous_dote", "sous_dote", "intermediaire", "tres_dote", "sur_dote"],
  chirurgien_dentiste: ["tres_sous_dote", "sous_dote", "intermediaire", "tres_dote", "non_prioritaire"],
  orthophoniste: ["sous_dense", "intermediaire", "tres_dote", "sur_dote"],
};

export const zoneInfo = (code) => (code && ZONES[code]) || UNKNOWN_ZONE;

// Row labels of the comparison charts, short enough for a phone.
export const LEVEL_SHORT = {
  commune: "Commune",
  epci: "EPCI",
  bassin_de_vie: "Bassin de vie",
  departement: "Département",
  region: "Région",
  france: "France",
};

export const LEVEL_LABEL = {
  commune: "Commune",
  epci: "Intercommunalité",
  bassin_de_vie: "Bassin de vie (INSEE 2022)",
  departement: "Département",
  region: "Région",
  france: "France",
  tvs: "Territoire de vie-santé",
};

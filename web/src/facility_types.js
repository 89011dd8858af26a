// Facility types in French (no MapLibre here: the card and the first view use them before the map loads).
// The types of the dataset (rezone_build.ingest_facilities.FACILITY_TYPES), in French.
export const FACILITY_TYPES = {
  hopital_public: "Hôpital public",
  hopital_prive_non_lucratif: "Hôpital privé à but non lucratif",
  clinique_privee: "Clinique privée",
  etablissement_prive: "Établissement de santé privé (statut non précisé)",
  etablissement_de_sante: "Établissement de santé (statut non précisé)",
  centre_de_sante: "Centre de santé",
  msp: "Maison de santé pluriprofessionnelle",
  pharmacie: "Pharmacie",
  centre_medico_psychologique: "Centre médico-psychologique",
  maison_medicale_de_garde: "Maison médicale de garde",
  laboratoire: "Laboratoire de biologie médicale",
  ehpad: "EHPAD",
  autre: "Autre structure de santé",
};

export function facilityTypeLabel(type) {
  if (!type) return "Type inconnu";
  if (FACILITY_TYPES[type]) return FACILITY_TYPES[type];
  const s = String(type).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Kinds of structure (rezone_build.ingest_facilities.FACILITY_KINDS, from the FINESS category), in French.
export const FACILITY_KINDS = {
  chu_chr: "CHR / CHU",
  centre_hospitalier: "Centre hospitalier",
  clinique_mco: "Clinique (médecine, chirurgie, obstétrique)",
  ssr: "Soins médicaux et de réadaptation (SMR, ex-SSR)",
  psychiatrie: "Psychiatrie",
  had: "Hospitalisation à domicile (HAD)",
  dialyse: "Dialyse",
  clcc: "Centre de lutte contre le cancer",
  soins_longue_duree: "Soins de longue durée",
  hopital_armees: "Hôpital des armées",
  gcs: "Groupement de coopération sanitaire",
  centre_de_sante: "Centre de santé",
  msp: "Maison de santé pluriprofessionnelle",
  pharmacie: "Pharmacie",
  autre: "Autre structure de santé",
};
export const facilityKindLabel = (k) => FACILITY_KINDS[k] || facilityTypeLabel(k);

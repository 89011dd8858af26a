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

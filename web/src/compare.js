// Compare 2 to 4 communes side by side (/?compare=80021,80001,34032&profession=medecin): one table,
// a column per commune: zonage of the profession, population, density figures, distance to the
// nearest hospital, QPV / ZRR / zone rouge, and the total of the aids the simulator finds eligible
// with the same answers. Printable.
import { api } from "./api.js";
import { communeZonage } from "./card.js";
import { fmtEuro, fmtNumber, h, setChildren } from "./dom.js";
import { PROFESSION_LABEL, zoneInfo } from "./zones.js";

export const MAX_COMPARE = 4;
// Density of professionals in the commune's bassin de vie (CartoSanté / INSEE), per profession.
const BV_DENSITY = {
  medecin: "densite_de_generalistes_lib",
  infirmier: "densite_d_infirmiers_lib",
  sage_femme: "densite_de_sages_femmes_lib",
  orthophoniste: "densite_d_orthophonistes_lib",
};

const missing = (reason) => h("span", { class: "na" }, "non disponible", reason ? h("span", { class: "hint" }, ` (${reason})`) : null);

async function loadOne(code, profession, answers) {
  const territory = await api.territory("commune", code);
  const found = await api.communes(code, 5).catch(() => null);
  const hit = ((found && found.results) || []).find((r) => r.code === code);
  const centre = hit && hit.center;
  const located = centre ? await api.locate(centre.lat, centre.lon).catch(() => null) : null;
  const sim = await api.eligibility({ profession, location: { commune: code }, answers }).catch((err) => ({ error: err.message }));
  return { code, territory, located: located && located.commune && located.commune.code === code ? located : null, sim };
}

function rows(items, profession) {
  const fig = (t, id) => (t.figures || {})[id];
  const value = (f, fmt = fmtNumber) => (f && f.value !== null && f.value !== undefined ? fmt(f.value) : missing(f && f.reason));
  const out = [];
  out.push([`Zonage ${PROFESSION_LABEL[profession].toLowerCase()}`, (it) => {
    const z = communeZonage(it.territory, it.located)[profession];
    return z && z.code ? h("span", { class: "zone-tag", dataset: { zone: z.code } }, zoneInfo(z.code).label) : missing(z && z.reason);
  }]);
  out.push(["Population", (it) => value(fig(it.territory, "population"))]);
  if (profession === "medecin") {
    out.push(["APL aux médecins généralistes (2023)", (it) => {
      const f = fig(it.territory, "apl_mg_2023");
      return f && f.value !== null ? [fmtNumber(f.value), f.quartile ? h("span", { class: "hint" }, ` — quartile ${f.quartile}/4`) : null] : missing(f && f.reason);
    }]);
    out.push(["Patients par médecin généraliste", (it) => value(fig(it.territory, "patients_par_medecin"))]);
  }
  const bvKey = BV_DENSITY[profession];
  out.push([`Densité de ${PROFESSION_LABEL[profession].toLowerCase()}s libéraux (bassin de vie)`, (it) => {
    const f = bvKey && it.territory.bassin_de_vie && (it.territory.bassin_de_vie.figures || {})[bvKey];
    return f && f.value !== null && f.value !== undefined ? [fmtNumber(f.value), h("span", { class: "hint" }, ` ${f.unit || ""}`)]
      : missing(bvKey ? "pas de chiffre pour ce bassin de vie" : "indicateur absent des sources chargées");
  }]);
  out.push(["Hôpital le plus proche (à vol d'oiseau)", (it) => {
    const f = fig(it.territory, "acces_hopital");
    return f && f.value && typeof f.value.distance_km === "number" ? `${fmtNumber(f.value.distance_km)} km` : missing(f && f.reason);
  }]);
  out.push(["QPV au centre de la commune", (it) => (it.located ? (it.located.qpv ? it.located.qpv.name || it.located.qpv.code : "non") : missing("localisation impossible"))]);
  out.push(["Zone de revitalisation rurale (ZRR)", (it) => {
    const z = it.located && it.located.flags && it.located.flags.zrr;
    return z && z.label ? z.label : missing(z && z.reason);
  }]);
  out.push(["« Zone rouge » (Un médecin près de chez vous)", (it) => {
    const z = it.located && it.located.flags && it.located.flags.zone_rouge;
    if (!z) return missing("liste partielle des 151 intercommunalités");
    return z.value === true ? "oui" : z.value === false ? "non" : missing(z.reason);
  }]);
  out.push(["Total des aides éligibles (mêmes réponses)", (it) => (it.sim && !it.sim.error
    ? h("strong", {}, fmtEuro(it.sim.total_eligible_eur ?? 0)) : missing(it.sim && it.sim.error))]);
  return out;
}

/** Render the comparison of ``codes`` into ``section`` (a <section> with a heading and a body). */
export async function renderCompare(body, codes, profession, answers, onRemove) {
  setChildren(body, h("p", { class: "hint" }, "Chargement de la comparaison…"));
  const settled = await Promise.allSettled(codes.map((c) => loadOne(c, profession, answers)));
  const items = settled.map((s, i) => (s.status === "fulfilled" ? s.value : { code: codes[i], error: s.reason && s.reason.message }));
  const ok = items.filter((it) => !it.error);
  const failed = items.filter((it) => it.error);
  const table = h("table", { class: "compare-table", id: "compare-table" },
    h("caption", {}, `Comparaison pour la profession ${PROFESSION_LABEL[profession].toLowerCase()}`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Commune"), ok.map((it) => h("th", { scope: "col", dataset: { commune: it.code } },
      `${it.territory.name} (${it.code})`, " ",
      h("button", { type: "button", class: "link-button no-print", "aria-label": `Retirer ${it.territory.name} de la comparaison`, onclick: () => onRemove(it.code) }, "retirer"))))),
    h("tbody", {}, rows(ok, profession).map(([label, cell]) =>
      h("tr", {}, h("th", { scope: "row" }, label), ok.map((it) => h("td", { dataset: { commune: it.code } }, cell(it)))))));
  setChildren(body,
    h("div", { class: "table-scroll" }, table),
    failed.length ? h("p", { class: "error" }, failed.map((it) => `${it.code} : ${it.error}`).join(" ; ")) : null,
    h("p", { class: "hint" }, "Sources : zonages des ARS (CartoSanté), populations légales INSEE, APL DREES, indicateurs CartoSanté par bassin de vie, FINESS et SAE pour les hôpitaux ; aides calculées par le simulateur de Rézone avec les réponses actuelles, à titre indicatif."));
  return ok;
}

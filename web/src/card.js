// The territory card: zonage of every profession, key figures compared with the enclosing
// territories (small SVG bar charts), sources and vintages, and "donnée non disponible" wherever
// the API says a value is missing (with its reason).
import { fmtNumber, h } from "./dom.js";
import { LEVEL_LABEL, LEVEL_SHORT, PROFESSIONS, PROFESSION_LABEL, PROFESSION_ZONES, UNKNOWN_ZONE, zoneInfo } from "./zones.js";

export const COMPARE_LEVELS = ["commune", "epci", "departement", "region", "france"];

// Human titles of the source ids the API returns (ids from the release's sources).
const SOURCE_TITLES = {
  "decoupage-administratif": "Découpage administratif et populations légales (INSEE, COG 2026)",
  "france-geojson": "Contours des communes (IGN ADMIN EXPRESS)",
  "zonage-medecins": "Zonage des médecins généralistes (ARS, CartoSanté)",
  "zonage-autres-professions": "Zonages des autres professions de santé (ARS, CartoSanté)",
  apl: "Accessibilité potentielle localisée (DREES)",
  "indicateurs-bassins-de-vie": "Indicateurs CartoSanté et INSEE par bassin de vie et département",
  "etablissements-sae": "Statistique annuelle des établissements de santé (DREES SAE)",
  "etablissements-geolocalises": "Établissements de santé géolocalisés (FINESS)",
  "communes-centroides": "Points de référence des communes (INSEE, La Poste)",
  qpv: "Quartiers prioritaires de la politique de la ville (ANCT, ARS)",
  cpts: "Communautés professionnelles territoriales de santé (ARS PACA)",
  "zones-rouges-2025": "« Zones rouges » du plan « Un médecin près de chez vous » (2025)",
  "hopitaux-france": "Hôpitaux géolocalisés (FINESS, extraction du 6 mars 2020)",
  "communes-bassins-de-vie": "Bassins de vie 2022 des communes (INSEE, table d'appartenance 2024)",
  "bpe-sante-communes": "Base permanente des équipements, services de santé (INSEE, BPE 2020)",
};
export const sourceTitle = (id) => (id && SOURCE_TITLES[id]) || id || "source non précisée";

const FIGURE_LABELS = {
  population: "Population légale",
  apl_mg_2023: "Accessibilité aux médecins généralistes (APL 2023)",
  apl_mg_2022: "Accessibilité aux médecins généralistes (APL 2022)",
  apl_mg_trend: "Évolution de l'APL entre 2022 et 2023",
  acces_hopital: "Population éloignée d'un hôpital",
  etablissements: "Établissements de santé",
  patients_par_medecin: "Patients par médecin généraliste",
  age_medecins: "Âge des médecins généralistes",
  secteur_medecins: "Secteur de conventionnement des médecins",
  actes_par_medecin: "Actes par médecin généraliste",
  "bv.densite_de_generalistes_lib": "Densité de médecins généralistes libéraux",
  "bv.densite_d_infirmiers_lib": "Densité d'infirmiers libéraux",
  "bv.densite_de_sages_femmes_lib": "Densité de sages-femmes libérales",
  "bv.densite_d_orthophonistes_lib": "Densité d'orthophonistes libéraux",
  "bv.densite_des_pharmacies_pour_10_000_hab": "Densité de pharmacies",
  "bv.part_des_pers_agees_de_75_ans_ou_plus": "Part des 75 ans ou plus",
  "bv.part_des_benef_en_ald_dans_la_pop": "Part des patients en affection de longue durée (ALD)",
  "bv.part_des_benef_ophtalmo_dans_pop": "Part des patients vus par un ophtalmologue",
  "bv.apl_medecins_generalistes": "APL aux médecins généralistes (bassin de vie)",
  "bv.taux_de_pauvrete": "Taux de pauvreté",
  "bv.mediane_du_niveau_de_vie": "Niveau de vie médian",
  "bv.nombre_de_deces_domicilies": "Décès domiciliés",
  "bv.part_des_pers_agees_de_moins_de_15_ans": "Part des moins de 15 ans",
  "bv.densite_de_population_historique_depuis_1876": "Densité de population",
  "bv.taille_moyenne_des_menages": "Taille moyenne des ménages",
  "bv.part_des_familles_monoparentales": "Part des familles monoparentales",
  "bv.part_des_ouvriers_dans_le_nb_demplois_au_lt": "Part des ouvriers dans les emplois",
};
// BPE 2020 services shown in the health environment (slug → label), most useful first.
const BPE_SHOWN = [
  ["urgences", "Urgences"], ["maternite", "Maternité"], ["msp", "Maison de santé pluriprofessionnelle"],
  ["centre_de_sante", "Centre de santé"], ["pharmacie", "Pharmacie"], ["laboratoire", "Laboratoire d'analyses"],
  ["ambulance", "Ambulance"], ["court_sejour", "Hôpital, court séjour"], ["moyen_sejour", "Soins de suite (moyen séjour)"],
  ["psychiatrie", "Établissement psychiatrique"], ["psychiatrie_ambulatoire", "Psychiatrie ambulatoire"],
  ["dialyse", "Dialyse"], ["had", "Hospitalisation à domicile"], ["lutte_cancer", "Centre de lutte contre le cancer"],
];
const PROFESSION_PLURAL = {
  medecin: "médecins généralistes", infirmier: "infirmiers", masseur_kinesitherapeute: "masseurs-kinésithérapeutes",
  sage_femme: "sages-femmes", chirurgien_dentiste: "chirurgiens-dentistes", orthophoniste: "orthophonistes",
};

// The access figure is an object (distance and shares beyond 10/20/30 km): split it into plain figures.
const ACCESS_PARTS = [
  ["distance_km", "Distance moyenne à l'hôpital le plus proche (à vol d'oiseau)", "km"],
  ["share_gt_20km", "Part de la population à plus de 20 km d'un hôpital", "part de la population"],
  ["share_gt_30km", "Part de la population à plus de 30 km d'un hôpital", "part de la population"],
];
const ACCESS_SOURCE = "hopitaux-france,etablissements-sae";
const ACCESS_METHOD = "Distance à vol d'oiseau du point de référence de chaque commune à l'hôpital le plus proche, "
  + "pondérée par la population ; ce n'est pas un temps de trajet";
export function expandFigures(figs) {
  const out = {};
  for (const [id, fig] of Object.entries(figs)) {
    if (id !== "acces_hopital") {
      out[id] = fig;
      continue;
    }
    const pick = (v, key) => (v && typeof v === "object" ? v[key] ?? null : null);
    for (const [key, label, unit] of ACCESS_PARTS) {
      const enclosing = {};
      for (const [lvl, e] of Object.entries(fig.enclosing || {})) {
        enclosing[lvl] = { ...e, unit, value: pick(e.value, key), reason: pick(e.value, key) === null ? e.reason || "non calculé" : undefined };
      }
      out[`acces_hopital.${key}`] = {
        ...fig, label, unit, value: pick(fig.value, key), enclosing,
        source: ACCESS_SOURCE, vintage: "FINESS 2020, SAE 2023", method: ACCESS_METHOD, quiet: key !== ACCESS_PARTS[ACCESS_PARTS.length - 1][0],
        reason: pick(fig.value, key) === null ? fig.reason || "non calculé pour ce territoire" : undefined,
      };
    }
  }
  return out;
}

export function figureLabel(id, fig) {
  if (fig && (fig.label || fig.title)) return fig.label || fig.title;
  if (FIGURE_LABELS[id]) return FIGURE_LABELS[id];
  const s = id.replace(/^departement\./, "").replace(/[_.]+/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function formatValue(fig) {
  if (!fig || fig.value === null || fig.value === undefined) return "donnée non disponible";
  const v = fig.value;
  if (typeof v === "number") {
    if (fig.unit === "part de la population") return `${fmtNumber(Math.round(v * 1000) / 10)} %`;
    if (fig.unit === "%") return `${fmtNumber(v)} %`;
    const unit = fig.unit ? unitLabel(fig.unit) : "";
    return `${fmtNumber(v)}${unit ? ` ${unit}` : ""}`;
  }
  if (typeof v === "boolean") return v ? "oui" : "non";
  if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k} : ${typeof x === "number" ? fmtNumber(x) : x}`).join(", ");
  return String(v);
}

export const unitLabel = (u) => ({
  "consultations/an/habitant": "consultations/an/hab.",
  "consultations/an/habitant standardisé": "consultations/an/hab. standardisé",
  habitants: "hab.",
  nombre: "",
}[u] ?? u);

/** The commune's zone for each profession: from /v1/locate, else from the territory's shares. */
export function communeZonage(territory, located) {
  const out = {};
  for (const [p] of PROFESSIONS) {
    let z = located && located.zonage && located.zonage[p];
    if (z && z.territory && z.territory.level === "qpv" && z.commune_zonage) {
      z = { ...z.commune_zonage, qpv: { code: z.territory.code, code_zone: z.code, label: z.label } };
    }
    if (!z && territory && territory.figures) {
      const f = territory.figures[`zonage_${p}`];
      const shares = f && f.value && typeof f.value === "object" ? Object.entries(f.value) : [];
      const whole = shares.find(([, s]) => s >= 0.999);
      z = whole && whole[0] !== "inconnu"
        ? { code: whole[0], label: null, source: f.source, vintage: f.vintage }
        : { code: null, reason: (f && f.reason) || "zonage inconnu pour cette commune", source: f && f.source, vintage: f && f.vintage };
    }
    out[p] = z || { code: null, reason: "zonage inconnu pour cette commune" };
  }
  return out;
}

function swatch(color) {
  return h("svg", { class: "swatch", width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" },
    h("rect", { x: 0.5, y: 0.5, width: 13, height: 13, rx: 2, fill: color, stroke: "#5b6770" }));
}

function zonageList(zonage, profession) {
  return h("ul", { class: "zonage-list", "aria-label": "Zonage de la commune pour chaque profession" },
    PROFESSIONS.map(([p, label]) => {
      const z = zonage[p];
      const info = zoneInfo(z.code);
      return h("li", { class: p === profession ? "current" : null, dataset: { profession: p, zone: z.code || "" } },
        h("span", { class: "prof" }, label),
        h("span", { class: "zone" }, swatch(info.color), " ", h("strong", {}, z.code ? info.label : UNKNOWN_ZONE.label),
          z.code ? null : h("span", { class: "zreason" }, ` — ${z.reason || "zonage inconnu"}`),
          z.qpv ? h("span", { class: "zreason" }, ` ; au point choisi, QPV ${z.qpv.code} : ${zoneInfo(z.qpv.code_zone).label}`) : null),
        z.source ? h("span", { class: "src" }, `${sourceTitle(z.source)}${z.vintage ? `, ${z.vintage}` : ""}${z.label ? ` (libellé : ${z.label})` : ""}`) : null);
    }));
}

/** ZRR class, "zone rouge" intercommunality and QPV at the chosen point, from /v1/locate. */
function otherZonings(located) {
  const flags = (located && located.flags) || {};
  const zrr = flags.zrr;
  const rouge = flags.zone_rouge;
  const qpv = located && located.qpv;
  const na = (why) => h("span", { class: "na" }, `donnée non disponible${why ? ` (${why})` : ""}`);
  const rows = [
    ["Zone de revitalisation rurale (ZRR)", zrr && zrr.label ? zrr.label : na(zrr && zrr.reason)],
    ["Intercommunalité « zone rouge » (Un médecin près de chez vous)",
      rouge && rouge.value === true ? "oui" : na("liste officielle connue en partie seulement dans nos sources")],
    ["Quartier prioritaire (QPV) au point choisi",
      qpv ? `${qpv.name || ""} (${qpv.code})${qpv.obsolete ? ", génération 2015 remplacée en 2024" : ""}`
        : flags.in_qpv === false ? "non" : na("contours des QPV non chargés pour cette région")],
  ];
  return h("dl", { class: "deplist" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** Horizontal bars comparing one figure across levels (values may be negative). */
function barChart(id, rows, fig) {
  const values = rows.map((r) => r.value).filter((v) => typeof v === "number");
  const max = Math.max(...values.map(Math.abs), 1e-9);
  const hasNeg = values.some((v) => v < 0);
  const W = 200;
  const zero = hasNeg ? W / 2 : 0;
  const scale = hasNeg ? W / 2 : W;
  return h("table", { class: "bars", dataset: { figure: id } },
    h("caption", { class: "visually-hidden" }, `${figureLabel(id, fig)} : comparaison`),
    h("tbody", {}, rows.map((r, i) => {
      const ok = typeof r.value === "number";
      const len = ok ? (Math.abs(r.value) / max) * scale : 0;
      const x = ok && r.value < 0 ? zero - len : zero;
      return h("tr", { class: i === 0 ? "self" : null, dataset: { level: r.level } },
        h("th", { scope: "row" }, h("abbr", { title: LEVEL_LABEL[r.level] }, LEVEL_SHORT[r.level] || LEVEL_LABEL[r.level]),
          r.name && r.level !== "france" ? h("span", { class: "lvl-name" }, r.name) : null),
        h("td", { class: "bar-cell" }, ok
          ? h("svg", { width: "100%", height: 14, viewBox: `0 0 ${W} 14`, preserveAspectRatio: "none", "aria-hidden": "true" },
            h("rect", { x, y: 1, width: Math.max(len, 1), height: 12, class: i === 0 ? "bar bar-self" : "bar" }),
            hasNeg ? h("line", { x1: zero, x2: zero, y1: 0, y2: 14, class: "axis" }) : null)
          : null),
        h("td", { class: "num" }, ok ? formatValue({ ...fig, value: r.value, unit: fig.unit === "part de la population" ? fig.unit : null })
          : h("span", { class: "na", title: r.reason || "" }, "non disponible")));
    })));
}


/** Share of population in each zone for the current profession, one stacked bar per level. */
function sharesChart(territory, profession) {
  const fig = territory.figures && territory.figures[`zonage_${profession}`];
  if (!fig) return null;
  const rows = [{ level: territory.level, name: territory.name, value: fig.value }];
  for (const lvl of COMPARE_LEVELS.slice(1)) {
    const e = fig.enclosing && fig.enclosing[lvl];
    if (e) rows.push({ level: lvl, name: e.name, value: e.value, reason: e.reason });
  }
  const order = [...PROFESSION_ZONES[profession], "inconnu"];
  const W = 200;
  return h("figure", { class: "shares" },
    h("figcaption", {}, `Part de la population par zone — ${PROFESSION_LABEL[profession]}`),
    h("table", { class: "bars" }, h("tbody", {}, rows.map((r) => {
      const shares = r.value && typeof r.value === "object" ? r.value : null;
      let x = 0;
      const codes = shares ? [...order, ...Object.keys(shares).filter((k) => !order.includes(k))] : [];
      const desc = shares ? codes.filter((c) => shares[c] > 0)
        .map((c) => `${c === "inconnu" ? UNKNOWN_ZONE.short : zoneInfo(c).short} ${fmtNumber(Math.round(shares[c] * 1000) / 10)} %`).join(" · ") : "";
      return h("tr", { class: r.level === territory.level ? "self" : null },
        h("th", { scope: "row" }, h("abbr", { title: LEVEL_LABEL[r.level] }, LEVEL_SHORT[r.level] || LEVEL_LABEL[r.level])),
        h("td", { class: "bar-cell" }, shares
          ? [h("svg", { width: "100%", height: 14, viewBox: `0 0 ${W} 14`, preserveAspectRatio: "none", "aria-hidden": "true" },
            codes.filter((c) => shares[c] > 0).map((c) => {
              const w = shares[c] * W;
              const rect = h("rect", { x, y: 1, width: w, height: 12, fill: c === "inconnu" ? UNKNOWN_ZONE.color : zoneInfo(c).color, stroke: "#5b6770", "stroke-width": 0.4 });
              x += w;
              return rect;
            })), h("span", { class: "share-desc" }, desc)]
          : h("span", { class: "na" }, "donnée non disponible")));
    }))),
    h("p", { class: "src" }, `Source : ${sourceTitle(fig.source)}${fig.vintage ? `, ${fig.vintage}` : ""}. ${fig.method || ""}`));
}

function facilitiesTable(territory, fig, typeLabel) {
  const levels = [[territory.level, fig.value]];
  for (const lvl of COMPARE_LEVELS.slice(1)) {
    const e = fig.enclosing && fig.enclosing[lvl];
    if (e && e.value && typeof e.value === "object") levels.push([lvl, e.value]);
  }
  const types = [...new Set(levels.flatMap(([, v]) => Object.keys(v || {})))].sort();
  if (!types.length) return h("p", { class: "na" }, "Aucun établissement recensé dans nos sources pour ces territoires.");
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Établissements par type et par territoire (défilement horizontal)" }, h("table", { class: "counts" },
    h("caption", { class: "visually-hidden" }, "Nombre d'établissements de santé par type et par territoire"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Type"), levels.map(([l]) => h("th", { scope: "col", class: "num" },
      h("abbr", { title: LEVEL_LABEL[l] }, l === "departement" ? "Dép." : LEVEL_SHORT[l]))))),
    h("tbody", {}, types.map((t) => h("tr", {}, h("th", { scope: "row" }, typeLabel(t)),
      levels.map(([, v]) => h("td", { class: "num" }, fmtNumber((v && v[t]) || 0))))))));
}

function sourceLine(fig) {
  if (!fig.source && !fig.vintage) return null;
  return h("p", { class: "src" }, `Source : ${String(fig.source || "").split(",").map(sourceTitle).join(", ")}`,
    fig.vintage ? ` — millésime ${fig.vintage}` : "", fig.method ? `. ${fig.method}` : "");
}

/** Rows of a comparison: the figure's own territory (its BV for a commune's BV figure), then the
 * enclosing département, région and France (a BV figure is not compared with the commune's EPCI). */
function compareRows(territory, fig) {
  const own = fig.territory || { level: territory.level, name: territory.name };
  const rows = [{ level: fig.level || own.level, name: own.name, value: fig.value, reason: fig.reason }];
  const levels = (fig.level === "bassin_de_vie" ? [] : ["epci", "bassin_de_vie"]).concat(["departement", "region", "france"]);
  for (const lvl of levels) {
    if (lvl === rows[0].level || lvl === territory.level) continue;
    const e = fig.enclosing && fig.enclosing[lvl];
    if (e) rows.push({ level: lvl, name: e.name, value: e.value, reason: e.reason });
  }
  return rows;
}

const levelNote = (fig) => (fig.level === "bassin_de_vie" && fig.territory
  ? h("p", { class: "hint" }, `Chiffre du bassin de vie de ${fig.territory.name} (INSEE 2022), pas de la commune seule ; `
    + "département, région et France : moyenne des bassins de vie pondérée par la population, sauf valeur publiée.")
  : null);

/** One figure compared across levels: title, level note, bars, source. */
function figureBlock(territory, id, fig, label, note) {
  if (!fig) return null;
  note(fig);
  const rows = compareRows(territory, fig);
  const any = rows.some((r) => typeof r.value === "number");
  return h("div", { class: "figure", dataset: { figure: id } },
    h("h4", {}, label || figureLabel(id, fig),
      fig.unit && !["part de la population", "%"].includes(fig.unit) ? h("span", { class: "unit" }, ` (${unitLabel(fig.unit)})`) : null),
    fig.value === null || fig.value === undefined
      ? h("p", { class: "na" }, `Donnée non disponible${fig.reason ? ` : ${fig.reason}` : ""}.`) : null,
    typeof fig.quartile === "number" ? h("p", { class: "quartile" }, `${fig.quartile}${fig.quartile === 1 ? "er" : "e"} quart des communes (1 = accès le plus faible, 4 = le meilleur).`) : null,
    levelNote(fig),
    any ? barChart(id, rows, fig) : null,
    fig.quiet ? null : sourceLine(fig));
}

function nearestList(near, kindLabel) {
  const na = (why) => h("span", { class: "na" }, `donnée non disponible${why ? ` (${why})` : ""}`);
  const hop = near && near.hopital;
  const urg = near && near.urgences;
  return h("dl", { class: "deplist nearest" },
    h("dt", {}, "Hôpital le plus proche"),
    h("dd", {}, hop ? [`${hop.name} (${kindLabel(hop.kind)}) — ${fmtNumber(hop.distance_km)} km à vol d'oiseau`,
      hop.precision === "commune" ? " (position approximative)" : "",
      h("span", { class: "src" }, ` — ${sourceTitle(hop.source)}, ${hop.vintage}`)] : na(near && near.reason)),
    h("dt", {}, "Commune la plus proche avec un service d'urgences"),
    h("dd", {}, urg ? [`${urg.commune.name} — ${fmtNumber(urg.distance_km)} km à vol d'oiseau`,
      h("span", { class: "src" }, " — niveau commune (BPE 2020 : l'adresse du service n'est pas connue), "
        + `${sourceTitle(urg.source)}`)] : na(near && near.reason)));
}

function cptsLine(territory) {
  if (!("cpts" in territory) && !territory.cpts_reason) return null;
  const list = territory.cpts;
  return h("dl", { class: "deplist" }, h("dt", {}, "CPTS (communauté professionnelle territoriale de santé)"),
    h("dd", {}, list === null || list === undefined
      ? h("span", { class: "na" }, `inconnu : ${territory.cpts_reason || "liste non chargée"}`)
      : list.length ? list.map((c, i) => [i ? " ; " : "", c.name, c.partial ? " (une partie de la commune)" : ""])
        : "aucune CPTS de la liste ARS PACA ne couvre cette commune"));
}

/** BPE 2020 services: count in the territory and rate per 10,000 inhabitants at each level. */
function bpeTable(territory, figs, note) {
  const first = figs[`bpe.${BPE_SHOWN[0][0]}`];
  if (!first) return null;
  note(first);
  const levels = [territory.level, ...["bassin_de_vie", "departement", "region", "france"]
    .filter((l) => l !== territory.level && first.enclosing && first.enclosing[l])];
  const rate = (f) => (f && typeof f.rate_per_10000 === "number" ? fmtNumber(f.rate_per_10000) : "–");
  const get = (fig, lvl) => (lvl === territory.level ? fig : fig.enclosing && fig.enclosing[lvl]);
  return [
    first.value === null ? h("p", { class: "na" }, `Donnée non disponible : ${first.reason}.`) : null,
    h("h4", {}, "Services de santé recensés (BPE 2020)"),
    h("p", { class: "hint" }, "Nombre dans le territoire, puis nombre pour 10 000 habitants à chaque niveau."),
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Services de santé BPE 2020 (défilement horizontal)" },
      h("table", { class: "counts bpe" },
        h("caption", { class: "visually-hidden" }, "Services de santé recensés (BPE 2020) : nombre, puis nombre pour 10 000 habitants"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Service"), h("th", { scope: "col", class: "num" }, "Nombre"),
          levels.map((l) => h("th", { scope: "col", class: "num" }, h("abbr", { title: `${LEVEL_LABEL[l]} : pour 10 000 hab.` },
            l === "departement" ? "Dép." : l === "bassin_de_vie" ? "BV" : LEVEL_SHORT[l]))))),
        h("tbody", {}, BPE_SHOWN.filter(([slug]) => figs[`bpe.${slug}`]).map(([slug, label]) => {
          const fig = figs[`bpe.${slug}`];
          return h("tr", { dataset: { bpe: slug } }, h("th", { scope: "row" }, label),
            h("td", { class: "num" }, fig.value === null ? "–" : fmtNumber(fig.value)),
            levels.map((l) => h("td", { class: "num" }, rate(get(fig, l)))));
        })))),
    h("p", { class: "src" }, "Source : INSEE, Base permanente des équipements 2020 (plus ancienne que les autres couches) ; "
      + "équipements (services d'un établissement), rapportés à la population légale 2026."),
  ];
}

/** Build the card body for ``territory`` (the /v1/territories answer) and ``located`` (/v1/locate). */
export function renderCard({ territory, located, profession, typeLabel, kindLabel = typeLabel }) {
  const zonage = communeZonage(territory, located);
  const enc = territory.enclosing || {};
  const figs = expandFigures(territory.figures || {});
  const sources = new Map();
  const note = (fig) => {
    if (fig && fig.source) for (const s of String(fig.source).split(",")) sources.set(s, fig.vintage);
  };
  Object.values(zonage).forEach(note);
  const bv = territory.bassin_de_vie;
  const z = zonage[profession] || {};
  const zi = zoneInfo(z.code);

  // -- Potentiel (current profession)
  const dens = (territory.profession_density || {})[profession];
  const densFig = dens && dens.figure ? figs[dens.figure] : null;
  // optional sources, when the release has them: professionals per commune (RPPS) compared as a rate,
  // APL of the other professions (latest year)
  const rate = (f) => f && { ...f, value: f.rate_per_10000 ?? null, unit: "pour 10 000 habitants",
    enclosing: Object.fromEntries(Object.entries(f.enclosing || {}).map(([l, e]) => [l, { ...e, value: e.rate_per_10000 ?? null }])) };
  const rpps = rate(figs[`rpps.${profession}`]);
  const aplOther = Object.keys(figs).filter((k) => k.startsWith(`apl_${profession}_`)).sort().pop();
  const potentiel = [
    figs.population ? h("p", { class: "pop", dataset: { figure: "population" } }, "Population légale : ",
      h("strong", { class: "value" }, formatValue(figs.population)),
      h("span", { class: "src" }, ` — ${sourceTitle(figs.population.source)}, ${figs.population.vintage}`)) : null,
    h("p", { class: "zone-now", dataset: { zone: z.code || "" } }, swatch(zi.color), " Zonage : ",
      h("strong", {}, z.code ? zi.label : UNKNOWN_ZONE.label), z.code ? null : h("span", { class: "zreason" }, ` — ${z.reason || "zonage inconnu"}`),
      z.source ? h("span", { class: "src" }, ` — ${sourceTitle(z.source)}${z.vintage ? `, ${z.vintage}` : ""}`) : null),
    densFig ? figureBlock(territory, dens.figure, densFig, `Densité de ${PROFESSION_PLURAL[profession]} libéraux`, note)
      : h("div", { class: "figure", dataset: { figure: `densite_${profession}` } },
        h("h4", {}, `Densité de ${PROFESSION_PLURAL[profession]}`),
        h("p", { class: "na" }, `Donnée non disponible : ${(dens && dens.reason) || "aucune densité par bassin de vie pour cette profession"}.`)),
    rpps ? figureBlock(territory, `rpps.${profession}`, rpps, `${PROFESSION_PLURAL[profession]} en exercice pour 10 000 habitants (RPPS)`, note) : null,
    aplOther ? figureBlock(territory, aplOther, figs[aplOther], `Accessibilité potentielle localisée (APL ${aplOther.slice(-4)})`, note) : null,
    profession === "medecin" ? figureBlock(territory, "apl_mg_2023", figs.apl_mg_2023, null, note) : null,
    profession === "medecin" ? figureBlock(territory, "apl_mg_trend", figs.apl_mg_trend, null, note) : null,
    figureBlock(territory, "bv.part_des_pers_agees_de_75_ans_ou_plus", figs["bv.part_des_pers_agees_de_75_ans_ou_plus"], null, note),
    figureBlock(territory, "bv.part_des_benef_en_ald_dans_la_pop", figs["bv.part_des_benef_en_ald_dans_la_pop"], null, note),
    h("p", { class: "na", dataset: { figure: "population_trend" } }, "Évolution de la population : donnée non disponible "
      + "(une seule année de population légale dans les sources chargées)."),
    territory.level === "commune" ? nearestList(territory.nearest, kindLabel) : null,
  ];

  // -- health environment
  const kinds = figs.etablissements_par_type;
  if (kinds) note(kinds);
  const environment = [
    cptsLine(territory),
    figs.cpts && territory.level !== "commune" ? figureBlock(territory, "cpts", figs.cpts, "CPTS couvrant le territoire", note) : null,
    bpeTable(territory, figs, note),
    kinds ? [h("h4", {}, "Établissements de santé par type (SAE 2023, FINESS)"), facilitiesTable(territory, kinds, kindLabel), sourceLine(kinds)] : null,
    figureBlock(territory, "bv.densite_des_pharmacies_pour_10_000_hab", figs["bv.densite_des_pharmacies_pour_10_000_hab"], null, note),
    Object.keys(figs).filter((k) => k.startsWith("acces_hopital.")).map((k) => figureBlock(territory, k, figs[k], null, note)),
  ];

  // -- socio-economic context
  const shown = new Set([dens && dens.figure, "bv.part_des_pers_agees_de_75_ans_ou_plus", "bv.part_des_benef_en_ald_dans_la_pop",
    "bv.densite_des_pharmacies_pour_10_000_hab"]);
  const context = Object.entries(figs).filter(([k, f]) => k.startsWith("bv.") && !shown.has(k) && FIGURE_LABELS[k]
    && typeof f.value !== "string");
  if (figs.population) note(figs.population);
  const depFigs = Object.entries(figs).filter(([k, f]) => k.startsWith("departement.") && k !== "departement.name"
    && typeof (f.enclosing && f.enclosing.departement ? f.enclosing.departement.value : f.value) !== "string");
  const missing = Object.entries(figs).filter(([k, f]) => ["patients_par_medecin", "age_medecins", "secteur_medecins", "actes_par_medecin"].includes(k)
    && (f.value === null || f.value === undefined));
  const ctxRow = ([k, f]) => {
    note(f);
    const d = f.enclosing && f.enclosing.departement;
    const fr = f.enclosing && f.enclosing.france;
    return [h("dt", {}, figureLabel(k, f)), h("dd", { dataset: { figure: k } }, formatValue(f),
      d && typeof d.value === "number" ? ` · dép. ${formatValue({ ...d, unit: f.unit })}` : "",
      fr && typeof fr.value === "number" ? ` · France ${formatValue({ ...fr, unit: f.unit })}` : "",
      h("span", { class: "src" }, ` — ${f.level === "bassin_de_vie" ? "bassin de vie, " : ""}${sourceTitle(f.source)}${f.vintage ? `, ${f.vintage}` : ""}`))];
  };

  return [
    h("nav", { class: "card-nav", "aria-label": "Dans cette fiche" },
      h("a", { href: "#potentiel-title" }, "Potentiel"), h("a", { href: "#env-title" }, "Offre de soins"),
      h("a", { href: "#zonage-title" }, "Zonages"), h("a", { href: "#sim-title" }, "Simulateur d'aides")),
    h("p", { class: "where" }, [
      `Code INSEE ${territory.code}`,
      enc.epci ? ` · ${enc.epci.name}` : "",
      bv ? ` · bassin de vie de ${bv.name}` : "",
      enc.departement ? ` · ${enc.departement.name} (${enc.departement.code})` : "",
      enc.region ? ` · ${enc.region.name}` : "",
    ].join("")),
    bv && bv.parts ? h("p", { class: "hint" }, `Bassin de vie : ${bv.method}.`) : null,
    territory.level === "commune" && !bv && territory.bassin_de_vie_reason
      ? h("p", { class: "hint" }, `Bassin de vie inconnu : ${territory.bassin_de_vie_reason}.`) : null,
    territory.partial ? h("p", { class: "hint" }, `Attention : ${territory.partial}.`) : null,
    h("section", { class: "block potentiel", "aria-labelledby": "potentiel-title" },
      h("h3", { id: "potentiel-title" }, `Potentiel — ${PROFESSION_LABEL[profession]}`), potentiel),
    h("section", { class: "block", "aria-labelledby": "env-title" },
      h("h3", { id: "env-title" }, "Environnement de santé"), environment),
    h("section", { class: "block", "aria-labelledby": "zonage-title" },
      h("h3", { id: "zonage-title" }, "Zonages de toutes les professions"), zonageList(zonage, profession),
      located ? otherZonings(located) : null, sharesChart(territory, profession)),
    h("details", { class: "block more" },
      h("summary", {}, h("h3", { id: "ctx-title" }, "Contexte socio-économique")),
      context.length ? h("dl", { class: "deplist" }, context.map(ctxRow)) : null,
      depFigs.length ? [h("h4", {}, "Indicateurs publiés par département"), h("dl", { class: "deplist" }, depFigs.map(([k, f]) => {
        const d = f.enclosing && f.enclosing.departement;
        const shownFig = d || f;
        note(shownFig);
        return [h("dt", {}, figureLabel(k, f)), h("dd", {}, formatValue(shownFig),
          shownFig.source ? h("span", { class: "src" }, ` — ${sourceTitle(shownFig.source)}${shownFig.vintage ? `, ${shownFig.vintage}` : ""}`) : null)];
      }))] : null),
    missing.length ? h("section", { class: "block", "aria-labelledby": "missing-title" },
      h("h3", { id: "missing-title" }, "Données non disponibles"),
      h("ul", { class: "missing" }, missing.map(([k, f]) => h("li", {}, f.reason || `${figureLabel(k, f)} : donnée non disponible.`)))) : null,
    h("section", { class: "block", "aria-labelledby": "sources-title" },
      h("h3", { id: "sources-title" }, "Sources et millésimes"),
      h("ul", { class: "sources" }, [...sources].map(([s, v]) => h("li", {}, sourceTitle(s), v ? ` — ${v}` : "")))),
  ];
}

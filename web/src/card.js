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
};
const COMPARABLE = new Set(["apl_mg_2023", "apl_mg_2022", "apl_mg_trend", "acces_hopital"]);

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
const isComparable = (id) => COMPARABLE.has(id) || id.startsWith("acces_hopital.");

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
    h("tbody", {}, rows.map((r) => {
      const ok = typeof r.value === "number";
      const len = ok ? (Math.abs(r.value) / max) * scale : 0;
      const x = ok && r.value < 0 ? zero - len : zero;
      return h("tr", { class: r.level === "commune" ? "self" : null, dataset: { level: r.level } },
        h("th", { scope: "row" }, h("abbr", { title: LEVEL_LABEL[r.level] }, LEVEL_SHORT[r.level] || LEVEL_LABEL[r.level]),
          r.name && r.level !== "france" ? h("span", { class: "lvl-name" }, r.name) : null),
        h("td", { class: "bar-cell" }, ok
          ? h("svg", { width: "100%", height: 14, viewBox: `0 0 ${W} 14`, preserveAspectRatio: "none", "aria-hidden": "true" },
            h("rect", { x, y: 1, width: Math.max(len, 1), height: 12, class: r.level === "commune" ? "bar bar-self" : "bar" }),
            hasNeg ? h("line", { x1: zero, x2: zero, y1: 0, y2: 14, class: "axis" }) : null)
          : null),
        h("td", { class: "num" }, ok ? formatValue({ ...fig, value: r.value, unit: fig.unit === "part de la population" ? fig.unit : null })
          : h("span", { class: "na", title: r.reason || "" }, "non disponible")));
    })));
}

function levelRows(territory, id, fig) {
  const rows = [{ level: territory.level, name: territory.name, value: fig.value, reason: fig.reason }];
  for (const lvl of COMPARE_LEVELS.slice(1)) {
    const e = fig.enclosing && fig.enclosing[lvl];
    if (e) rows.push({ level: lvl, name: e.name, value: e.value, reason: e.reason });
    else if (territory.enclosing && territory.enclosing[lvl]) {
      rows.push({ level: lvl, name: territory.enclosing[lvl].name, value: null, reason: "non calculé à ce niveau" });
    }
  }
  return rows;
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

/** Build the card body for ``territory`` (the /v1/territories answer) and ``located`` (/v1/locate). */
export function renderCard({ territory, located, profession, typeLabel }) {
  const zonage = communeZonage(territory, located);
  const enc = territory.enclosing || {};
  const figs = expandFigures(territory.figures || {});
  const sources = new Map();
  const note = (fig) => {
    if (fig && fig.source) for (const s of String(fig.source).split(",")) sources.set(s, fig.vintage);
  };
  Object.values(zonage).forEach(note);

  const keyFigures = [];
  if (figs.population) {
    note(figs.population);
    keyFigures.push(h("div", { class: "figure", dataset: { figure: "population" } },
      h("h4", {}, figureLabel("population")), h("p", { class: "value" }, formatValue(figs.population)), sourceLine(figs.population)));
  }
  for (const id of Object.keys(figs).filter(isComparable)) {
    const fig = figs[id];
    note(fig);
    const rows = levelRows(territory, id, fig);
    const any = rows.some((r) => typeof r.value === "number");
    keyFigures.push(h("div", { class: "figure", dataset: { figure: id } },
      h("h4", {}, figureLabel(id, fig), fig.unit && fig.unit !== "part de la population" ? h("span", { class: "unit" }, ` (${unitLabel(fig.unit)})`) : null),
      fig.value === null || fig.value === undefined
        ? h("p", { class: "na" }, `Donnée non disponible pour la commune${fig.reason ? ` : ${fig.reason}` : ""}.`) : null,
      typeof fig.quartile === "number" ? h("p", { class: "quartile" }, `${fig.quartile}${fig.quartile === 1 ? "er" : "e"} quart des communes (1 = accès le plus faible, 4 = le meilleur).`) : null,
      any ? barChart(id, rows, fig) : null,
      fig.quiet ? null : sourceLine(fig)));
  }
  const shares = sharesChart(territory, profession);
  if (figs[`zonage_${profession}`]) note(figs[`zonage_${profession}`]);
  if (figs.etablissements) note(figs.etablissements);
  const depFigs = Object.entries(figs).filter(([k, f]) => k.startsWith("departement.") && k !== "departement.name"
    && typeof (f.enclosing && f.enclosing.departement ? f.enclosing.departement.value : f.value) !== "string");
  const bv = territory.bassin_de_vie;
  const bvFigs = bv && bv.figures ? Object.entries(bv.figures).filter(([, f]) => f && typeof f.value !== "string") : [];
  const missing = Object.entries(figs).filter(([k, f]) => !isComparable(k) && !k.startsWith("zonage_") && !k.startsWith("departement.")
    && k !== "population" && k !== "etablissements" && (f.value === null || f.value === undefined));

  return [
    h("nav", { class: "card-nav", "aria-label": "Dans cette fiche" },
      h("a", { href: "#zonage-title" }, "Zonage"), h("a", { href: "#figures-title" }, "Chiffres clés"),
      h("a", { href: "#sim-title" }, "Simulateur d'aides")),
    h("p", { class: "where" }, [
      `Code INSEE ${territory.code}`,
      enc.epci ? ` · ${enc.epci.name}` : "",
      enc.departement ? ` · ${enc.departement.name} (${enc.departement.code})` : "",
      enc.region ? ` · ${enc.region.name}` : "",
    ].join("")),
    territory.partial ? h("p", { class: "hint" }, `Attention : ${territory.partial}.`) : null,
    h("section", { class: "block", "aria-labelledby": "zonage-title" },
      h("h3", { id: "zonage-title" }, "Zonage"), zonageList(zonage, profession),
      located ? otherZonings(located) : null),
    h("section", { class: "block", "aria-labelledby": "figures-title" },
      h("h3", { id: "figures-title" }, "Chiffres clés comparés"),
      keyFigures, shares),
    depFigs.length ? h("details", { class: "block more" },
      h("summary", {}, h("h3", { id: "dep-title" }, `Indicateurs du département (${depFigs.length})`)),
      h("dl", { class: "deplist" }, depFigs.map(([k, f]) => {
        const d = f.enclosing && f.enclosing.departement;
        const shown = d || f;
        note(shown);
        return [h("dt", {}, figureLabel(k, f)), h("dd", {}, formatValue(shown),
          shown.source ? h("span", { class: "src" }, ` — ${sourceTitle(shown.source)}${shown.vintage ? `, ${shown.vintage}` : ""}`) : null)];
      }))) : null,
    h("details", { class: "block more" },
      h("summary", {}, h("h3", { id: "bv-title" }, `Indicateurs du bassin de vie${bvFigs.length ? ` (${bvFigs.length})` : ""}`)),
      bvFigs.length ? [
        bv.note ? h("p", { class: "hint" }, bv.note) : null,
        h("dl", { class: "deplist" }, bvFigs.map(([k, f]) => {
          note(f);
          return [h("dt", {}, figureLabel(k, f)), h("dd", {}, formatValue(f),
            f.vintage ? h("span", { class: "src" }, ` — ${sourceTitle(f.source)}, ${f.vintage}`) : null)];
        })),
      ] : h("p", { class: "na" }, `Donnée non disponible${territory.bassin_de_vie_reason ? ` : ${territory.bassin_de_vie_reason}` : ""}.`)),
    figs.etablissements ? h("section", { class: "block", "aria-labelledby": "fac-title" },
      h("h3", { id: "fac-title" }, "Offre de soins : établissements"),
      facilitiesTable(territory, figs.etablissements, typeLabel), sourceLine(figs.etablissements)) : null,
    missing.length ? h("section", { class: "block", "aria-labelledby": "missing-title" },
      h("h3", { id: "missing-title" }, "Données non disponibles"),
      h("ul", { class: "missing" }, missing.map(([k, f]) => h("li", {}, f.reason || `${figureLabel(k, f)} : donnée non disponible.`)))) : null,
    h("section", { class: "block", "aria-labelledby": "sources-title" },
      h("h3", { id: "sources-title" }, "Sources et millésimes"),
      h("ul", { class: "sources" }, [...sources].map(([s, v]) => h("li", {}, sourceTitle(s), v ? ` — ${v}` : "")))),
  ];
}

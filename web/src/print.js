// The printable one-page "carte d'identité du projet": commune, zonage, key figures, aids.
// Built on demand into #print-sheet, which only the print stylesheet shows.
import { communeZonage, expandFigures, figureLabel, formatValue, sourceTitle, unitLabel } from "./card.js";
import { fmtDate, fmtEuro, h, setChildren } from "./dom.js";
import { LEVEL_LABEL, PROFESSIONS, PROFESSION_LABEL, UNKNOWN_ZONE, zoneInfo } from "./zones.js";

const STATUS_TEXT = { eligible: "Éligible", not_eligible: "Non éligible", missing_information: "Informations manquantes" };
const KEY_FIGURES = ["population", "apl_mg_2023", "apl_mg_trend", "acces_hopital.distance_km"];

function notEligible(result) {
  const names = (result.aids || []).filter((a) => a.status === "not_eligible").map((a) => a.name || a.id);
  return names.length ? h("p", { class: "ps-small" }, `Non accessibles pour ce projet (${names.length}) : ${names.join(" ; ")}.`) : null;
}

export function buildPrintSheet(root, { territory, located, profession, result, image, url }) {
  if (!territory) {
    setChildren(root, h("h1", {}, "Rézone — carte d'identité du projet"), h("p", {}, "Aucune commune choisie."));
    return;
  }
  const enc = territory.enclosing || {};
  const zonage = communeZonage(territory, located);
  const figs = expandFigures(territory.figures || {});
  const levels = ["epci", "departement", "region", "france"].filter((l) => enc[l]);
  const sources = new Set();
  setChildren(root,
    h("header", { class: "ps-head" },
      h("h1", {}, "Carte d'identité du projet"),
      h("p", {}, `${PROFESSION_LABEL[profession]} — ${territory.name} (${territory.code})`,
        enc.departement ? `, ${enc.departement.name}` : "", enc.region ? `, ${enc.region.name}` : ""),
      h("p", { class: "ps-meta" }, `Édité le ${fmtDate(new Date().toISOString().slice(0, 10))} avec Rézone · données ${territory.release || ""}`)),
    h("div", { class: "ps-grid" },
      image ? h("img", { class: "ps-map", src: image, alt: `Carte du zonage autour de ${territory.name}` }) : null,
      h("section", {}, h("h2", {}, "Zonage"),
        h("table", {}, h("tbody", {}, PROFESSIONS.map(([p, label]) => {
          const z = zonage[p];
          if (z.source) sources.add(`${sourceTitle(z.source)}${z.vintage ? `, ${z.vintage}` : ""}`);
          return h("tr", { class: p === profession ? "current" : null }, h("th", {}, label),
            h("td", {}, z.code ? zoneInfo(z.code).label : `${UNKNOWN_ZONE.label}${z.reason ? ` (${z.reason})` : ""}`));
        }))))),
    h("section", {}, h("h2", {}, "Chiffres clés"),
      h("table", { class: "ps-figures" },
        h("thead", {}, h("tr", {}, h("th", {}, "Indicateur"), h("th", {}, "Commune"), levels.map((l) => h("th", {}, l === "epci" ? "EPCI" : LEVEL_LABEL[l])))),
        h("tbody", {}, KEY_FIGURES.filter((k) => figs[k]).map((k) => {
          const f = figs[k];
          if (f.source) sources.add(`${sourceTitle(f.source)}${f.vintage ? `, ${f.vintage}` : ""}`);
          const plain = (x) => formatValue(x && { ...x, unit: x.unit === "part de la population" ? x.unit : null });
          const unit = f.unit && f.unit !== "part de la population" ? ` (${unitLabel(f.unit)})` : "";
          return h("tr", {}, h("th", {}, figureLabel(k, f), unit), h("td", {}, plain(f)),
            levels.map((l) => h("td", {}, k === "population" ? "" : plain(f.enclosing && f.enclosing[l]))));
        })))),
    h("section", {}, h("h2", {}, "Aides à l'installation"),
      result ? [
        h("p", {}, "Total des aides auxquelles le projet est éligible : ", h("strong", {}, fmtEuro(result.total_eligible_eur ?? 0))),
        h("table", { class: "ps-aids" },
          h("thead", {}, h("tr", {}, h("th", {}, "Aide"), h("th", {}, "Financeur"), h("th", {}, "Statut"), h("th", {}, "Montant"))),
          h("tbody", {}, (result.aids || []).filter((a) => a.status !== "not_eligible")
            .sort((a, b) => (a.status === "eligible" ? 0 : 1) - (b.status === "eligible" ? 0 : 1)).map((a) => h("tr", {},
            h("td", {}, a.name || a.id), h("td", {}, typeof a.funder === "string" ? a.funder : (a.funder && a.funder.name) || ""),
            h("td", {}, STATUS_TEXT[a.status] || a.status),
            h("td", {}, a.amount && typeof a.amount.total === "number" ? fmtEuro(a.amount.total) : "—"))))),
        notEligible(result),
      ] : h("p", {}, "Aucune simulation effectuée : utilisez le simulateur avant d'imprimer pour y faire figurer vos aides.")),
    h("footer", { class: "ps-foot" },
      h("p", {}, `Sources : ${[...sources].join(" ; ")}.`),
      h("p", {}, "Simulation indicative établie à partir des textes cités ; seule la décision de l'organisme financeur fait foi."),
      h("p", { class: "ps-url" }, url)));
}

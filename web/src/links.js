// Outbound links of a commune: C@rtoSanté, "installation en ligne", the ARS/PAPS page of its région,
// URSSAF. The table (one entry per région, each with its source) is data: ./data/links.json.
import LINKS from "./data/links.json";
import { h } from "./dom.js";

export const REGION_LINKS = LINKS.regions;

/** The links for ``region`` ({code, name}) and ``profession``, in display order. */
export function linksFor(region, profession) {
  const out = [];
  for (const l of LINKS.national) {
    if (l.professions && !l.professions.includes(profession)) continue;
    out.push(l);
  }
  const r = region && REGION_LINKS[region.code];
  if (r) {
    out.splice(1, 0, {
      id: "region", label: `${r.kind === "PAPS" ? "Portail d'accompagnement des professionnels de santé (PAPS)" : "Agence régionale de santé"} — ${r.name}`,
      purpose: r.kind === "PAPS" ? "aides à l'installation et démarches dans la région" : "site de l'ARS : zonage et aides de la région",
      url: r.url, source: r.source,
    });
  }
  return out;
}

/** A list of links (opened in a new tab, without referrer data beyond the origin). */
export function renderLinks(region, profession) {
  return h("ul", { class: "out-links" }, linksFor(region, profession).map((l) =>
    h("li", { dataset: { link: l.id } },
      h("a", { href: l.url, target: "_blank", rel: "noopener" }, l.label),
      h("span", { class: "hint" }, ` — ${l.purpose}`))));
}

// The aids catalogue of /v1/aids for the chosen profession, fetched the first time it is opened.
import { api } from "./api.js";
import { fmtDate, h, setChildren } from "./dom.js";
import { PROFESSION_LABEL, zoneInfo } from "./zones.js";

export class Catalogue {
  constructor({ box, body, title }) {
    this.box = box;
    this.body = body;
    this.title = title;
    this.aids = null;
    this.profession = null;
    box.addEventListener("toggle", () => {
      if (box.open) this.render(this.profession);
    });
  }

  async render(profession) {
    this.profession = profession;
    this.title.textContent = `Catalogue des aides — ${PROFESSION_LABEL[profession]}`;
    if (!this.box.open) return;
    if (!this.aids) {
      setChildren(this.body, h("p", { class: "hint" }, "Chargement du catalogue…"));
      try {
        this.aids = ((await api.aids()) || {}).aids || [];
      } catch (err) {
        setChildren(this.body, h("p", { class: "error" }, `Le catalogue n'a pas pu être chargé : ${err.message}`));
        return;
      }
    }
    const mine = this.aids.filter((a) => (a.professions || []).includes(this.profession));
    setChildren(this.body,
      h("p", { class: "hint" }, `${mine.length} aide${mine.length > 1 ? "s" : ""} et dispositif${mine.length > 1 ? "s" : ""} connus de Rézone pour cette profession, avec leurs sources. Le simulateur dit lesquels s'appliquent à votre projet.`),
      h("ul", { class: "aids catalogue" }, mine.map((a) => h("li", { class: "aid", dataset: { aid: a.id } },
        h("h3", {}, a.name || a.id),
        h("p", { class: "funder" }, `Financeur : ${a.funder || "non précisé"}`),
        a.amount_summary ? h("p", {}, "Montant : ", h("strong", {}, a.amount_summary)) : null,
        zonesText(a) ? h("p", {}, `Zones : ${zonesText(a)}`) : null,
        validity(a) ? h("p", {}, validity(a)) : null,
        a.description ? h("p", { class: "hint" }, a.description) : null,
        a.sources && a.sources.length ? h("ul", { class: "src-links" }, a.sources.map((s) => h("li", {},
          s.url ? h("a", { href: s.url, target: "_blank", rel: "noopener noreferrer" }, s.title || s.url) : s.title || ""))) : null))));
  }
}

function zonesText(a) {
  const zones = (a.zone_types || []).map((z) => zoneInfo(z).label);
  if (a.zone_outside) zones.push("hors de ces zones");
  return zones.join(", ");
}

function validity(a) {
  if (a.valid_from && a.valid_until) return `Ouvert du ${fmtDate(a.valid_from)} au ${fmtDate(a.valid_until)}.`;
  if (a.valid_from) return `Ouvert depuis le ${fmtDate(a.valid_from)}.`;
  if (a.valid_until) return `Ouvert jusqu'au ${fmtDate(a.valid_until)}.`;
  return "";
}

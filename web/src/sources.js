// Attribution and the "Données et sources" dialog. The attribution is one short French line written
// in index.html (present, with its space reserved, from the first paint); the dialog lists every
// source of the release with its vintage and licence (/v1/health) and the open downloads (/v1/downloads).
import { api } from "./api.js";
import { $, fmtNumber, h, setChildren } from "./dom.js";

const size = (n) => (n >= 1048576 ? `${fmtNumber(Math.round(n / 104857.6) / 10)} Mo` : `${fmtNumber(Math.max(1, Math.round(n / 1024)))} Ko`);

async function fill(body) {
  setChildren(body, h("p", { class: "hint" }, "Chargement…"));
  const [health, downloads] = await Promise.allSettled([api.health(), api.downloads()]);
  const sources = health.status === "fulfilled" && Array.isArray(health.value.sources) ? health.value.sources : [];
  const release = health.status === "fulfilled" ? health.value.release : null;
  const files = downloads.status === "fulfilled" && Array.isArray(downloads.value.files) ? downloads.value.files : [];
  setChildren(body,
    h("p", {}, "Chaque chiffre de Rézone indique sa source et son millésime. Fonds de carte : limites administratives IGN (ADMIN EXPRESS) ; noms des communes : INSEE (COG)."),
    release ? h("p", { class: "hint" }, `Version des données : ${release}`) : null,
    sources.length
      ? h("ul", { class: "source-list" }, sources.map((s) => h("li", { dataset: { source: s.id } },
        h("strong", {}, s.title || s.id), ` — ${s.vintage || "millésime non précisé"}`,
        h("br"), h("span", { class: "hint" }, `Licence : ${s.license || "non précisée"}`),
        s.upstream ? [" · ", h("a", { href: s.upstream, target: "_blank", rel: "noopener" }, "fichier d'origine")] : null)))
      : h("p", { class: "error" }, "La liste des sources n'a pas pu être chargée."),
    h("h3", {}, "Téléchargements"),
    files.length
      ? h("ul", { class: "download-list" }, files.map((f) => h("li", { dataset: { file: f.id } },
        h("a", { href: f.url, download: "" }, f.title || f.id), ` — ${f.format || ""}, ${size(f.size)}`,
        h("br"), h("span", { class: "hint sha" }, `sha256 ${f.sha256}`))))
      : h("p", { class: "hint" }, "Aucun fichier téléchargeable dans cette version des données."));
}

/** Wire the "détails" button of the attribution line to the dialog. */
export function initSources() {
  const dialog = $("#sources-dialog");
  const body = $("#sources-body");
  let loaded = false;
  $("#sources-open").addEventListener("click", () => {
    if (!loaded) fill(body).then(() => { loaded = true; });
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
  });
  $("#sources-close").addEventListener("click", () => dialog.close());
}

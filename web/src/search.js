// Commune search box: an ARIA 1.2 combobox with autocomplete on /v1/communes (accents optional,
// postal and INSEE codes), keyboard navigation, and a clear message when nothing matches or the
// service fails.
import { api } from "./api.js";
import { $, debounce, fmtNumber, h, setChildren } from "./dom.js";

/** Wire the search form; ``onPick(result)`` receives one /v1/communes result. */
export function initSearch({ onPick, onError }) {
  const form = $("#search-form");
  const input = $("#search-input");
  const list = $("#search-results");
  const hint = $("#search-hint");
  let results = [];
  let active = -1;
  let controller = null;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const setActive = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };

  const render = () => {
    setChildren(list, results.map((r, i) => h("li", {
      id: `search-opt-${i}`, role: "option", "aria-selected": "false", class: "option",
      onmousedown: (e) => e.preventDefault(),
      onclick: () => pick(r),
    }, h("span", { class: "opt-name" }, r.name), " ",
    h("span", { class: "opt-meta" }, describe(r)))));
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
  };

  const run = async (q) => {
    const mine = ++seq;
    if (controller) controller.abort();
    if (q.trim().length < 2) {
      results = [];
      render();
      hint.textContent = "";
      return;
    }
    controller = new AbortController();
    try {
      const data = await api.communes(q.trim(), 8, controller.signal);
      if (mine !== seq) return;
      results = (data && data.results) || [];
      render();
      hint.classList.toggle("visually-hidden", results.length > 0);
      hint.textContent = results.length
        ? `${results.length} commune${results.length > 1 ? "s" : ""} trouvée${results.length > 1 ? "s" : ""}. Flèches haut et bas pour choisir, Entrée pour valider.`
        : `Aucune commune ne correspond à « ${q.trim()} ».`;
    } catch (err) {
      if (err.name === "AbortError" || mine !== seq) return;
      results = [];
      render();
      hint.classList.remove("visually-hidden");
      hint.textContent = "La recherche a échoué.";
      onError(err.message);
    }
  };
  const runSoon = debounce(run, 180);

  function pick(r) {
    input.value = r.name;
    close();
    hint.textContent = "";
    onPick(r);
  }

  input.addEventListener("input", () => runSoon(input.value));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && results.length) {
      e.preventDefault();
      if (list.hidden) render();
      setActive((active + 1) % results.length);
    } else if (e.key === "ArrowUp" && results.length) {
      e.preventDefault();
      setActive(active <= 0 ? results.length - 1 : active - 1);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (active >= 0 && results[active]) return pick(results[active]);
    if (!results.length) await run(input.value);
    if (results.length) pick(results[0]);
  });
}

export function describe(r) {
  const parts = [];
  if (r.departement) parts.push(`(${typeof r.departement === "object" ? r.departement.code : r.departement})`);
  if (Array.isArray(r.postal_codes) && r.postal_codes.length) {
    parts.push(r.postal_codes.slice(0, 3).join(", ") + (r.postal_codes.length > 3 ? "…" : ""));
  }
  if (typeof r.population === "number") parts.push(`${fmtNumber(r.population)} hab.`);
  return parts.join(" · ");
}

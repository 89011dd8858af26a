// Tiny DOM helpers: elements are built with properties and text nodes only (no innerHTML), so the
// strict Content-Security-Policy holds and API text can never inject markup.

/** h("p", {class: "x", onclick: fn}, "text", child) → HTMLElement */
export function h(tag, attrs, ...children) {
  const el = document.createElementNS(
    SVG_TAGS.has(tag) ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml", tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.setAttribute("class", v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && !SVG_TAGS.has(tag) && k !== "list" && k !== "form") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

const SVG_TAGS = new Set(["svg", "rect", "line", "text", "title", "g", "circle"]);

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace all children of ``el``. */
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

const NUM = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
const INT = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
const EUR = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });

/** French number formatting; integers without decimals. */
export function fmtNumber(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return String(v ?? "");
  return Number.isInteger(v) || Math.abs(v) >= 1000 ? INT.format(v) : NUM.format(v);
}

export function fmtEuro(v) {
  return typeof v === "number" && Number.isFinite(v) ? EUR.format(v) : "montant non déterminé";
}

export function fmtDate(iso) {
  if (!iso || typeof iso !== "string") return "";
  const d = new Date(iso.length === 10 ? iso + "T00:00:00" : iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString("fr-FR", { day: "numeric", month: "long", year: "numeric" });
}

/** Debounce ``fn`` by ``ms`` milliseconds. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

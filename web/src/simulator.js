// The aids simulator: a form rendered from the questionnaire (JSON Schema) of
// /v1/eligibility/questions, answers sent to POST /v1/eligibility, and every aid of the answer shown
// with its status, amount and schedule, the reasons, missing answers, assumptions and sources.
import { fmtDate, fmtEuro, fmtNumber, h, setChildren } from "./dom.js";

const MAIN_QUESTIONS = 8;

const STATUS = {
  eligible: ["Éligible", "ok"],
  not_eligible: ["Non éligible", "no"],
  missing_information: ["Informations manquantes", "missing"],
};

const enumOptions = (schema) => {
  if (Array.isArray(schema.oneOf) && schema.oneOf.every((o) => "const" in o)) {
    return schema.oneOf.map((o) => [o.const, o.title || String(o.const)]);
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((o) => "const" in o)) {
    return schema.anyOf.map((o) => [o.const, o.title || String(o.const)]);
  }
  if (Array.isArray(schema.enum)) {
    const names = schema["x-enum-labels"] || schema.enumNames || schema["x-enumNames"];
    return schema.enum.filter((v) => v !== null).map((v, i) => {
      const label = Array.isArray(names) ? names[i] : names && typeof names === "object" ? names[v] : null;
      return [v, label || String(v)];
    });
  }
  return null;
};

// JSON Schema type(s) of a property, ignoring "null".
function baseType(schema) {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== "null") || "string";
  if (t) return t;
  const alt = (schema.anyOf || schema.oneOf || []).find((o) => o.type && o.type !== "null");
  return alt ? baseType({ ...alt }) : "string";
}
const isNullable = (schema) => (Array.isArray(schema.type) && schema.type.includes("null"))
  || (schema.anyOf || schema.oneOf || []).some((o) => o.type === "null") || schema.nullable === true;
const formatOf = (schema) => schema.format || ((schema.anyOf || schema.oneOf || []).find((o) => o.format) || {}).format;

/** The "show only if" condition of a property: {answer: [values]} or null. */
function dependsOn(schema) {
  return schema["x-depends-on"] || schema["x-rezone-depends-on"] || schema.depends_on || null;
}

export class Simulator {
  constructor({ form, fields, results }) {
    this.form = form;
    this.fields = fields;
    this.results = results;
    this.schema = null;
    this.inputs = new Map();
    this.last = null;
    this.form.addEventListener("change", () => this.refreshVisibility());
    this.form.addEventListener("reset", () => setTimeout(() => {
      this.refreshVisibility();
      setChildren(this.results);
      this.last = null;
    }, 0));
  }

  /** Render the questionnaire ``schema`` (JSON Schema object). Keeps answers already given. */
  render(schema) {
    const keep = this.schema ? this.answers() : {};
    this.schema = schema;
    this.inputs.clear();
    const props = schema.properties || {};
    const order = schema["x-order"] || Object.keys(props);
    const required = new Set(schema.required || []);
    const names = order.filter((name) => props[name]);
    const boxes = names.map((name) => this.field(name, props[name], required.has(name)));
    // The first questions decide most aids; the others refine a few and stay folded on a phone.
    const main = boxes.slice(0, MAIN_QUESTIONS);
    const more = boxes.slice(MAIN_QUESTIONS);
    setChildren(this.fields, main, more.length ? h("details", { class: "more-questions" },
      h("summary", {}, `Autres questions (${more.length}) : elles précisent certaines aides`), h("div", { class: "more-body" }, more)) : null);
    for (const [name, v] of Object.entries(keep)) this.set(name, v);
    this.refreshVisibility();
  }

  field(name, schema, required) {
    const id = `q-${name}`;
    const title = schema.title || name;
    const help = schema.description ? h("p", { class: "help", id: `${id}-help` }, schema.description) : null;
    const describedBy = [help ? `${id}-help` : null, `${id}-err`].filter(Boolean).join(" ");
    const err = h("p", { class: "field-error", id: `${id}-err`, "aria-live": "polite" });
    const type = baseType(schema);
    const options = enumOptions(schema);
    const wrap = (control, asGroup = false) => {
      const box = asGroup
        ? h("fieldset", { class: "q", dataset: { name } }, h("legend", {}, title, required ? " *" : ""), help, control, err)
        : h("div", { class: "q", dataset: { name } }, h("label", { for: id }, title, required ? " *" : ""), help, control, err);
      return box;
    };
    let el;
    if (type === "boolean") {
      const radios = [["true", "Oui"], ["false", "Non"], ["", "Je ne sais pas"]].map(([v, label]) =>
        h("label", { class: "radio" }, h("input", { type: "radio", name: id, value: v, checked: v === "" }), ` ${label}`));
      el = h("div", { class: "radios", role: "radiogroup", "aria-describedby": describedBy }, radios);
      this.inputs.set(name, { kind: "boolean", el, schema });
      return wrap(el, true);
    }
    if (options) {
      el = h("select", { id, name, "aria-describedby": describedBy },
        h("option", { value: "" }, "— Non renseigné —"),
        options.map(([v, label]) => h("option", { value: String(v) }, label)));
      this.inputs.set(name, { kind: "enum", el, schema, options });
      return wrap(el);
    }
    if (type === "integer" || type === "number") {
      el = h("input", {
        id, name, type: "number", inputMode: type === "integer" ? "numeric" : "decimal",
        step: type === "integer" ? "1" : "any",
        min: schema.minimum ?? schema.exclusiveMinimum, max: schema.maximum ?? schema.exclusiveMaximum,
        "aria-describedby": describedBy,
      });
      this.inputs.set(name, { kind: type, el, schema });
      return wrap(el);
    }
    const date = formatOf(schema) === "date";
    el = h("input", { id, name, type: date ? "date" : "text", "aria-describedby": describedBy, maxLength: schema.maxLength });
    const entry = { kind: date ? "date" : "string", el, schema };
    this.inputs.set(name, entry);
    if (isNullable(schema)) {
      const none = h("input", { type: "checkbox", id: `${id}-none` });
      none.addEventListener("change", () => {
        el.disabled = none.checked;
      });
      entry.none = none;
      return wrap(h("div", { class: "with-none" }, el,
        h("label", { class: "radio", for: `${id}-none` }, none, date ? " Aucune (jamais reçue)" : " Aucun")));
    }
    return wrap(el);
  }

  set(name, value) {
    const inp = this.inputs.get(name);
    if (!inp) return;
    if (inp.kind === "boolean") {
      for (const r of inp.el.querySelectorAll("input")) r.checked = r.value === (value === null ? "" : String(value));
    } else if (value === null && inp.none) {
      inp.none.checked = true;
      inp.el.disabled = true;
    } else inp.el.value = value === null ? "" : String(value);
  }

  /** Current answers: only the questions answered and visible. */
  answers() {
    const out = {};
    for (const [name, inp] of this.inputs) {
      const box = this.fields.querySelector(`.q[data-name="${CSS.escape(name)}"]`);
      if (box && box.hidden) continue;
      if (inp.kind === "boolean") {
        const r = inp.el.querySelector("input:checked");
        if (r && r.value) out[name] = r.value === "true";
      } else if (inp.none && inp.none.checked) {
        out[name] = null;
      } else if (inp.el.value !== "") {
        const v = inp.el.value;
        if (inp.kind === "integer") out[name] = Number.parseInt(v, 10);
        else if (inp.kind === "number") out[name] = Number.parseFloat(v);
        else if (inp.kind === "enum") {
          const opt = inp.options.find(([o]) => String(o) === v);
          out[name] = opt ? opt[0] : v;
        } else out[name] = v;
      }
    }
    return out;
  }

  refreshVisibility() {
    if (!this.schema) return;
    const props = this.schema.properties || {};
    // Resolve in order so that a hidden question hides its dependants too.
    for (const name of this.inputs.keys()) {
      const dep = dependsOn(props[name] || {});
      const box = this.fields.querySelector(`.q[data-name="${CSS.escape(name)}"]`);
      if (!box) continue;
      if (!dep) {
        box.hidden = false;
        continue;
      }
      const now = this.answers();
      box.hidden = !Object.entries(dep).every(([k, vals]) => k in now && (Array.isArray(vals) ? vals : [vals]).includes(now[k]));
    }
  }

  /** Check the HTML constraints; mark invalid fields; true if all valid. */
  validate() {
    let ok = true;
    let first = null;
    for (const [name, inp] of this.inputs) {
      const box = this.fields.querySelector(`.q[data-name="${CSS.escape(name)}"]`);
      const err = box && box.querySelector(".field-error");
      if (!err) continue;
      err.textContent = "";
      if (inp.el.removeAttribute) inp.el.removeAttribute("aria-invalid");
      if (box.hidden || !inp.el.validity || inp.el.validity.valid) continue;
      ok = false;
      first = first || inp.el;
      inp.el.setAttribute("aria-invalid", "true");
      const s = inp.schema;
      err.textContent = inp.el.validity.badInput ? "Saisissez un nombre."
        : `Valeur attendue${s.minimum !== undefined ? ` entre ${fmtNumber(s.minimum)}` : ""}${s.maximum !== undefined ? ` et ${fmtNumber(s.maximum)}` : ""}${inp.kind === "integer" ? ", nombre entier" : ""}.`;
    }
    if (first) first.focus();
    return ok;
  }

  /** Show a 4xx problem against the field it names. */
  fieldError(param, message) {
    const name = String(param || "").replace(/^answers[./]/, "").split(/[./]/).pop();
    const inp = this.inputs.get(name);
    if (!inp) return false;
    const err = this.fields.querySelector(`.q[data-name="${CSS.escape(name)}"] .field-error`);
    if (err) err.textContent = message;
    inp.el.setAttribute("aria-invalid", "true");
    inp.el.focus();
    return true;
  }

  titleOf(name) {
    const s = this.schema && this.schema.properties && this.schema.properties[name];
    return (s && s.title) || name;
  }

  /** Render the POST /v1/eligibility answer. */
  showResult(res) {
    this.last = res;
    const aids = res.aids || [];
    const order = { eligible: 0, missing_information: 1, not_eligible: 2 };
    const sorted = [...aids].sort((a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3));
    const counts = aids.reduce((acc, a) => ({ ...acc, [a.status]: (acc[a.status] || 0) + 1 }), {});
    setChildren(this.results,
      h("div", { class: "total", id: "sim-total" },
        h("p", {}, "Total des aides auxquelles vous êtes éligible : ", h("strong", {}, fmtEuro(res.total_eligible_eur ?? 0))),
        h("p", { class: "hint" }, `${aids.length} aide${aids.length > 1 ? "s" : ""} examinée${aids.length > 1 ? "s" : ""} : `,
          `${counts.eligible || 0} éligible${(counts.eligible || 0) > 1 ? "s" : ""}, `,
          `${counts.missing_information || 0} à compléter, ${counts.not_eligible || 0} non éligible${(counts.not_eligible || 0) > 1 ? "s" : ""}`,
          res.as_of ? ` — règles en vigueur au ${fmtDate(res.as_of)}.` : ".")),
      h("ul", { class: "aids" }, sorted.filter((a) => a.status !== "not_eligible").map((a) => this.aid(a))),
      counts.not_eligible ? h("details", { class: "not-eligible" },
        h("summary", {}, `Aides non accessibles pour ce projet (${counts.not_eligible})`),
        h("ul", { class: "aids" }, sorted.filter((a) => a.status === "not_eligible").map((a) => this.aid(a)))) : null);
  }

  aid(a) {
    const [label, cls] = STATUS[a.status] || [a.status, "missing"];
    const amount = a.amount || {};
    const schedule = Array.isArray(amount.schedule) ? amount.schedule : [];
    return h("li", { class: `aid status-${cls}`, dataset: { aid: a.id, status: a.status } },
      h("div", { class: "aid-head" },
        h("h3", {}, a.name || a.id),
        h("span", { class: `badge ${cls}` }, label)),
      a.funder ? h("p", { class: "funder" }, `Financeur : ${textOf(a.funder)}`) : null,
      h("p", { class: "amount" }, "Montant : ", h("strong", {}, amount.total === null || amount.total === undefined
        ? (amount.summary || amount.text || "non déterminé") : fmtEuro(amount.total)),
      amount.note ? ` (${amount.note})` : ""),
      schedule.length ? h("details", { class: "schedule" }, h("summary", {}, "Échéancier"),
        h("ul", {}, schedule.map((s) => h("li", {}, scheduleText(s))))) : null,
      Array.isArray(a.reasons) && a.reasons.length ? h("details", { class: "why", open: a.status === "eligible" },
        h("summary", {}, `Pourquoi ? (${a.reasons.length} condition${a.reasons.length > 1 ? "s" : ""})`),
        h("ul", {}, a.reasons.map(reasonItem))) : null,
      a.missing && a.missing.length ? h("div", { class: "missing" }, h("p", {}, "Informations manquantes :"),
        h("ul", {}, a.missing.map((m) => {
          const name = typeof m === "string" ? m : m.answer || m.name || m.field;
          const text = typeof m === "string" ? this.titleOf(m) : m.title || m.text || this.titleOf(name);
          return h("li", {}, this.inputs.has(name)
            ? h("a", { href: `#q-${name}`, onclick: (e) => { e.preventDefault(); this.focus(name); } }, text)
            : text);
        }))) : null,
      list("Hypothèses retenues", a.assumptions, assumptionItem),
      a.sources && a.sources.length ? h("div", { class: "sources" }, h("p", {}, "Sources :"),
        h("ul", {}, a.sources.map((s) => h("li", {}, sourceLink(s))))) : null);
  }

  focus(name) {
    const inp = this.inputs.get(name);
    if (!inp) return;
    const target = inp.kind === "boolean" ? inp.el.querySelector("input") : inp.el;
    target.focus();
    target.scrollIntoView({ block: "center" });
  }
}

function list(title, items, render) {
  if (!Array.isArray(items) || !items.length) return null;
  return h("div", { class: "list" }, h("p", {}, `${title} :`), h("ul", {}, items.map(render)));
}

const OUTCOMES = {
  met: ["✓", "held", "condition remplie"],
  not_met: ["✗", "failed", "condition non remplie"],
  unknown: ["?", "unknown", "condition indéterminée (réponse manquante)"],
  not_applicable: ["–", "na", "sans objet"],
};

function reasonItem(r) {
  if (typeof r === "string") return h("li", {}, r);
  const held = r.outcome ?? r.held ?? r.passed ?? r.ok;
  const key = held === true ? "met" : held === false ? "not_met" : OUTCOMES[held] ? held : "unknown";
  const [mark, cls, text] = OUTCOMES[key];
  return h("li", { class: `reason ${cls}`, dataset: { outcome: key } },
    h("span", { class: "mark", "aria-hidden": "true" }, mark), " ",
    h("span", { class: "visually-hidden" }, `${text} : `), r.condition || r.text || r.label || textOf(r),
    r.detail ? h("span", { class: "detail" }, ` — ${r.detail}`) : null);
}

function assumptionItem(a) {
  if (typeof a !== "object" || a === null) return h("li", {}, String(a));
  return h("li", {}, a.text || textOf(a), a.alternative ? h("span", { class: "detail" }, ` (autre lecture possible : ${a.alternative})`) : null);
}

export function textOf(x) {
  if (x === null || x === undefined) return "";
  if (typeof x !== "object") return String(x);
  return x.text || x.label || x.name || x.title || x.description || x.message || JSON.stringify(x);
}

function scheduleText(s) {
  if (typeof s !== "object" || s === null) return String(s);
  const when = s.label || s.when || (s.date ? fmtDate(s.date) : null) || (s.year ? `année ${s.year}` : null)
    || s.period || s.due || (s.month !== undefined ? `mois ${s.month}` : null);
  const amt = typeof s.amount === "number" ? fmtEuro(s.amount) : s.amount ? textOf(s.amount) : null;
  const parts = [when, amt, s.note || s.condition].filter(Boolean);
  return parts.length ? parts.join(" — ") : JSON.stringify(s);
}

function sourceLink(s) {
  const url = typeof s === "string" ? s : s.url || s.href || s.link;
  const title = typeof s === "string" ? s : s.title || s.label || s.name || url;
  if (url && /^https?:\/\//.test(url)) return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, title);
  return title || "";
}

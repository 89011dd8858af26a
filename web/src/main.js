// Rézone web client: wires the map, the search, the territory card, the simulator, the URL state
// and the printable project sheet. Uses only the public API and tiles (same origin).
import { api } from "./api.js";
import { communeZonage, renderCard } from "./card.js";
import { Catalogue } from "./catalogue.js";
import { MAX_COMPARE, renderCompare } from "./compare.js";
import { $, debounce, fmtNumber, h, setChildren } from "./dom.js";
import { initDrom } from "./drom.js";
import { facilityKindLabel, facilityTypeLabel } from "./facility_types.js";
import { renderLinks } from "./links.js";
import { buildPrintSheet } from "./print.js";
import { initSearch } from "./search.js";
import { Simulator } from "./simulator.js";
import { initSources } from "./sources.js";
import { readState, writeState } from "./state.js";
import { PROFESSIONS, PROFESSION_LABEL, PROFESSION_ZONES, UNKNOWN_ZONE, ZONES, zoneInfo } from "./zones.js";

const state = readState();
const requestedZoom = state.zoom;
// point: the reference point of the card; clicked: the point the user chose on the map (tap or
// geolocation), sent to the simulator so the zonage AT that point applies (a QPV's own zonage).
const current = { territory: null, located: null, point: null, clicked: state.point, loading: 0 };

// ---------------------------------------------------------------- messages
const statusEl = $("#status");
function showStatus(message, kind = "error", retry = null) {
  setChildren(statusEl, h("p", {}, message), h("div", { class: "status-actions" },
    retry ? h("button", { type: "button", class: "dismiss", onclick: retry }, "Réessayer") : null,
    h("button", { type: "button", class: "dismiss", onclick: () => { statusEl.hidden = true; } }, "Fermer")));
  statusEl.className = `status ${kind}`;
  statusEl.setAttribute("role", kind === "error" ? "alert" : "status");
  statusEl.hidden = false;
}
function clearStatus() {
  statusEl.hidden = true;
}

// ---------------------------------------------------------------- profession switcher and legend
const professionSelect = $("#profession");
setChildren(professionSelect, PROFESSIONS.map(([code, label]) => h("option", { value: code }, label)));
professionSelect.value = state.profession;

let legendColours = {};
function readLegend(style) {
  const meta = style && style.metadata && style.metadata["rezone:legend"];
  const out = {};
  const put = (code, v) => {
    const colour = typeof v === "string" ? v : v && (v.colour || v.color || v.fill);
    if (code && typeof colour === "string") out[code] = colour;
  };
  if (Array.isArray(meta)) meta.forEach((e) => e && put(e.code || e.zone, e));
  else if (meta && typeof meta === "object") {
    const table = meta[state.profession] || meta.zones || meta.colours || meta.colors || meta;
    if (Array.isArray(table)) table.forEach((e) => e && put(e.code || e.zone, e));
    else Object.entries(table).forEach(([k, v]) => put(k, v));
  }
  legendColours = out;
  renderLegend();
}

function renderLegend() {
  const codes = PROFESSION_ZONES[state.profession];
  const item = (code, info) => h("li", { dataset: { zone: code } },
    h("svg", { class: "swatch", width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": "true" },
      h("rect", { x: 0.5, y: 0.5, width: 15, height: 15, rx: 2, fill: legendColours[code] || info.color, stroke: "#5b6770" })),
    h("span", {}, h("strong", {}, info.label), h("span", { class: "meaning" }, ` — ${info.meaning}`)));
  setChildren($("#legend-list"),
    codes.map((c) => item(c, ZONES[c])),
    item("unknown", UNKNOWN_ZONE),
    state.profession === "medecin" ? h("li", { class: "qpv-key" },
      h("svg", { class: "swatch", width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": "true" },
        h("rect", { x: 1, y: 1, width: 14, height: 14, fill: "none", stroke: "#222", "stroke-dasharray": "3 2" })),
      h("span", {}, h("strong", {}, "QPV"), h("span", { class: "meaning" }, " — quartier prioritaire, coloré selon son propre zonage médecin"))) : null);
  $("#legend-title").textContent = `Légende — ${PROFESSION_LABEL[state.profession]}`;
}
renderLegend();
$("#legend-more").addEventListener("click", (e) => {
  const open = $("#legend").classList.toggle("show-meanings");
  e.target.setAttribute("aria-expanded", String(open));
  e.target.textContent = open ? "Masquer la signification des classes" : "Afficher la signification des classes";
});

// ---------------------------------------------------------------- map
const layerInputs = {
  qpv: $("#layer-qpv"),
  limits: $("#layer-limits"),
  facilities: $("#layer-facilities"),
  hospital: $("#layer-hospital"),
  density: $("#layer-density"),
};
const facilityType = $("#facility-type");
const mapMessage = $("#map-message");

function showMapMessage(text) {
  mapMessage.textContent = text;
  mapMessage.hidden = !text;
}

// MapLibre (most of the page's script) is a separate chunk, loaded after the first paint: the
// header, the search and, for a shared link, the commune's summary and card come first.
let mapCtl = null;
let mapStarted = false;
const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(fn, 0));

function loadMapCss() {
  const href = document.querySelector("meta[name='rezone:map-css']")?.content;
  if (!href || document.querySelector("link[data-map-css]")) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = h("link", { rel: "stylesheet", href, dataset: { mapCss: "" } });
    link.addEventListener("load", resolve);
    link.addEventListener("error", reject);
    document.head.append(link);
  });
}

async function loadMap(view) {
  if (mapStarted) return;
  mapStarted = true;
  let mod;
  try {
    [mod] = await Promise.all([import("./map.js"), loadMapCss()]);
  } catch {
    showMapMessage("La carte n'a pas pu être chargée (réseau). La recherche, la fiche et le simulateur restent utilisables.");
    return;
  }
  try {
    mapCtl = mod.createMap({
      container: "map",
      profession: state.profession,
      view,
      layers: {
        qpv: layerInputs.qpv.checked,
        limits: layerInputs.limits.checked,
        facilities: layerInputs.facilities.checked,
        facilityType: facilityType.value,
        hospital: false,
        density: layerInputs.density.checked,
      },
      zoneLabel: (code) => (code ? zoneInfo(code).label : UNKNOWN_ZONE.label),
      onCommune: (code, lngLat) => selectCommune(code, { point: lngLat, clicked: true }),
      onPoint: (lngLat) => selectPoint(lngLat),
      onGeolocate: (lngLat) => selectPoint(lngLat, true),
      onStyle: (style) => {
        readLegend(style);
        readDensity(style);
      },
      onError: (msg) => showMapMessage(msg),
      onView: (v) => {
        state.zoom = v.zoom;
        state.centre = v.centre;
        writeState(state);
        if (layerInputs.facilities.checked) refreshFacilityTypes();
        updateFacilityHint();
      },
    });
  } catch (err) {
    showMapMessage("La carte ne peut pas s'afficher sur cet appareil (WebGL indisponible). La recherche, la fiche et le simulateur restent utilisables.");
    return;
  }
  document.body.dataset.mapCreated = "true";
  window.rezoneMap = mapCtl.map;  // for partner integrations (embed) and the browser tests
  mapCtl.map.once("load", () => performance.mark("rezone:map-load"));
  mapCtl.map.once("idle", () => {
    performance.mark("rezone:map-idle");
    document.body.dataset.mapReady = "true";
    // the optional raster is probed once the first view is drawn (idle time, not the first frame)
    probeHospitalRaster();
  });
  // What was chosen before the map existed: the commune (selected, named, in view).
  const t = current.territory;
  if (t && state.commune === t.code) {
    const p = current.point;
    mapCtl.select(t.code, p ? { name: t.name, lngLat: [p.lng, p.lat] } : null);
    if (p && !view) mapCtl.map.jumpTo({ center: [p.lng, p.lat], zoom: requestedZoom !== null && requestedZoom >= 8 ? requestedZoom : 11 });
  } else if (state.commune) mapCtl.select(state.commune);
}

professionSelect.addEventListener("change", () => {
  state.profession = professionSelect.value;
  writeState(state);
  if (mapCtl) mapCtl.setProfession(state.profession);
  renderLegend();
  catalogue.render(state.profession);
  if (current.territory) {
    renderTerritory();
    openSimulator();
  }
});

for (const key of ["qpv", "limits"]) {
  layerInputs[key].addEventListener("change", () => mapCtl && mapCtl.setLayers({ [key]: layerInputs[key].checked }));
}
layerInputs.facilities.addEventListener("change", () => {
  const on = layerInputs.facilities.checked;
  facilityType.disabled = !on;
  $("#facility-legend").hidden = !on;
  if (mapCtl) mapCtl.setLayers({ facilities: on });
  if (on) refreshFacilityTypes();
  updateFacilityHint();
});
facilityType.addEventListener("change", () => mapCtl && mapCtl.setLayers({ facilityType: facilityType.value }));
layerInputs.hospital.addEventListener("change", () => {
  $("#hospital-legend").hidden = !layerInputs.hospital.checked;
  if (mapCtl) mapCtl.setLayers({ hospital: layerInputs.hospital.checked });
});
layerInputs.density.addEventListener("change", () => {
  $("#density-legend").hidden = !layerInputs.density.checked;
  if (mapCtl) mapCtl.setLayers({ density: layerInputs.density.checked });
});
if (window.matchMedia("(min-width: 960px)").matches) $("#layers-box").open = true;

// Density legend: classes, source and vintage from the style's metadata (rezone:density).
function readDensity(style) {
  const d = style && style.metadata && style.metadata["rezone:density"];
  $("#layer-density").closest("label").hidden = !d;
  if (!d) return;
  const src = d.source ? `${d.source.title} (${d.vintage})` : `millésime ${d.vintage}`;
  $("#density-title").textContent = `${d.label}, en ${d.unit} : quart des communes où l'accès est le plus faible (1) au plus élevé (4). Visible au niveau des communes (zoom ≥ 8). Source : ${src}. Seule la densité des médecins généralistes est disponible dans cette version des données.`;
  setChildren($("#density-legend-list"), d.classes.map((c) => h("li", { dataset: { quartile: c.quartile } },
    h("svg", { class: "swatch", width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": "true" },
      h("rect", { x: 0.5, y: 0.5, width: 15, height: 15, rx: 2, fill: c.colour, stroke: "#5b6770" })),
    h("span", {}, `Quartile ${c.quartile} : `, c.min === null ? `jusqu'à ${fmtNumber(c.max)}` : c.max === null
      ? `plus de ${fmtNumber(c.min)}` : `de ${fmtNumber(c.min)} à ${fmtNumber(c.max)}`))));
}

initDrom($("#drom"), (bounds) => mapCtl && mapCtl.map.fitBounds(bounds, { padding: 8, duration: 800 }));
initSources();

function updateFacilityHint() {
  const el = $("#facility-legend");
  if (!mapCtl || el.hidden) return;
  el.textContent = mapCtl.map.getZoom() < 9
    ? "Zoomez davantage (niveau communal) pour voir les établissements de santé."
    : "Points : établissements de santé (rouge : public ; gris : autre). Touchez un point pour le détail.";
}

// The facility types present around the current view, from /v1/facilities.
const knownTypes = new Set();
let facilityController = null;
const refreshFacilityTypes = debounce(async () => {
  if (!mapCtl) return;
  const b = mapCtl.map.getBounds();
  const c = mapCtl.map.getCenter();
  const half = 0.99;
  const bbox = [Math.max(b.getWest(), c.lng - half), Math.max(b.getSouth(), c.lat - half),
    Math.min(b.getEast(), c.lng + half), Math.min(b.getNorth(), c.lat + half)];
  if (facilityController) facilityController.abort();
  facilityController = new AbortController();
  try {
    const fc = await api.facilities(bbox, null, facilityController.signal);
    let added = false;
    for (const f of (fc && fc.features) || []) {
      const t = f.properties && f.properties.kind;
      if (t && !knownTypes.has(t)) {
        knownTypes.add(t);
        added = true;
      }
    }
    if (added) {
      const selected = facilityType.value;
      setChildren(facilityType, h("option", { value: "" }, "Tous les types"),
        [...knownTypes].sort((a, b) => facilityKindLabel(a).localeCompare(facilityKindLabel(b), "fr"))
          .map((t) => h("option", { value: t }, facilityKindLabel(t))));
      facilityType.value = selected;
    }
  } catch (err) {
    if (err.name !== "AbortError") showStatus(`Établissements : ${err.message}`);
  }
}, 300);

// The optional raster of distance to the nearest hospital: offered when the release has it, which
// the France territory tells without a failing request (its figure "acces_hopital" comes from the
// same raster step as the tiles).
const HOSPITAL_CLASSES = [["#ffffb2", "moins de 10 km"], ["#fecc5c", "10 à 20 km"], ["#fd8d3c", "20 à 30 km"], ["#e31a1c", "plus de 30 km"]];
async function probeHospitalRaster() {
  try {
    const fr = await api.territory("france", "FR");
    if (!fr || !fr.figures || !fr.figures.acces_hopital || !mapCtl) return;
    mapCtl.enableHospital(new URL("/tiles/acces-hopital.json", window.location.href).href);
    $("#layer-hospital-label").hidden = false;
    setChildren($("#hospital-legend-list"), HOSPITAL_CLASSES.map(([colour, label]) => h("li", {},
      h("svg", { class: "swatch", width: 16, height: 16, viewBox: "0 0 16 16", "aria-hidden": "true" },
        h("rect", { x: 0.5, y: 0.5, width: 15, height: 15, rx: 2, fill: colour, stroke: "#5b6770" })),
      h("span", {}, label))));
  } catch {
    // no raster offered; failures of the API itself are reported by the health check
  }
}

// ---------------------------------------------------------------- territory card
const cardTitle = $("#card-title");
const cardBody = $("#card-body");

// The commune's summary over the map (name, zonage for the profession, population): the first
// thing a shared link shows, from the territory answer alone, before the map is loaded.
const summaryEl = $("#map-summary");
function renderSummary(t, code = null) {
  if (!t) {
    setChildren(summaryEl, h("p", { class: "hint" }, `Chargement de la commune ${code}…`));
  } else {
    const z = communeZonage(t, current.located && current.located.commune?.code === t.code ? current.located : null)[state.profession];
    const info = z.code ? zoneInfo(z.code) : UNKNOWN_ZONE;
    const pop = t.figures && t.figures.population && t.figures.population.value;
    setChildren(summaryEl,
      h("p", { class: "sum-name" }, h("strong", {}, t.name), ` (${t.code})`),
      h("p", {},
        h("svg", { class: "swatch", width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" },
          h("rect", { x: 0.5, y: 0.5, width: 11, height: 11, rx: 2, fill: legendColours[z.code] || info.color, stroke: "#5b6770" })),
        ` ${PROFESSION_LABEL[state.profession]} : `, h("strong", {}, info.label),
        typeof pop === "number" ? ` · ${fmtNumber(pop)} hab.` : null,
        " · ", h("a", { href: "#card" }, "Voir la fiche")));
  }
  summaryEl.hidden = false;
}

function renderTerritory() {
  const t = current.territory;
  renderSummary(t);
  $("#catalogue").hidden = false;
  cardTitle.textContent = t.name;
  setChildren(cardBody, renderCard({ territory: t, located: current.located, profession: state.profession, typeLabel: facilityTypeLabel, kindLabel: facilityKindLabel }));
  $("#card").dataset.commune = t.code;
  $("#share").hidden = false;
  const region = (current.located && current.located.region) || (t.enclosing && t.enclosing.region);
  setChildren($("#links-body"), renderLinks(region, state.profession));
  $("#links").hidden = false;
  $("#compare-add").disabled = state.compare.includes(t.code) || state.compare.length >= MAX_COMPARE;
}

const centreOf = (c) => {
  if (!c) return null;
  if (Array.isArray(c)) return { lng: c[0], lat: c[1] };
  if (typeof c.lon === "number") return { lng: c.lon, lat: c.lat };
  if (typeof c.lng === "number") return { lng: c.lng, lat: c.lat };
  return null;
};

/** Select commune ``code``: highlight it, load its card, optionally fly to it. */
async function selectCommune(code, { point = null, centre = null, fly = false, focus = false, zoom = null, clicked = false } = {}) {
  const mine = ++current.loading;
  if (state.commune !== code || clicked) {
    current.clicked = clicked && point ? point : null;
    state.point = current.clicked;
  }
  state.commune = code;
  writeState(state);
  if (mapCtl) mapCtl.select(code);
  cardTitle.textContent = "Chargement…";
  setChildren(cardBody, h("p", { class: "hint" }, "Chargement de la fiche du territoire…"));
  $("#card").setAttribute("aria-busy", "true");
  if (!current.territory || current.territory.code !== code) renderSummary(null, code);
  try {
    // the territory and the commune's centre in parallel (one round trip, not two, on a phone)
    const known = point || centre;
    const [territory, p] = await Promise.all([
      api.territory("commune", code),
      known ? Promise.resolve(known) : api.communes(code, 5).then((found) => {
        const hit = ((found && found.results) || []).find((r) => r.code === code);
        return hit ? centreOf(hit.center) : null;
      }),
    ]);
    if (mine !== current.loading) return;
    renderSummary(territory);
    if (p) centreKnown(p);
    let located = null;
    if (p) {
      try {
        located = await api.locate(p.lat, p.lng);
        if (!located || !located.commune || located.commune.code !== code) located = null;
      } catch (err) {
        if (err.offline) throw err;
        located = null;
      }
    }
    if (mine !== current.loading) return;
    current.territory = territory;
    current.located = located;
    current.point = p;
    renderTerritory();
    if (mapCtl) mapCtl.select(code, p ? { name: territory.name, lngLat: [p.lng, p.lat] } : null);
    clearStatus();
    if (fly && p && mapCtl) mapCtl.flyTo([p.lng, p.lat], zoom ?? (state.zoom && state.zoom >= 8 ? state.zoom : 11));
    if (focus) {
      // Focus the card for keyboard and screen-reader users; on a one-column screen let the map's
      // flight be seen first, then bring the card into view.
      cardTitle.tabIndex = -1;
      const oneColumn = !window.matchMedia("(min-width: 960px)").matches;
      cardTitle.focus({ preventScroll: oneColumn && fly && !!mapCtl });
      if (oneColumn && fly && mapCtl) {
        mapCtl.map.once("moveend", () => $("#card").scrollIntoView({ behavior: "smooth", block: "start" }));
      }
    }
    openSimulator();
  } catch (err) {
    if (mine !== current.loading) return;
    cardTitle.textContent = "Fiche indisponible";
    setChildren(cardBody, h("p", { class: "error" }, err.message),
      h("button", { type: "button", onclick: () => selectCommune(code, { point, centre, fly }) }, "Réessayer"));
    showStatus(err.message, "error", () => selectCommune(code, { point, centre, fly }));
  } finally {
    if (mine === current.loading) $("#card").removeAttribute("aria-busy");
  }
}

async function selectPoint(lngLat, fly = false) {
  try {
    const loc = await api.locate(lngLat.lat, lngLat.lng);
    await selectCommune(loc.commune.code, { point: lngLat, fly, clicked: true });
  } catch (err) {
    showStatus(err.status === 404 ? "Aucune commune à cet endroit (en mer ou hors du territoire couvert)." : err.message,
      err.status === 404 ? "info" : "error");
  }
}

initSearch({
  onPick: (r) => selectCommune(r.code, { centre: centreOf(r.center), fly: true, focus: true }),
  onError: (msg) => showStatus(msg),
});

// ---------------------------------------------------------------- simulator
const simulator = new Simulator({
  form: $("#sim-form"),
  fields: $("#sim-fields"),
  results: $("#sim-results"),
});
let questionsFor = null;
let pendingAnswers = state.answers;

async function loadQuestions() {
  if (!current.territory) return;
  const profession = state.profession;
  try {
    const schema = await api.questions(profession);
    if (profession !== state.profession) return;
    simulator.render(schema);
    questionsFor = profession;
    if (pendingAnswers) {  // answers of a shared link (&answers=): restore them and show the same result
      for (const [name, v] of Object.entries(pendingAnswers)) simulator.set(name, v);
      pendingAnswers = null;
      simulator.refreshVisibility();
      $("#sim-form").requestSubmit();
    }
  } catch (err) {
    setChildren($("#sim-fields"), h("p", { class: "error" }, `Le questionnaire n'a pas pu être chargé : ${err.message}`));
    questionsFor = null;
  }
}

let resultFor = null;
function openSimulator() {
  $("#simulator").hidden = false;
  const t = current.territory;
  if (resultFor !== `${t.code}/${state.profession}`) {
    setChildren($("#sim-results"));
    $("#sim-zone").hidden = true;
    simulator.last = null;
  }
  $("#sim-context").textContent = `Projet : ${PROFESSION_LABEL[state.profession]} à ${t.name} (${t.code}). Répondez à ce que vous savez ; les questions sans réponse sont signalées dans le résultat.`;
  if (questionsFor !== state.profession) loadQuestions();
}

$("#sim-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!current.territory || !simulator.validate()) return;
  const btn = $("#sim-submit");
  btn.disabled = true;
  btn.textContent = "Calcul en cours…";
  try {
    const clicked = current.clicked;
    const answers = simulator.answers();
    const res = await api.eligibility({
      profession: state.profession,
      location: clicked ? { lat: Number(clicked.lat.toFixed(6)), lon: Number(clicked.lng.toFixed(6)) } : { commune: current.territory.code },
      answers,
    });
    simulator.showResult(res);
    showZoneUsed(res, clicked);
    resultFor = `${current.territory.code}/${state.profession}`;
    state.answers = answers;
    writeState(state);
  } catch (err) {
    if (!(err.status === 400 || err.status === 422) || !simulator.fieldError(err.param, err.message)) {
      setChildren($("#sim-results"), h("p", { class: "error" }, `La simulation a échoué : ${err.message}`));
    }
  } finally {
    btn.disabled = false;
    btn.textContent = "Calculer mes aides";
  }
});

// Which zone the simulation used, and why (the commune's, or a QPV's own at the chosen point).
function showZoneUsed(res, clicked) {
  const loc = res.location || {};
  const z = (loc.zonage || {})[state.profession] || {};
  const q = loc.qpv_at_point;
  const name = (loc.commune && loc.commune.name) || current.territory.name;
  const label = (code) => (code ? zoneInfo(code).label : "zonage inconnu");
  let text;
  if (q && state.profession === "medecin" && q.zonage_medecin) {
    text = `Zone utilisée : ${label(q.zonage_medecin)} — le point choisi sur la carte est dans le quartier prioritaire « ${q.name || q.code} », dont le zonage médecin propre prévaut sur celui de ${name} (${label(z.code)}).`;
  } else if (q) {
    text = `Zone utilisée : ${label(z.code)}, zonage de ${name} — le point choisi est dans le quartier prioritaire « ${q.name || q.code} », qui n'a pas de zonage propre pour cette profession.`;
  } else if (clicked) {
    text = `Zone utilisée : ${label(z.code)}, zonage de ${name} au point choisi sur la carte (hors quartier prioritaire).`;
  } else {
    text = `Zone utilisée : ${label(z.code)}, zonage de la commune de ${name}. Touchez la carte à l'adresse du cabinet pour tenir compte d'un quartier prioritaire.`;
  }
  const el = $("#sim-zone");
  el.textContent = text;
  el.dataset.zone = (q && state.profession === "medecin" && q.zonage_medecin) || z.code || "";
  el.hidden = false;
}

const catalogue = new Catalogue({ box: $("#catalogue-box"), body: $("#catalogue-body"), title: $("#catalogue-title") });
catalogue.render(state.profession);

// ---------------------------------------------------------------- share and print
$("#share-btn").addEventListener("click", async () => {
  const msg = $("#share-msg");
  try {
    await navigator.clipboard.writeText(window.location.href);
    msg.textContent = "Lien copié : il rouvre cette commune, cette profession et ce zoom.";
  } catch {
    setChildren(msg, "Copiez ce lien : ", h("input", { type: "text", readOnly: true, value: window.location.href, class: "share-url", "aria-label": "Lien de cette vue", onfocus: (ev) => ev.target.select() }));
  }
});

function preparePrint(image = null) {
  buildPrintSheet($("#print-sheet"), {
    territory: current.territory,
    located: current.located,
    profession: state.profession,
    result: simulator.last,
    image,
    url: window.location.href,
  });
}
$("#print-btn").addEventListener("click", async () => {
  preparePrint(mapCtl ? await mapCtl.snapshot() : null);
  window.print();
});
window.addEventListener("beforeprint", () => {
  if (!$("#print-sheet").childElementCount) preparePrint();
});
window.addEventListener("afterprint", () => setChildren($("#print-sheet")));

// ---------------------------------------------------------------- compare
async function refreshCompare() {
  const section = $("#compare");
  const codes = state.compare;
  section.hidden = codes.length === 0;
  $("#compare-add").disabled = !current.territory || codes.includes(current.territory.code) || codes.length >= MAX_COMPARE;
  if (!codes.length) return;
  $("#compare-hint").hidden = codes.length >= 2;
  await renderCompare($("#compare-body"), codes, state.profession, state.answers || {}, (code) => {
    state.compare = state.compare.filter((c) => c !== code);
    writeState(state);
    refreshCompare();
  });
}
$("#compare-add").addEventListener("click", () => {
  if (!current.territory || state.compare.includes(current.territory.code) || state.compare.length >= MAX_COMPARE) return;
  state.compare = [...state.compare, current.territory.code];
  writeState(state);
  refreshCompare().then(() => $("#compare").scrollIntoView({ behavior: "smooth", block: "start" }));
});
$("#compare-clear").addEventListener("click", () => {
  state.compare = [];
  writeState(state);
  refreshCompare();
});
$("#compare-print").addEventListener("click", () => {
  document.body.classList.add("print-compare");
  window.print();
});
window.addEventListener("afterprint", () => document.body.classList.remove("print-compare"));
professionSelect.addEventListener("change", () => state.compare.length && refreshCompare());

// ---------------------------------------------------------------- start
// A shared link to a commune: the map starts on the commune (no flight from France) once its centre
// is known, or after 3 s on France if the API is slow.
let centreKnown = () => {};
const initialCentre = new Promise((resolve) => {
  centreKnown = resolve;
  setTimeout(() => resolve(null), 3000);
});

async function start() {
  if (state.commune) $("#catalogue").hidden = true;
  const initialZoom = requestedZoom !== null && requestedZoom >= 8 ? requestedZoom : null;
  api.health().catch((err) => {
    showStatus(`${err.message} La carte et la recherche ne fonctionneront pas tant que le service ne répond pas.`,
      "error", () => window.location.reload());
  });
  // (the catalogue, hidden so that the card does not push it down, comes back even if that fails)
  const showCatalogue = () => { $("#catalogue").hidden = false; };
  if (state.compare.length) refreshCompare().then(() => $("#compare").scrollIntoView({ block: "start" }));
  if (state.point) { // a shared tap or an embed's lat/lon: its commune, and the zonage at that point
    (state.commune ? selectCommune(state.commune, { point: state.point, clicked: true }) : selectPoint(state.point, false))
      .finally(showCatalogue);
    const view = state.centre && requestedZoom !== null ? { centre: state.centre, zoom: state.zoom }
      : { centre: [state.point.lng, state.point.lat], zoom: state.zoom ?? 12 };
    afterPaint(() => loadMap(view));
  } else if (state.centre && requestedZoom !== null) {
    if (state.commune) selectCommune(state.commune).finally(showCatalogue);
    afterPaint(() => loadMap({ centre: state.centre, zoom: state.zoom }));
  } else if (state.commune) {
    selectCommune(state.commune, { fly: true, zoom: initialZoom }).finally(showCatalogue);
    const p = await initialCentre;
    if (p && !mapCtl) { // the URL names the view the map will open on
      state.centre = [p.lng, p.lat];
      state.zoom = initialZoom ?? 11;
      writeState(state);
    }
    afterPaint(() => loadMap(p ? { centre: [p.lng, p.lat], zoom: initialZoom ?? 11 } : null));
  } else {
    afterPaint(() => loadMap(null));
  }
}
start();

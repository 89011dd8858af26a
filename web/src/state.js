// Shareable view state in the URL query: ?commune=80021&profession=medecin&zoom=10.5&centre=2.29,49.89
// Also read: ?cc=80021 (Rézone's link shape, same as commune), lat/lon (a point: the simulator uses its
// own zonage, e.g. a QPV's), answers=<JSON of the simulator's answers>, compare=80021,80001 (2–4 communes).
import { DEFAULT_PROFESSION, PROFESSION_LABEL } from "./zones.js";

const CODE_RE = /^(\d{5}|2[AB]\d{3})$/;

/** The state encoded in ``search`` (defaults for anything missing or malformed). */
export function readState(search = window.location.search) {
  const p = new URLSearchParams(search);
  const profession = PROFESSION_LABEL[p.get("profession")] ? p.get("profession") : DEFAULT_PROFESSION;
  const raw = (p.get("commune") || p.get("cc") || "").toUpperCase();
  const commune = CODE_RE.test(raw) ? raw : null;
  const zoom = Number.parseFloat(p.get("zoom"));
  const centre = (p.get("centre") || "").split(",").map(Number);
  const lat = Number.parseFloat(p.get("lat"));
  const lon = Number.parseFloat(p.get("lon"));
  let answers = null;
  try {
    const a = JSON.parse(p.get("answers") || "null");
    answers = a && typeof a === "object" && !Array.isArray(a) ? a : null;
  } catch {
    answers = null;
  }
  const compare = [...new Set((p.get("compare") || "").toUpperCase().split(",").filter((c) => CODE_RE.test(c)))].slice(0, 4);
  return {
    profession,
    commune,
    point: Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lng: lon } : null,
    answers,
    compare,
    zoom: Number.isFinite(zoom) && zoom >= 0 && zoom <= 22 ? zoom : null,
    centre: centre.length === 2 && centre.every(Number.isFinite) && Math.abs(centre[0]) <= 180 && Math.abs(centre[1]) <= 85
      ? centre : null,
  };
}

/** Write ``state`` into the address bar without adding a history entry. */
export function writeState(state) {
  const p = new URLSearchParams();
  if (state.commune) p.set("commune", state.commune);
  if (state.point) {
    p.set("lat", state.point.lat.toFixed(6));
    p.set("lon", state.point.lng.toFixed(6));
  }
  p.set("profession", state.profession);
  if (state.answers && Object.keys(state.answers).length) p.set("answers", JSON.stringify(state.answers));
  if (state.compare && state.compare.length) p.set("compare", state.compare.join(","));
  if (Number.isFinite(state.zoom)) p.set("zoom", state.zoom.toFixed(2));
  if (state.centre) p.set("centre", state.centre.map((v) => v.toFixed(5)).join(","));
  const url = `${window.location.pathname}?${p.toString()}`;
  if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, "", url);
}

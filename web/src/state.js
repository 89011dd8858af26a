// Shareable view state in the URL query: ?commune=80021&profession=medecin&zoom=10.5&centre=2.29,49.89
import { DEFAULT_PROFESSION, PROFESSION_LABEL } from "./zones.js";

const CODE_RE = /^(\d{5}|2[AB]\d{3})$/;

/** The state encoded in ``search`` (defaults for anything missing or malformed). */
export function readState(search = window.location.search) {
  const p = new URLSearchParams(search);
  const profession = PROFESSION_LABEL[p.get("profession")] ? p.get("profession") : DEFAULT_PROFESSION;
  const commune = CODE_RE.test((p.get("commune") || "").toUpperCase()) ? p.get("commune").toUpperCase() : null;
  const zoom = Number.parseFloat(p.get("zoom"));
  const centre = (p.get("centre") || "").split(",").map(Number);
  return {
    profession,
    commune,
    zoom: Number.isFinite(zoom) && zoom >= 0 && zoom <= 22 ? zoom : null,
    centre: centre.length === 2 && centre.every(Number.isFinite) && Math.abs(centre[0]) <= 180 && Math.abs(centre[1]) <= 85
      ? centre : null,
  };
}

/** Write ``state`` into the address bar without adding a history entry. */
export function writeState(state) {
  const p = new URLSearchParams();
  if (state.commune) p.set("commune", state.commune);
  p.set("profession", state.profession);
  if (Number.isFinite(state.zoom)) p.set("zoom", state.zoom.toFixed(2));
  if (state.centre) p.set("centre", state.centre.map((v) => v.toFixed(5)).join(","));
  const url = `${window.location.pathname}?${p.toString()}`;
  if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, "", url);
}

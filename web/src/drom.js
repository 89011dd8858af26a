// One-tap shortcuts to the overseas régions (and back to metropolitan France, the default view).
import { h, setChildren } from "./dom.js";

export const AREAS = [
  ["metropole", "Métropole", [[-5.2, 41.3], [9.6, 51.15]]],
  ["guadeloupe", "Guadeloupe", [[-61.81, 15.83], [-61.0, 16.52]]],
  ["martinique", "Martinique", [[-61.23, 14.39], [-60.81, 14.88]]],
  ["guyane", "Guyane", [[-54.6, 2.1], [-51.6, 5.8]]],
  ["reunion", "La Réunion", [[55.21, -21.39], [55.84, -20.87]]],
  ["mayotte", "Mayotte", [[45.01, -13.0], [45.3, -12.63]]],
];

/** Fill ``nav`` with one button per area; ``go(bounds)`` moves the map. */
export function initDrom(nav, go) {
  setChildren(nav, h("span", { class: "drom-title" }, "Aller à :"), AREAS.map(([id, label, bounds]) =>
    h("button", { type: "button", class: "chip", dataset: { area: id }, onclick: () => go(bounds) }, label)));
}
